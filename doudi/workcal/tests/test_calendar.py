"""The calendar in the database: seeded from chinese-calendar after migrate, checked day by day
against the State Council's notices for 2025 and 2026, and read through work_calendar()."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.management import call_command

from doudi.workcal import selectors, sources
from doudi.workcal.actions import (
    calendar_import,
    calendar_seed_from_library,
    seed_after_migrate,
)
from doudi.workcal.models import CalendarDay, CalendarYear
from doudi.workcal.selectors import work_calendar


def span(first: str, last: str, name: str) -> dict[date, str]:
    start, end = date.fromisoformat(first), date.fromisoformat(last)
    return {start + timedelta(n): name for n in range((end - start).days + 1)}


# 国办发明电〔2024〕12号 (2025, after the 2024 revision of 全国年节及纪念日放假办法).
HOLIDAYS_2025 = {
    **span("2025-01-01", "2025-01-01", "元旦"),
    **span("2025-01-28", "2025-02-04", "春节"),
    **span("2025-04-04", "2025-04-06", "清明节"),
    **span("2025-05-01", "2025-05-05", "劳动节"),
    **span("2025-05-31", "2025-06-02", "端午节"),
    **span("2025-10-01", "2025-10-08", "国庆节"),
}
MAKEUP_2025 = {
    date(2025, 1, 26): "春节",  # Sunday
    date(2025, 2, 8): "春节",  # Saturday
    date(2025, 4, 27): "劳动节",  # Sunday
    date(2025, 9, 28): "国庆节",  # Sunday
    date(2025, 10, 11): "国庆节",  # Saturday
}
# 国办发明电〔2025〕7号 (2026).
HOLIDAYS_2026 = {
    **span("2026-01-01", "2026-01-03", "元旦"),
    **span("2026-02-15", "2026-02-23", "春节"),
    **span("2026-04-04", "2026-04-06", "清明节"),
    **span("2026-05-01", "2026-05-05", "劳动节"),
    **span("2026-06-19", "2026-06-21", "端午节"),
    **span("2026-09-25", "2026-09-27", "中秋节"),
    **span("2026-10-01", "2026-10-07", "国庆节"),
}
MAKEUP_2026 = {
    date(2026, 1, 4): "元旦",  # Sunday
    date(2026, 2, 14): "春节",  # Saturday
    date(2026, 2, 28): "春节",  # Saturday
    date(2026, 5, 9): "劳动节",  # Saturday
    date(2026, 9, 20): "国庆节",  # Sunday
    date(2026, 10, 10): "国庆节",  # Saturday
}
HOLIDAYS = {**HOLIDAYS_2025, **HOLIDAYS_2026}
MAKEUP = {**MAKEUP_2025, **MAKEUP_2026}


def stored(year: int, kind: str) -> set[date]:
    return set(CalendarDay.objects.filter(year=year, kind=kind).values_list("day", flat=True))


@pytest.mark.parametrize("year", [2025, 2026])
def test_the_seeded_years_hold_exactly_the_official_arrangement(db: None, year: int) -> None:
    assert stored(year, "holiday") == {d for d in HOLIDAYS if d.year == year}
    assert stored(year, "makeup") == {d for d in MAKEUP if d.year == year}
    assert CalendarYear.objects.get(year=year).source == CalendarYear.Source.LIBRARY


@pytest.mark.parametrize(("day", "name"), sorted(HOLIDAYS.items()))
def test_every_2025_and_2026_holiday_is_a_day_off(db: None, day: date, name: str) -> None:
    assert not work_calendar().is_working_day(day)
    # 2025-10-06 was 中秋 inside the National Day week; the library names it so.
    expected = "中秋节" if day == date(2025, 10, 6) else name
    assert CalendarDay.objects.get(day=day).name == expected


@pytest.mark.parametrize(("day", "name"), sorted(MAKEUP.items()))
def test_every_2025_and_2026_make_up_day_is_a_working_weekend_day(
    db: None, day: date, name: str
) -> None:
    assert day.weekday() in (5, 6)
    assert work_calendar().is_working_day(day)
    assert CalendarDay.objects.get(day=day).name == name


def test_the_library_seeds_every_year_it_knows(db: None) -> None:
    years = sorted(CalendarYear.objects.values_list("year", flat=True))
    assert years == sources.library_years()
    assert years[0] == 2004
    assert years[-1] == 2026


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        ("2026-02-12", 5, "2026-02-26"),
        ("2026-09-29", 5, "2026-10-12"),
        ("2025-12-31", 1, "2026-01-04"),
    ],
)
def test_the_database_calendar_gives_the_design_reference_dates(
    db: None, start: str, n: int, due: str
) -> None:
    calendar = work_calendar()
    start_day, due_day = date.fromisoformat(start), date.fromisoformat(due)
    assert calendar.add_working_days(start_day, n) == due_day
    assert not calendar.is_provisional(start_day, due_day)


def test_2027_has_statutory_holidays_only_and_is_provisional(db: None) -> None:
    calendar = work_calendar()
    assert not calendar.is_official(2027)
    for day in (date(2027, 1, 1), date(2027, 2, 6), date(2027, 10, 1), date(2027, 10, 3)):
        assert not calendar.is_working_day(day)
    # 2027-02-06/07 (春节) fall on a weekend: the law's 补假 are 02-09 and 02-10.
    assert not calendar.is_working_day(date(2027, 2, 10))
    assert calendar.is_working_day(date(2027, 2, 11))
    # No make-up days are invented: every weekend day is off.
    weekends = [date(2027, 1, 1) + timedelta(n) for n in range(365)]
    assert not any(calendar.is_working_day(d) for d in weekends if d.weekday() >= 5)
    assert calendar.is_provisional(date(2026, 12, 30), date(2027, 1, 5))


def test_statutory_days_come_without_the_days_an_arrangement_moved(db: None) -> None:
    # holidays.China knows the 2026 arrangement's moved days (休息日（由 … 调休）); a year without
    # an arrangement must not get days off without their make-up days.
    days = {row.day: row.name for row in sources.statutory_days(2026)}
    assert date(2026, 2, 20) not in days  # moved from the make-up day 02-14
    assert date(2026, 10, 6) not in days
    assert days[date(2026, 2, 17)] == "春节"
    assert days[date(2026, 10, 5)] == "国庆节（补假）"  # 10-03 was a Saturday
    assert all(row.kind == sources.HOLIDAY for row in sources.statutory_days(2027))
    assert len(sources.statutory_days(2027)) == 19  # 13 statutory days + 6 补假


def test_work_calendar_costs_one_query_when_nothing_changed(
    db: None, django_assert_num_queries: Any
) -> None:
    first = work_calendar()
    with django_assert_num_queries(1):
        assert work_calendar() is first


def test_work_calendar_is_rebuilt_after_an_import(db: None, example_csv: bytes) -> None:
    before = work_calendar()
    assert not before.is_official(2027)
    report = calendar_import(actor=None, content=example_csv, file_format="csv")
    assert report.applied, report.errors
    after = work_calendar()
    assert after is not before
    assert after.is_official(2027)
    assert after.is_working_day(date(2027, 2, 20))  # the example's make-up Saturday


def test_seeding_again_changes_nothing(db: None, announced: list[int]) -> None:
    stamp = selectors.calendar_stamp()
    assert calendar_seed_from_library() == []
    assert selectors.calendar_stamp() == stamp
    assert announced == []


def test_seeding_never_overwrites_an_imported_year(db: None) -> None:
    content = "date,kind,name\n2026-01-01,holiday,元旦\n".encode()
    assert calendar_import(actor=None, content=content, file_format="csv").applied
    assert calendar_seed_from_library() == []
    assert stored(2026, "holiday") == {date(2026, 1, 1)}
    assert stored(2026, "makeup") == set()


def test_seeding_restores_a_library_year_whose_days_were_lost(
    db: None, django_capture_on_commit_callbacks: Any, announced: list[int]
) -> None:
    CalendarDay.objects.filter(day=date(2026, 2, 14)).delete()
    with django_capture_on_commit_callbacks(execute=True):
        assert calendar_seed_from_library() == [2026]
    assert date(2026, 2, 14) in stored(2026, "makeup")
    assert announced == [2026]


def test_seeding_fills_an_empty_calendar(db: None) -> None:
    CalendarDay.objects.all().delete()
    CalendarYear.objects.all().delete()
    assert calendar_seed_from_library() == sources.library_years()
    assert stored(2026, "makeup") == set(MAKEUP_2026)


def test_a_year_listed_without_arrangement_is_not_official(db: None) -> None:
    CalendarYear.objects.create(year=2027, source=CalendarYear.Source.STATUTORY)
    assert not work_calendar().is_official(2027)
    view = selectors.year_view(2027)
    assert not view.official
    assert view.days[0].day == date(2027, 1, 1)


def test_an_empty_calendar_is_seeded_after_migrate(db: None) -> None:
    CalendarDay.objects.all().delete()
    CalendarYear.objects.all().delete()
    seed_after_migrate(sender=None, using="default")
    assert stored(2026, "makeup") == set(MAKEUP_2026)
    stamp = selectors.calendar_stamp()
    seed_after_migrate(sender=None, using="default")  # not empty: nothing happens
    assert selectors.calendar_stamp() == stamp


def test_a_flushed_database_is_seeded_again(transactional_db: None) -> None:
    # Tests that commit (the browser tests) end with a flush, which sends post_migrate.
    call_command("flush", interactive=False, verbosity=0)
    assert stored(2026, "makeup") == set(MAKEUP_2026)
    assert work_calendar().add_working_days(date(2026, 2, 12), 5) == date(2026, 2, 26)
