"""The search terms of Chinese text, as plain functions."""

from __future__ import annotations

import pytest

from doudi.lib.cjk import (
    MAX_QUERY_TERMS,
    document_terms,
    document_tokens,
    many_tokens,
    pairs,
    query_terms,
    with_terms,
)


def test_chinese_text_gives_its_characters_and_their_pairs() -> None:
    assert document_terms("社保卡") == {"社", "保", "卡", "社保", "保卡"}


def test_a_two_character_query_is_one_pair() -> None:
    assert query_terms("社保") == ["社保"]
    assert query_terms("户口迁入") == ["户口", "口迁", "迁入"]


def test_a_one_character_query_asks_for_the_character() -> None:
    assert query_terms("税") == ["税"]


def test_a_run_goes_on_across_a_line_break_but_not_across_punctuation() -> None:
    assert "户口" in document_terms("办理户\n口迁入")
    assert "保户" not in document_terms("社保，户口")


def test_no_pair_spans_two_fields() -> None:
    assert "社保" not in document_terms("办理社", "保卡")


def test_full_width_letters_and_digits_become_half_width_and_lower_case() -> None:
    assert document_terms("ＡＰＰ１２３") == {"app123"}
    assert query_terms("ＡＰＰ１２３") == query_terms("app123") == ["app123"]


def test_latin_words_and_numbers_are_words_and_a_case_number_splits_at_its_dashes() -> None:
    assert document_terms("SFQ-20261126-0007 App") == {"sfq", "20261126", "0007", "app"}
    assert query_terms("社保App") == ["社保", "app"]


@pytest.mark.parametrize("text", ["", "   ", "！？。…", '"', "*", "-", "()", '""', "^$#@~`'"])
def test_punctuation_gives_no_terms(text: str) -> None:
    assert query_terms(text) == []
    assert document_tokens(text) == ""


def test_query_syntax_is_plain_text() -> None:
    assert query_terms('社保 NEAR "户口" -公积金*') == ["社保", "near", "户口", "公积", "积金"]


def test_white_space_separates_query_words() -> None:
    assert query_terms("社保 户口") == ["社保", "户口"]
    assert "保户" not in query_terms("社保 户口")


def test_a_long_query_asks_for_a_bounded_number_of_terms() -> None:
    assert len(query_terms("办理社保卡补换遇到困难" * 50)) <= MAX_QUERY_TERMS
    assert len(query_terms("x" * 10_000)) == 1


def test_tokens_are_sorted_and_unique_and_pairs_leave_out_single_characters() -> None:
    assert document_tokens("保社保") == "保 保社 社 社保"
    assert pairs({"社", "社保", "app"}) == {"社保", "app"}


def test_terms_added_to_tokens_are_the_tokens_of_all_the_fields() -> None:
    prose = document_tokens("社保卡补办", "原单位已注销")
    assert with_terms(prose, "A-20261120-0007") == document_tokens(
        "A-20261120-0007", "社保卡补办", "原单位已注销"
    )
    # A term already there is not added twice.
    assert with_terms(prose, "社保") == prose


def test_many_tokens_are_each_rows_tokens() -> None:
    rows = [("社保", "卡"), ("", "App")]
    assert many_tokens(rows) == [document_tokens("社保", "卡"), "app"]
