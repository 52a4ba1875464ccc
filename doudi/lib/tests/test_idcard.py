from datetime import date

import pytest

from doudi.lib.idcard import id_check_char, id_number_error, normalise_id_number

FORMAT = "身份证号码应为18位，最后一位可以是数字或X"
REGION = "身份证号码的地区码无效"
BIRTH_DATE = "身份证号码中的出生日期无效"
CHECK_DIGIT = "身份证号码校验位不正确，请核对"

TODAY = date(2025, 6, 15)


def with_check_digit(body: str) -> str:
    """An independent, deliberately plain computation of the GB 11643 check digit."""
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = 0
    for position in range(17):
        total += int(body[position]) * weights[position]
    return body + "10X98765432"[total % 11]


def with_wrong_check_digit(body: str) -> str:
    right = with_check_digit(body)[-1]
    wrong = "0" if right != "0" else "1"
    return body + wrong


@pytest.mark.parametrize(
    "number",
    [
        "11010519491231002X",
        with_check_digit("11010119800101001"),
        with_check_digit("44030419991231123"),
        with_check_digit("65010120250615999"),
        with_check_digit("91000019000101000"),
    ],
)
def test_it_accepts_valid_numbers(number: str) -> None:
    assert id_number_error(number, today=TODAY) is None


def test_the_test_helper_agrees_with_the_module() -> None:
    for body in ("11010519491231002", "44052418800101001", "32010219870605107"):
        assert id_check_char(body) == with_check_digit(body)[-1]


def test_it_accepts_an_x_check_digit() -> None:
    number = with_check_digit("32010219870605107")
    assert number.endswith("X")
    assert id_number_error(number, today=TODAY) is None


def test_it_accepts_a_lowercase_x_after_normalising() -> None:
    assert normalise_id_number("11010519491231002x") == "11010519491231002X"
    assert id_number_error("11010519491231002x", today=TODAY) is None


def test_it_normalises_spaces_and_full_width_characters() -> None:
    assert normalise_id_number(" 110105 19491231 002Ｘ ") == "11010519491231002X"
    assert normalise_id_number("１１０１０５１９４９１２３１００２ｘ") == "11010519491231002X"
    assert id_number_error("１１０１０５ １９４９１２３１ ００２Ｘ", today=TODAY) is None


def test_it_rejects_a_wrong_check_digit() -> None:
    assert id_number_error("110105194912310021", today=TODAY) == CHECK_DIGIT
    assert id_number_error(with_wrong_check_digit("44030419991231123"), today=TODAY) == CHECK_DIGIT


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "11010519491231002",
        "11010519491231002X1",
        "110105194912310",
        "1101051949A231002X",
        "X10105194912310021",
        "11010519491231002Y",
        "１１０１０５１９４９１２３１００２Ｙ",
    ],
)
def test_it_rejects_a_wrong_length_or_characters(raw: str) -> None:
    assert id_number_error(raw, today=TODAY) == FORMAT


def test_it_rejects_non_ascii_digits() -> None:
    arabic_indic_one = "\u0661"
    assert id_number_error(arabic_indic_one + "1010519491231002X", today=TODAY) == FORMAT


def test_it_rejects_an_address_code_starting_with_zero() -> None:
    assert id_number_error(with_check_digit("01010519491231002"), today=TODAY) == REGION


def test_it_rejects_29_february_1900_because_1900_is_not_a_leap_year() -> None:
    assert id_number_error(with_check_digit("11010119000229001"), today=TODAY) == BIRTH_DATE


def test_it_accepts_29_february_2000_because_2000_is_a_leap_year() -> None:
    assert id_number_error(with_check_digit("11010120000229001"), today=TODAY) is None


@pytest.mark.parametrize(
    "birth", ["19491331", "19490230", "19490431", "19490100", "19490001", "00000000"]
)
def test_it_rejects_impossible_calendar_dates(birth: str) -> None:
    number = with_check_digit(f"110101{birth}001")
    assert id_number_error(number, today=TODAY) == BIRTH_DATE


def test_it_rejects_a_birth_date_in_the_future() -> None:
    assert id_number_error(with_check_digit("11010120250616001"), today=TODAY) == BIRTH_DATE
    assert id_number_error(with_check_digit("11010120250615001"), today=TODAY) is None


def test_it_uses_the_current_date_when_today_is_not_given() -> None:
    assert id_number_error(with_check_digit("11010199991231001")) == BIRTH_DATE
    assert id_number_error("11010519491231002X") is None


def test_it_rejects_a_birth_date_before_1900_even_with_a_right_check_digit() -> None:
    number = "440524188001010014"
    assert with_check_digit(number[:17]) == number
    assert id_number_error(number, today=TODAY) == BIRTH_DATE
    assert id_number_error(with_check_digit("11010118991231001"), today=TODAY) == BIRTH_DATE


def test_it_checks_the_format_before_anything_else() -> None:
    assert id_number_error("0101051949123100", today=TODAY) == FORMAT


def test_the_check_char_helper_refuses_a_malformed_body() -> None:
    with pytest.raises(ValueError, match="17 ASCII digits"):
        id_check_char("1101051949123100")
    with pytest.raises(ValueError, match="17 ASCII digits"):
        id_check_char("1101051949123100X")
