import random

import pytest

from doudi.lib.uscc import credit_code_check_char, credit_code_error, normalise_credit_code

FORMAT = "统一社会信用代码应为18位数字或大写字母（不含I、O、Z、S、V）"
CHECK_CHAR = "统一社会信用代码校验位不正确，请核对"

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def with_check_char(body: str) -> str:
    """An independent, deliberately plain computation of the GB 32100 check character."""
    weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    total = 0
    for position in range(17):
        total += ALPHABET.index(body[position]) * weights[position]
    check = 31 - total % 31
    if check == 31:
        check = 0
    return body + ALPHABET[check]


def with_wrong_check_char(body: str) -> str:
    right = with_check_char(body)[-1]
    wrong = "0" if right != "0" else "1"
    return body + wrong


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91110000600037341L"])
def test_it_accepts_known_valid_codes(code: str) -> None:
    assert with_check_char(code[:17]) == code
    assert credit_code_error(code) is None


def test_it_accepts_generated_codes() -> None:
    rng = random.Random(32100)
    for _ in range(500):
        body = "".join(rng.choice(ALPHABET) for _ in range(17))
        code = with_check_char(body)
        assert credit_code_check_char(body) == code[-1]
        assert credit_code_error(code) is None


def test_it_maps_a_remainder_of_zero_to_the_check_char_0() -> None:
    assert credit_code_check_char("00000000000000000") == "0"
    assert credit_code_error("000000000000000000") is None


def test_it_accepts_lowercase_spaces_and_full_width_characters() -> None:
    assert normalise_credit_code(" 9135 0100 m000 100y 43 ") == "91350100M000100Y43"
    assert normalise_credit_code("９１３５０１００Ｍ０００１００ｙ４３") == "91350100M000100Y43"
    assert credit_code_error("91350100m000100y43") is None
    assert credit_code_error("９１１１００００６０００３７３４１Ｌ") is None


def test_it_rejects_a_wrong_check_char() -> None:
    assert credit_code_error("91350100M000100Y44") == CHECK_CHAR
    assert credit_code_error(with_wrong_check_char("91110000600037341")) == CHECK_CHAR


def test_it_rejects_two_swapped_characters() -> None:
    assert credit_code_error("91350100M001000Y43") == CHECK_CHAR


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "91350100M000100Y4",
        "91350100M000100Y433",
        "91350100I000100Y43",
        "91350100O000100Y43",
        "91350100Z000100Y43",
        "91350100S000100Y43",
        "91350100V000100Y43",
        "91350100M000100-43",
        "91350100M000100Y4Ｉ",
    ],
)
def test_it_rejects_a_wrong_length_or_characters(raw: str) -> None:
    assert credit_code_error(raw) == FORMAT


def test_the_check_char_helper_refuses_a_malformed_body() -> None:
    with pytest.raises(ValueError, match="17 characters"):
        credit_code_check_char("91350100M000100")
    with pytest.raises(ValueError, match="17 characters"):
        credit_code_check_char("91350100I000100Y4")
