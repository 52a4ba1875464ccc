"""Reading headers and checking rows, without the database."""

from __future__ import annotations

from datetime import datetime

import pytest

from doudi.imports.columns import CHINA, CLOSED, OPEN, check_row, parse_moment, read_header

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=CHINA)
HEADER = read_header(["工单编号", "标题", "诉求内容", "来电号码", "来电时间", "状态", "处理结果",
                      "身份证号码", "渠道", "备注"])  # fmt: skip


def row(*cells: object) -> dict[str, object]:
    checked = check_row(2, list(cells), HEADER, now=NOW)
    return {"values": checked.values, "errors": checked.errors}


def test_headers_are_matched_by_name_or_alias_and_the_rest_listed() -> None:
    assert HEADER.missing == ()
    assert HEADER.ignored == ("备注",)
    assert HEADER.positions["source_id"] == 0
    assert HEADER.positions["description"] == 2
    bare = read_header(["标题", " Phone ", "电话"])
    assert bare.missing == ("来源编号", "经过")
    assert bare.repeated == ("电话",)  # phone named twice: the second is refused


def test_a_good_row_becomes_values() -> None:
    checked = row("GD1", "", "窗口说要原单位证明。单位已注销", "138 0000 1234",
                  "2026/11/20 9:30:00", "", "", "", "")  # fmt: skip
    assert checked["errors"] == []
    values = checked["values"]
    assert values["title"] == "窗口说要原单位证明。单位已注销"  # from the account when missing
    assert values["phone"] == "13800001234"
    assert values["registered_at"] == datetime(2026, 11, 20, 9, 30, tzinfo=CHINA)
    assert values["status"] == OPEN
    assert values["channel"] == "12345"
    assert values["matter"]  # neither item nor matter named: marked as such


def test_a_spreadsheet_number_is_read_as_text() -> None:
    checked = row(12345.0, "标题", "经过", 13800001234.0, "", "", "", "", "")
    assert checked["errors"] == []
    assert checked["values"]["source_id"] == "12345"
    assert checked["values"]["phone"] == "13800001234"
    assert checked["values"]["registered_at"] == NOW  # no time given: the import's


@pytest.mark.parametrize(
    ("cells", "column", "fragment"),
    [
        (("", "标题", "经过"), "来源编号", "必填"),
        (("GD1", "标题", ""), "经过", "必填"),
        (("GD1", "标" * 101, "经过"), "标题", "100"),
        (("GD1", "标题", "经过", "12345"), "联系电话", "电话"),
        (("GD1", "标题", "经过", "", "2026-02-30"), "登记时间", "2026-02-30"),
        (("GD1", "标题", "经过", "", "2027-01-01"), "登记时间", "晚于"),
        (("GD1", "标题", "经过", "", "", "已办结", ""), "处理结果", "必须"),
        (("GD1", "标题", "经过", "", "", "", "已解决"), "状态", "已办结"),
        (("GD1", "标题", "经过", "", "", "挂起"), "状态", "挂起"),
        (("GD1", "标题", "经过", "", "", "", "", "110105194912310021"), "身份证号码", "校验位"),
        (("GD1", "标题", "经过", "", "", "", "", "", "差评"), "渠道", "不能导入"),
        (("GD1", "标题\x00", "经过"), "标题", "NUL"),
    ],
)
def test_each_problem_names_its_column(cells: tuple[str, ...], column: str, fragment: str) -> None:
    errors = row(*cells)["errors"]
    assert [name for name, _ in errors] == [column]
    assert fragment in errors[0][1]


def test_a_settled_case_of_the_past() -> None:
    checked = row("GD1", "路灯", "路灯不亮", "", "2019/5/1 8:00", "已办结", "已修复", "", "窗口")
    assert checked["errors"] == []
    assert checked["values"]["status"] == CLOSED
    assert checked["values"]["channel"] == "window"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-27 9:30", datetime(2026, 11, 27, 9, 30, tzinfo=CHINA)),
        ("2019/2/28 11:25:05", datetime(2019, 2, 28, 11, 25, 5, tzinfo=CHINA)),
        ("2026年11月27日 9时30分", datetime(2026, 11, 27, 9, 30, tzinfo=CHINA)),
        ("20261127", datetime(2026, 11, 27, tzinfo=CHINA)),
        ("2026-11-27T01:30:00+00:00", datetime(2026, 11, 27, 9, 30, tzinfo=CHINA)),
        ("2026127", None),
        ("昨天", None),
    ],
)
def test_times_in_the_forms_exports_use(text: str, expected: datetime | None) -> None:
    assert parse_moment(text) == expected
