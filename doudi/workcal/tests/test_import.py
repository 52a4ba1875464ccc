"""Importing a year's arrangement: all or nothing, errors by line, one signal per import."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from doudi.audit.models import AuditEntry
from doudi.conftest import Personas
from doudi.workcal.actions import ImportReport, calendar_import
from doudi.workcal.models import CalendarDay, CalendarYear
from doudi.workcal.selectors import work_calendar


def csv(text: str, encoding: str = "utf-8") -> bytes:
    return text.strip().encode(encoding) + b"\n"


def import_csv(text: str, **kwargs: Any) -> ImportReport:
    return calendar_import(actor=None, content=csv(text), file_format="csv", **kwargs)


def snapshot() -> list[tuple[Any, ...]]:
    days = list(CalendarDay.objects.order_by("day").values_list("day", "kind", "name", "year"))
    years = list(CalendarYear.objects.order_by("year").values_list("year", "source", "imported_at"))
    return days + years


def lines(report: ImportReport) -> list[int]:
    return [error.line for error in report.errors]


def test_it_imports_the_documented_csv_example(
    db: None, example_csv: bytes, django_capture_on_commit_callbacks: Any, announced: list[int]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        report = calendar_import(actor=None, content=example_csv, file_format="csv")
    assert report.applied, report.errors
    assert (report.year, report.holidays, report.makeup_days) == (2027, 29, 4)
    assert not report.replaced
    year = CalendarYear.objects.get(year=2027)
    assert year.source == CalendarYear.Source.IMPORT
    assert CalendarDay.objects.get(day=date(2027, 2, 20)).kind == CalendarDay.Kind.MAKEUP
    assert CalendarDay.objects.get(day=date(2027, 10, 7)).name == "国庆节"
    assert announced == [2027]


def test_it_imports_the_documented_json_example(db: None, example_json: bytes) -> None:
    report = calendar_import(actor=None, content=example_json, file_format="json")
    assert report.applied, report.errors
    assert (report.year, report.holidays, report.makeup_days) == (2027, 29, 4)


def test_the_signal_is_sent_once_per_import_after_commit(
    db: None, example_csv: bytes, django_capture_on_commit_callbacks: Any, announced: list[int]
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        calendar_import(actor=None, content=example_csv, file_format="csv")
    assert announced == []  # not inside the transaction
    for callback in callbacks:
        callback()
    assert announced == [2027]
    with django_capture_on_commit_callbacks(execute=True):
        calendar_import(actor=None, content=example_csv, file_format="csv")
    assert announced == [2027, 2027]


def test_an_import_turns_provisional_deadlines_into_official_ones(
    db: None, example_csv: bytes
) -> None:
    calendar = work_calendar()
    start = date(2027, 2, 3)
    assert calendar.is_provisional(start, calendar.add_working_days(start, 5))
    assert calendar.add_working_days(start, 5) == date(2027, 2, 16)  # statutory: 02-05..02-10 off
    calendar_import(actor=None, content=example_csv, file_format="csv")
    calendar = work_calendar()
    due = calendar.add_working_days(start, 5)
    assert due == date(2027, 2, 18)  # example: 02-05..02-13 off, no make-up day in between
    assert not calendar.is_provisional(start, due)


def test_importing_a_year_replaces_its_days_and_records_who(db: None, people: Personas) -> None:
    report = calendar_import(
        actor=people.admin,
        content=csv("日期,类型,名称\n2026-01-01,休,元旦\n2026-01-04,班,元旦"),
        file_format="csv",
        note="更正",
    )
    assert report.applied, report.errors
    assert report.replaced  # 2026 came from the library
    assert list(CalendarDay.objects.filter(year=2026).values_list("day", "kind")) == [
        (date(2026, 1, 1), "holiday"),
        (date(2026, 1, 4), "makeup"),
    ]
    year = CalendarYear.objects.get(year=2026)
    assert (year.source, year.imported_by, year.note) == ("import", people.admin, "更正")
    entry = AuditEntry.objects.get(action="calendar.import")
    assert entry.actor == people.admin
    assert entry.object_id == "2026"
    assert entry.detail == {"holidays": 1, "makeup_days": 1, "replaced": True}
    assert CalendarDay.objects.filter(year=2025).count() == 33  # other years untouched


@pytest.mark.parametrize("kind", ["holiday", "HOLIDAY", "休", "放假"])
def test_it_accepts_the_holiday_spellings(db: None, kind: str) -> None:
    assert import_csv(f"date,kind\n2027-01-01,{kind}").applied


@pytest.mark.parametrize("kind", ["makeup", "make-up", "班", "上班", "补班", "调休上班"])
def test_it_accepts_the_make_up_spellings(db: None, kind: str) -> None:
    assert import_csv(f"date,kind\n2027-01-02,holiday\n2027-01-03,{kind}").applied
    assert CalendarDay.objects.get(day=date(2027, 1, 3)).kind == "makeup"


def test_it_reads_csv_saved_by_chinese_excel_in_gbk(db: None) -> None:
    content = csv("日期,类型,名称\n2027-01-01,放假,元旦", encoding="gbk")
    report = calendar_import(actor=None, content=content, file_format="csv")
    assert report.applied, report.errors
    assert CalendarDay.objects.get(day=date(2027, 1, 1)).name == "元旦"


def test_it_accepts_slashes_comments_blank_lines_and_a_holiday_on_a_weekend(db: None) -> None:
    report = import_csv("# 2027\ndate,kind,name\n\n2027/1/1,holiday,元旦\n2027-01-02,holiday,元旦")
    assert report.applied, report.errors
    assert report.holidays == 2


# --- refused files: every error by line, nothing changes -------------------------------------


def test_a_date_twice_is_refused_with_both_lines(db: None) -> None:
    before = snapshot()
    report = import_csv(
        "date,kind,name\n2027-01-01,holiday,元旦\n2027-01-02,holiday,\n2027-01-01,休,"
    )
    assert not report.applied
    assert lines(report) == [4]
    assert "2027-01-01" in report.errors[0].message
    assert "第 2 行" in report.errors[0].message
    assert snapshot() == before


def test_a_make_up_day_on_a_weekday_is_refused(db: None) -> None:
    before = snapshot()
    report = import_csv("date,kind\n2027-01-01,holiday\n2027-02-15,makeup")
    assert lines(report) == [3]
    assert "星期一" in report.errors[0].message
    assert "星期六或星期日" in report.errors[0].message
    assert snapshot() == before


def test_a_date_from_another_year_is_refused(db: None) -> None:
    before = snapshot()
    report = import_csv("date,kind\n2027-01-01,holiday\n2026-12-31,holiday\n2027-10-01,holiday")
    assert report.year == 2027
    assert lines(report) == [3]
    assert "不在 2027 年内" in report.errors[0].message
    assert snapshot() == before


def test_a_bad_date_and_an_unknown_kind_are_refused(db: None) -> None:
    before = snapshot()
    report = import_csv("date,kind\n2027-02-30,holiday\n2027-01-01,day-off\n明年元旦,holiday")
    assert lines(report) == [2, 3, 4]
    assert "2027-02-30" in report.errors[0].message
    assert "day-off" in report.errors[1].message
    assert "明年元旦" in report.errors[2].message
    assert snapshot() == before


def test_one_bad_line_keeps_the_good_ones_out(db: None) -> None:
    report = import_csv("date,kind\n2027-01-01,holiday\n2027-01-04,makeup")
    assert not report.applied
    assert not CalendarDay.objects.filter(year=2027).exists()
    assert not CalendarYear.objects.filter(year=2027).exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "文件为空"),
        (b"  \n\n", "文件为空"),
        (b"date,kind,name\n", "没有任何日期"),
        (b"day,type\n2027-01-01,holiday\n", "缺少"),
        (b"\xff\xfe\x00\xd8", "编码"),
    ],
)
def test_an_empty_or_unreadable_csv_is_refused(db: None, content: bytes, message: str) -> None:
    before = snapshot()
    report = calendar_import(actor=None, content=content, file_format="csv")
    assert not report.applied
    assert lines(report) == [1]
    assert message in report.errors[0].message
    assert snapshot() == before


def test_an_unknown_format_is_refused(db: None, example_csv: bytes) -> None:
    report = calendar_import(actor=None, content=example_csv, file_format="xlsx")
    assert not report.applied
    assert "CSV 或 JSON" in report.errors[0].message


def test_json_errors_give_the_line_of_the_day(db: None) -> None:
    content = b"""{
  "year": 2027,
  "days": [
    {"date": "2027-01-01", "kind": "holiday", "name": "x"},
    {"date": "2027-01-01",
     "kind": "holiday"},
    {"date": "2027-03-01", "kind": "makeup"},
    {"date": "2026-05-01", "kind": "holiday"},
    {"date": "2027-13-01", "kind": "holiday"},
    {"date": "2027-05-01", "kind": "rest"},
    "2027-06-01"
  ]
}"""
    before = snapshot()
    report = calendar_import(actor=None, content=content, file_format="json")
    assert not report.applied
    assert lines(report) == [5, 7, 8, 9, 10, 11]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("content", "line", "message"),
    [
        (b'{"year": 2027, "days": [\n{"date": "2027-01-01",}\n]}', 2, "JSON"),
        (b'[{"date": "2027-01-01", "kind": "holiday"}]', 1, "顶层"),
        (b'{\n"year": "2027",\n"days": [{"date": "2027-01-01", "kind": "holiday"}]}', 2, "year"),
        (b'{"year": 2027}', 1, "days"),
        (b'{"year": 2027, "days": []}', 1, "没有任何日期"),
        (b'{"year": 1900, "days": [{"date": "1900-01-01", "kind": "holiday"}]}', 1, "范围"),
    ],
)
def test_a_malformed_json_file_is_refused(
    db: None, content: bytes, line: int, message: str
) -> None:
    report = calendar_import(actor=None, content=content, file_format="json")
    assert not report.applied
    assert report.errors[0].line == line
    assert message in report.errors[0].message


def test_a_file_over_the_size_limit_is_refused(db: None, settings: Any) -> None:
    settings.DOUDI_IMPORT_MAX_BYTES = 10
    report = import_csv("date,kind\n2027-01-01,holiday")
    assert not report.applied
    assert "上限" in report.errors[0].message


def test_a_refused_import_sends_no_signal(
    db: None, django_capture_on_commit_callbacks: Any, announced: list[int]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        import_csv("date,kind\n2027-01-06,makeup")
    assert announced == []
