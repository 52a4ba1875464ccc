import pytest

from doudi.lib.phone import normalise_phone, phone_kind


@pytest.mark.parametrize(
    "raw",
    [
        "13812345678",
        "199 1234 5678",
        "+86 138-1234-5678",
        "008613812345678",
        "１３８１２３４５６７８",
    ],
)
def test_it_accepts_mainland_mobiles(raw: str) -> None:
    assert phone_kind(raw) == "mobile"


@pytest.mark.parametrize("raw", ["010-64012345", "01064012345", "0755-8888888", "021-52345678-801"])
def test_it_accepts_landlines_with_area_codes(raw: str) -> None:
    assert phone_kind(raw) == "landline"


@pytest.mark.parametrize(
    "raw", ["12812345678", "1381234567", "138123456789", "64012345", "010-1234567", "abc", ""]
)
def test_it_rejects_what_is_not_a_mainland_number(raw: str) -> None:
    assert phone_kind(raw) is None


def test_it_normalises_full_width_digits_and_country_code() -> None:
    assert normalise_phone("＋86 １３８ 1234 5678".replace("＋", "+")) == "13812345678"
