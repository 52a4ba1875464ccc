"""Reads of the working-day calendar.

``work_calendar()`` is what every deadline computation uses. It is cheap on every request: one
aggregate query over the year rows (a few dozen) gives a version stamp, and the calendar built
from the database is kept in the process until the stamp changes, i.e. until a year is seeded
or imported, in this process or another. Call it once per request or task and pass the
calendar along: it answers any number of questions without another query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.db.models import Count, Max
from django.utils import timezone

from doudi.lib.workdays import Deadline, WorkCalendar
from doudi.workcal import sources
from doudi.workcal.models import CalendarDay, CalendarYear

_cached: tuple[tuple[Any, ...], WorkCalendar] | None = None


def calendar_stamp() -> tuple[Any, ...]:
    """Changes whenever a year row is added or re-stamped (every seed and import does)."""
    row = CalendarYear.objects.aggregate(count=Count("pk"), latest=Max("imported_at"))
    return (row["count"], row["latest"])


def build_work_calendar() -> WorkCalendar:
    """The calendar from the database: the official years' days as stored, any other year's
    statutory holidays from the ``holidays`` package (computed when first asked for)."""
    official = frozenset(
        CalendarYear.objects.filter(source__in=CalendarYear.OFFICIAL_SOURCES).values_list(
            "year", flat=True
        )
    )
    holidays: set[date] = set()
    makeup: set[date] = set()
    for day, kind in CalendarDay.objects.filter(year__in=official).values_list("day", "kind"):
        (makeup if kind == CalendarDay.Kind.MAKEUP else holidays).add(day)
    return WorkCalendar(
        holidays=frozenset(holidays),
        makeup_days=frozenset(makeup),
        official_years=official,
        statutory=sources.statutory_holidays,
    )


def work_calendar() -> WorkCalendar:
    """The current calendar: one small query when unchanged, a rebuild after an import.

    Steps: read the stamp; if the calendar kept in this process was built at that stamp,
    return it; else build it from the database and keep it with the stamp.
    """
    global _cached
    stamp = calendar_stamp()
    cached = _cached
    if cached is not None and cached[0] == stamp:
        return cached[1]
    calendar = build_work_calendar()
    _cached = (stamp, calendar)  # one assignment: a thread sees the old pair or the new
    return calendar


def compute_deadline(
    received_at: datetime,
    n: int,
    *,
    cutoff: time | None = None,
    due_time: time | None = None,
    count_start: bool = False,
    inclusive_end: bool = False,
    calendar: WorkCalendar | None = None,
) -> Deadline:
    """``WorkCalendar.deadline`` on the current calendar, in the local time zone."""
    return (calendar or work_calendar()).deadline(
        timezone.localtime(received_at),
        n,
        cutoff=cutoff,
        due_time=due_time,
        count_start=count_start,
        inclusive_end=inclusive_end,
    )


@dataclass(frozen=True)
class YearView:
    year: int
    source: str  # a CalendarYear.Source value, or "statutory" for a year with no row
    official: bool
    days: list[sources.SourceDay]


def year_view(year: int) -> YearView:
    """One year's special days as the calendar uses them: stored ones for an official year,
    the computed statutory holidays (provisional) for any other."""
    row = CalendarYear.objects.filter(year=year).first()
    if row is not None and row.is_official:
        days = [
            sources.SourceDay(day, kind, name)
            for day, kind, name in CalendarDay.objects.filter(year=year).values_list(
                "day", "kind", "name"
            )
        ]
        return YearView(year, row.source, True, sorted(days, key=lambda d: d.day))
    return YearView(year, CalendarYear.Source.STATUTORY, False, sources.statutory_days(year))
