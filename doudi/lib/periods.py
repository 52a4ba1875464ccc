"""Reporting periods: this week, this month, last month, this year, or any range of days.

A period is a half-open range of local dates [start, end). Pure code: no Django models.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

PRESETS = ("week", "month", "last_month", "quarter", "year", "custom")


class PeriodError(ValueError):
    """A range that cannot be a reporting period; the message is for the user."""


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # exclusive

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def bucket(self) -> str:
        """How a trend over this period is grouped: by day up to two months, by week up to
        a year, by month beyond."""
        if self.days <= 62:
            return "day"
        if self.days <= 366:
            return "week"
        return "month"


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


MAX_DAYS = 3 * 366


def period_for(
    preset: str, today: date, *, start: date | None = None, end: date | None = None
) -> Period:
    """The period a preset names, relative to ``today``; "custom" takes ``start`` and the
    inclusive ``end``."""
    if preset == "week":
        first = today - timedelta(days=today.weekday())
        return Period(first, first + timedelta(days=7))
    if preset == "month":
        first = _month_start(today)
        return Period(first, _next_month(first))
    if preset == "last_month":
        first = _month_start(_month_start(today) - timedelta(days=1))
        return Period(first, _next_month(first))
    if preset == "quarter":
        first = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        return Period(first, _next_month(_next_month(_next_month(first))))
    if preset == "year":
        return Period(date(today.year, 1, 1), date(today.year + 1, 1, 1))
    if preset == "custom":
        if start is None or end is None:
            raise PeriodError("请填写起止日期。")
        if end < start:
            raise PeriodError("结束日期不能早于开始日期。")
        if (end - start).days >= MAX_DAYS:
            raise PeriodError("统计区间最长3年。")
        return Period(start, end + timedelta(days=1))
    raise PeriodError("未知的统计区间。")


def buckets(period: Period) -> list[date]:
    """The first day of each trend bucket in ``period``, in order."""
    kind = period.bucket()
    if kind == "day":
        return [period.start + timedelta(days=n) for n in range(period.days)]
    if kind == "week":
        first = period.start - timedelta(days=period.start.weekday())
        return _every(first, period.end, 7)
    out, day = [], _month_start(period.start)
    while day < period.end:
        out.append(day)
        day = _next_month(day)
    return out


def _every(first: date, end: date, step: int) -> list[date]:
    out, day = [], first
    while day < end:
        out.append(day)
        day += timedelta(days=step)
    return out


def bucket_of(day: date, kind: str) -> date:
    if kind == "day":
        return day
    if kind == "week":
        return day - timedelta(days=day.weekday())
    return _month_start(day)
