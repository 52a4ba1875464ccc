from collections.abc import Callable

import pytest

from doudi.lib.masking import (
    mask_credit_code,
    mask_email,
    mask_id_number,
    mask_name,
    mask_phone,
    scrub_text,
)


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("13812345678", "138****5678"),
        ("138 1234 5678", "138****5678"),
        ("+86 138-1234-5678", "138****5678"),
        ("010-64012345", "010-****2345"),
        ("01064012345", "010-****2345"),
        ("0755-8888888", "0755-***8888"),
        ("021-52345678-801", "021-****5678-801"),
    ],
)
def test_it_masks_mobiles_and_landlines(value: str, masked: str) -> None:
    assert mask_phone(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"), [("12345", "1***5"), ("abc", "a*c"), ("ab", "**"), ("a", "*")]
)
def test_it_masks_other_phone_values_keeping_the_ends(value: str, masked: str) -> None:
    assert mask_phone(value) == masked


def test_it_masks_an_18_character_id_number() -> None:
    assert mask_id_number("11010519491231123X") == "110***********123X"
    assert mask_id_number("11010519491231002x") == "110***********002X"


@pytest.mark.parametrize(
    ("value", "masked"),
    [("110105491231002", "1*************2"), ("abc", "a*c"), ("ab", "**")],
)
def test_it_masks_id_numbers_of_other_lengths(value: str, masked: str) -> None:
    assert mask_id_number(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [("张三", "张*"), ("王小明", "王**"), ("欧阳娜娜", "欧***"), ("张", "张"), (" 李四 ", "李*")],
)
def test_it_keeps_only_the_first_character_of_a_personal_name(value: str, masked: str) -> None:
    assert mask_name(value) == masked


def test_it_keeps_both_ends_of_an_organisation_name() -> None:
    assert mask_name("北京某某科技有限公司") == "北京**公司"
    assert mask_name("某某某某某某某") == "某某**某某"


def test_a_six_character_name_still_counts_as_personal() -> None:
    assert mask_name("阿依古丽买") == "阿****"
    assert mask_name("买买提依明") == "买****"
    assert mask_name("爱新觉罗溥仪") == "爱*****"


def test_it_masks_a_credit_code() -> None:
    assert mask_credit_code("91350100M000100Y43") == "91************0Y43"
    assert mask_credit_code("91350100m000100y43") == "91************0Y43"
    assert mask_credit_code("ABCDEF") == "******"


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("zhang@example.com", "z***@example.com"),
        ("z@example.com", "z***@example.com"),
        ("not-an-email", "n**********l"),
    ],
)
def test_it_masks_an_email_address(value: str, masked: str) -> None:
    assert mask_email(value) == masked


@pytest.mark.parametrize(
    "mask", [mask_phone, mask_id_number, mask_name, mask_credit_code, mask_email]
)
def test_an_empty_value_stays_empty(mask: Callable[[str], str]) -> None:
    assert mask("") == ""


def test_scrub_text_masks_the_personal_data_written_into_free_text() -> None:
    text = "赵铁柱来电13812345678，身份证11010519491231002X，邮箱 zhao@example.com。"
    assert scrub_text(text, names=("赵铁柱",)) == (
        "赵**来电138****5678，身份证110***********002X，邮箱 z***@example.com。"
    )


def test_scrub_text_leaves_longer_numbers_and_one_character_names() -> None:
    text = "工单号 GD2026112712345678901，王"
    assert scrub_text(text, names=("王",)) == text
    assert scrub_text("订单 213812345678 未办", names=()) == "订单 213812345678 未办"
