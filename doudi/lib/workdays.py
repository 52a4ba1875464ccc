"""Working days in mainland China: weekends off, official holidays off, make-up days (调休) on.

Pure, no Django: a ``WorkCalendar`` is built from plain sets of dates (by
``doudi.workcal.selectors.work_calendar`` from the database, or from fixed data in tests) and
answers every deadline question the clocks ask.

Counting rules (DESIGN.md, "Deadlines are working days"):

* A period of n working days counts from the day after receipt: day 1 is the first working day
  after the receipt day. With ``count_start`` the receipt day itself is day 1 when it is a
  working day (when it is not, nothing changes).
* The period ends with the n-th working day: the work is on time if done by the end of that
  day (24:00, as 民法典 art. 203 ends a period's last day), or by a given time of that day
  (12:00 for the task force's "by noon of the next working day").
* ``inclusive_end`` stretches the end over the days off that directly follow the n-th working
  day, so the period ends only when the next working day begins: a Friday n-th day gives
  Sunday, the eve of a holiday gives the holiday's last day. Use it where the other side may
  act on days off (a reporter supplying papers online) and a weekend must not eat their time.
* Business hours: with a cut-off time, a receipt at or after the cut-off, or on a day off,
  counts as received on the next working day (before its cut-off). Without one, the receipt
  day is the calendar day, and counting from the day after already skips days off.
* A year without an official arrangement (the State Council publishes next year's in
  November) has only its statutory holidays, no make-up days; any deadline whose period
  touches such a year is provisional.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

ONE_DAY = timedelta(days=1)
END_OF_DAY = time.max  # 23:59:59.999999: the last moment of the due day
SATURDAY, SUNDAY = 5, 6
# No calendar has a year of days off in a row; a longer run means broken data, not a deadline.
LONGEST_BREAK = 366


class CalendarError(ValueError):
    """The calendar cannot answer: no working day within a year (broken data)."""


@dataclass(frozen=True)
class Deadline:
    due: datetime  # aware, in the receipt's time zone
    provisional: bool  # the period touches a year without an official arrangement


def is_weekend(day: date) -> bool:
    return day.weekday() in (SATURDAY, SUNDAY)


@dataclass(frozen=True)
class WorkCalendar:
    """Which days are working days.

    ``holidays``: days off that would otherwise be working days (weekend days inside a holiday
    may be listed too). ``makeup_days``: weekend days that are working days (调休上班).
    ``official_years``: years whose arrangement was published; the days given for them are the
    whole truth. ``statutory``: for any other year, a function giving its statutory holidays
    (no make-up days), called at most once per year and remembered.
    """

    holidays: frozenset[date] = frozenset()
    makeup_days: frozenset[date] = frozenset()
    official_years: frozenset[int] = frozenset()
    statutory: Callable[[int], Iterable[date]] | None = field(
        default=None, compare=False, repr=False
    )
    _statutory_days: dict[int, frozenset[date]] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )

    def is_official(self, year: int) -> bool:
        return year in self.official_years

    def is_holiday(self, day: date) -> bool:
        """Steps: a listed holiday is one; in an official year nothing else is; in another year
        the statutory holidays are (computed once for that year)."""
        if day in self.holidays:
            return True
        if self.statutory is None or day.year in self.official_years:
            return False
        days = self._statutory_days.get(day.year)
        if days is None:
            days = frozenset(self.statutory(day.year))
            self._statutory_days[day.year] = days
        return day in days

    def is_working_day(self, day: date) -> bool:
        """Steps: a holiday is off; else a make-up day is on; else Monday to Friday are on."""
        if self.is_holiday(day):
            return False
        if day in self.makeup_days:
            return True
        return not is_weekend(day)

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        candidate = day + ONE_DAY
        for _ in range(LONGEST_BREAK):
            if self.is_working_day(candidate):
                return candidate
            candidate += ONE_DAY
        raise CalendarError(f"no working day within {LONGEST_BREAK} days after {day}")

    def add_working_days(
        self, start: date, n: int, *, count_start: bool = False, inclusive_end: bool = False
    ) -> date:
        """The last day of a period of ``n`` working days from ``start`` (the receipt day).

        Steps:
        1. ``n`` must not be negative; ``n == 0`` ("on the spot") is ``start`` itself.
        2. With ``count_start``, a working ``start`` is day 1.
        3. Each further day is the next working day after the previous one; the n-th is the
           due day (the deadline is at its end).
        4. With ``inclusive_end``, move on over the days off that follow the due day: the
           result is the day before the next working day.
        """
        if n < 0:
            raise ValueError("the number of working days must not be negative")
        if n == 0:
            return start
        day = start
        remaining = n
        if count_start and self.is_working_day(start):
            remaining -= 1
        while remaining:
            day = self.next_working_day(day)
            remaining -= 1
        if inclusive_end:
            day = self.next_working_day(day) - ONE_DAY
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end``; negative when ``end`` is
        before ``start``.

        For "how late": ``working_days_between(due_day, done_day)`` is the number of working
        days a thing done on ``done_day`` was late (0 on the due day, and on the days off right
        after it). For "how long": ``working_days_between(received_day, answered_day)``.

        Steps: order the two days; count the working days in the half-open range; sign it.
        """
        if end < start:
            return -self.working_days_between(end, start)
        count = 0
        day = start + ONE_DAY
        while day <= end:
            if self.is_working_day(day):
                count += 1
            day += ONE_DAY
        return count

    def is_provisional(self, start: date, end: date) -> bool:
        """Whether any year from ``start`` to ``end`` (either order) lacks an official
        arrangement."""
        first, last = sorted((start.year, end.year))
        return any(year not in self.official_years for year in range(first, last + 1))

    def receipt_day(self, received_at: datetime, *, cutoff: time | None = None) -> date:
        """The day a receipt counts as received on.

        Steps: without a cut-off, the calendar day of ``received_at``; with one, that day if
        it is a working day and the time is before the cut-off, else the next working day.
        """
        day = received_at.date()
        if cutoff is None:
            return day
        if self.is_working_day(day) and received_at.time() < cutoff:
            return day
        return self.next_working_day(day)

    def deadline(
        self,
        received_at: datetime,
        n: int,
        *,
        cutoff: time | None = None,
        due_time: time | None = None,
        count_start: bool = False,
        inclusive_end: bool = False,
    ) -> Deadline:
        """When something received at ``received_at`` is due, ``n`` working days on.

        ``received_at`` is aware and in the local time zone (the day it falls on is read in its
        own zone). ``cutoff``: the business-hours cut-off (17:00, say); ``due_time``: the time
        of day of the deadline (12:00 for the triage clock), else the end of the day.

        Steps:
        1. Find the receipt day (``receipt_day``: the cut-off and days off move it on).
        2. Add ``n`` working days to it (``add_working_days``, with the counting flags).
        3. The deadline is ``due_time`` (or 23:59:59.999999) of that day, in the receipt's zone.
        4. It is provisional when a year from receipt to due day has no official arrangement.
        """
        if received_at.tzinfo is None or received_at.utcoffset() is None:
            raise ValueError("received_at must be an aware datetime")
        start = self.receipt_day(received_at, cutoff=cutoff)
        due_day = self.add_working_days(
            start, n, count_start=count_start, inclusive_end=inclusive_end
        )
        due = datetime.combine(due_day, due_time or END_OF_DAY, tzinfo=received_at.tzinfo)
        return Deadline(due=due, provisional=self.is_provisional(received_at.date(), due_day))
