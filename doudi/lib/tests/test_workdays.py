"""The working-day calendar as plain functions, on fixed data: the State Council's 2025 and 2026
arrangements written out below, 2027 with statutory holidays only (provisional)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from doudi.lib.workdays import END_OF_DAY, CalendarError, Deadline, WorkCalendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOON = time(12)
FIVE_PM = time(17)


def days(first: str, last: str | None = None) -> set[date]:
    start = date.fromisoformat(first)
    end = date.fromisoformat(last) if last else start
    return {start + timedelta(n) for n in range((end - start).days + 1)}


HOLIDAYS_2025 = (
    days("2025-01-01")
    | days("2025-01-28", "2025-02-04")
    | days("2025-04-04", "2025-04-06")
    | days("2025-05-01", "2025-05-05")
    | days("2025-05-31", "2025-06-02")
    | days("2025-10-01", "2025-10-08")
)
MAKEUP_2025 = days("2025-01-26") | days("2025-02-08") | days("2025-04-27")
MAKEUP_2025 |= days("2025-09-28") | days("2025-10-11")
HOLIDAYS_2026 = (
    days("2026-01-01", "2026-01-03")
    | days("2026-02-15", "2026-02-23")
    | days("2026-04-04", "2026-04-06")
    | days("2026-05-01", "2026-05-05")
    | days("2026-06-19", "2026-06-21")
    | days("2026-09-25", "2026-09-27")
    | days("2026-10-01", "2026-10-07")
)
MAKEUP_2026 = days("2026-01-04") | days("2026-02-14") | days("2026-02-28") | days("2026-05-09")
MAKEUP_2026 |= days("2026-09-20") | days("2026-10-10")
# A made-up statutory list for 2027 (元旦 and the Spring Festival days), not the real one.
STATUTORY_2027 = days("2027-01-01") | days("2027-02-05", "2027-02-10")


def statutory(year: int) -> set[date]:
    return {d for d in STATUTORY_2027 if d.year == year}


CAL = WorkCalendar(
    holidays=frozenset(HOLIDAYS_2025 | HOLIDAYS_2026),
    makeup_days=frozenset(MAKEUP_2025 | MAKEUP_2026),
    official_years=frozenset({2025, 2026}),
    statutory=statutory,
)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


# --- DESIGN.md's reference dates --------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        ("2026-02-12", 5, "2026-02-26"),  # 02-14 is a make-up Saturday
        ("2026-09-29", 5, "2026-10-12"),  # 10-10 is a make-up Saturday
        ("2025-12-31", 1, "2026-01-04"),  # a make-up Sunday
    ],
)
def test_it_matches_the_design_reference_dates(start: str, n: int, due: str) -> None:
    assert CAL.add_working_days(date.fromisoformat(start), n) == date.fromisoformat(due)


# --- is_working_day -------------------------------------------------------------------------


@pytest.mark.parametrize("day", sorted(HOLIDAYS_2025 | HOLIDAYS_2026))
def test_every_official_holiday_is_a_day_off(day: date) -> None:
    assert not CAL.is_working_day(day)


@pytest.mark.parametrize("day", sorted(MAKEUP_2025 | MAKEUP_2026))
def test_every_make_up_day_is_a_working_weekend_day(day: date) -> None:
    assert day.weekday() >= 5
    assert CAL.is_working_day(day)


def test_ordinary_weekdays_work_and_ordinary_weekends_rest() -> None:
    assert CAL.is_working_day(date(2026, 3, 2))  # Monday
    assert CAL.is_working_day(date(2026, 3, 6))  # Friday
    assert not CAL.is_working_day(date(2026, 3, 7))  # Saturday
    assert not CAL.is_working_day(date(2026, 3, 8))  # Sunday


def test_an_empty_calendar_knows_only_weekends() -> None:
    empty = WorkCalendar()
    assert empty.is_working_day(date(2026, 1, 1))  # no holidays given
    assert not empty.is_working_day(date(2026, 2, 14))  # no make-up days given
    assert empty.is_provisional(date(2026, 1, 1), date(2026, 1, 1))


def test_a_year_without_arrangement_uses_its_statutory_holidays_only() -> None:
    assert not CAL.is_working_day(date(2027, 1, 1))
    assert not CAL.is_working_day(date(2027, 2, 8))
    assert CAL.is_working_day(date(2027, 2, 11))
    assert not CAL.is_working_day(date(2027, 2, 13))  # a Saturday: no make-up days are known


def test_statutory_holidays_are_not_consulted_for_official_years() -> None:
    asked: list[int] = []

    def spy(year: int) -> set[date]:
        asked.append(year)
        return {date(year, 3, 2)}

    cal = WorkCalendar(official_years=frozenset({2026}), statutory=spy)
    assert cal.is_working_day(date(2026, 3, 2))
    assert not cal.is_working_day(date(2027, 3, 2))
    assert not cal.is_working_day(date(2027, 3, 2))
    assert asked == [2027]  # computed once per year, remembered


# --- add_working_days -------------------------------------------------------------------------


def test_counting_starts_the_day_after_receipt() -> None:
    assert CAL.add_working_days(date(2026, 3, 2), 1) == date(2026, 3, 3)
    assert CAL.add_working_days(date(2026, 3, 6), 1) == date(2026, 3, 9)  # Friday → Monday


def test_count_start_makes_a_working_receipt_day_day_one() -> None:
    assert CAL.add_working_days(date(2026, 3, 2), 1, count_start=True) == date(2026, 3, 2)
    assert CAL.add_working_days(date(2026, 3, 2), 5, count_start=True) == date(2026, 3, 6)
    assert CAL.add_working_days(date(2026, 2, 12), 5, count_start=True) == date(2026, 2, 25)


def test_count_start_changes_nothing_for_a_receipt_on_a_day_off() -> None:
    saturday = date(2026, 3, 7)
    assert CAL.add_working_days(saturday, 1, count_start=True) == date(2026, 3, 9)
    assert CAL.add_working_days(saturday, 1) == date(2026, 3, 9)


def test_count_start_counts_a_make_up_day_received_on() -> None:
    assert CAL.add_working_days(date(2026, 2, 14), 1, count_start=True) == date(2026, 2, 14)
    assert CAL.add_working_days(date(2026, 2, 14), 1) == date(2026, 2, 24)


def test_inclusive_end_stretches_over_the_days_off_after_the_due_day() -> None:
    # Due Friday 2026-03-06: the weekend is included, the period ends Sunday.
    assert CAL.add_working_days(date(2026, 3, 5), 1, inclusive_end=True) == date(2026, 3, 8)
    # Due Saturday 2026-02-14 (make-up day), then the Spring Festival: ends 2026-02-23.
    assert CAL.add_working_days(date(2026, 2, 13), 1, inclusive_end=True) == date(2026, 2, 23)
    # Due on a day followed by a working day: no change.
    assert CAL.add_working_days(date(2026, 3, 2), 1, inclusive_end=True) == date(2026, 3, 3)


def test_zero_working_days_is_the_receipt_day() -> None:
    assert CAL.add_working_days(date(2026, 3, 7), 0) == date(2026, 3, 7)


def test_a_negative_number_of_days_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        CAL.add_working_days(date(2026, 3, 2), -1)


def test_it_counts_through_a_whole_holiday() -> None:
    # Spring Festival 2025: 01-28..02-04 off, 01-26 (Sun) and 02-08 (Sat) on.
    assert CAL.add_working_days(date(2025, 1, 24), 1) == date(2025, 1, 26)
    assert CAL.add_working_days(date(2025, 1, 26), 1) == date(2025, 1, 27)
    assert CAL.add_working_days(date(2025, 1, 27), 1) == date(2025, 2, 5)
    assert CAL.add_working_days(date(2025, 2, 7), 1) == date(2025, 2, 8)
    # National Day 2025 (with 中秋): 10-01..10-08 off, 09-28 (Sun) and 10-11 (Sat) on.
    assert CAL.add_working_days(date(2025, 9, 26), 1) == date(2025, 9, 28)
    assert CAL.add_working_days(date(2025, 9, 30), 1) == date(2025, 10, 9)
    assert CAL.add_working_days(date(2025, 10, 10), 1) == date(2025, 10, 11)
    # Labour Day 2026: 05-01..05-05 off, 05-09 (Sat) on.
    assert CAL.add_working_days(date(2026, 4, 30), 2) == date(2026, 5, 7)
    assert CAL.add_working_days(date(2026, 5, 8), 1) == date(2026, 5, 9)


def test_ten_working_days_across_the_spring_festival_2026() -> None:
    # 02-13, 02-14 (make-up), 02-24..02-27, 02-28 (make-up), 03-02..03-04.
    assert CAL.add_working_days(date(2026, 2, 12), 10) == date(2026, 3, 4)


# --- year boundaries --------------------------------------------------------------------------


def test_it_crosses_from_2024_into_2025() -> None:
    cal = WorkCalendar(holidays=frozenset(HOLIDAYS_2025), official_years=frozenset({2024, 2025}))
    assert cal.add_working_days(date(2024, 12, 31), 1) == date(2025, 1, 2)


def test_it_crosses_from_2025_into_2026_on_a_make_up_sunday() -> None:
    assert CAL.add_working_days(date(2025, 12, 31), 1) == date(2026, 1, 4)
    assert CAL.add_working_days(date(2025, 12, 30), 2) == date(2026, 1, 4)
    assert CAL.add_working_days(date(2025, 12, 31), 2) == date(2026, 1, 5)
    assert not CAL.is_provisional(date(2025, 12, 31), date(2026, 1, 4))


def test_it_crosses_from_2026_into_a_year_without_arrangement() -> None:
    # 2026-12-31 is a Thursday; 2027-01-01 is statutory; 2027-01-02/03 a weekend.
    assert CAL.add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 4)
    assert CAL.is_provisional(date(2026, 12, 31), date(2027, 1, 4))
    assert not CAL.is_provisional(date(2026, 12, 30), date(2026, 12, 31))


def test_a_period_that_spans_a_missing_year_is_provisional() -> None:
    cal = WorkCalendar(official_years=frozenset({2025, 2027}))
    assert cal.is_provisional(date(2025, 12, 1), date(2027, 1, 5))
    assert cal.is_provisional(date(2027, 1, 5), date(2025, 12, 1))
    assert not cal.is_provisional(date(2027, 1, 1), date(2027, 12, 31))


# --- next_working_day and working_days_between ------------------------------------------------


def test_next_working_day_skips_holidays_and_honours_make_up_days() -> None:
    assert CAL.next_working_day(date(2026, 2, 13)) == date(2026, 2, 14)
    assert CAL.next_working_day(date(2026, 2, 14)) == date(2026, 2, 24)
    assert CAL.next_working_day(date(2026, 2, 27)) == date(2026, 2, 28)
    assert CAL.next_working_day(date(2026, 9, 30)) == date(2026, 10, 8)


def test_a_calendar_without_working_days_fails_loudly() -> None:
    year = days("2030-01-01", "2031-12-31")
    cal = WorkCalendar(holidays=frozenset(year), official_years=frozenset({2030, 2031}))
    with pytest.raises(CalendarError):
        cal.next_working_day(date(2030, 1, 1))


def test_working_days_between_counts_after_the_start_up_to_the_end() -> None:
    due = date(2026, 2, 13)
    assert CAL.working_days_between(due, due) == 0
    assert CAL.working_days_between(due, date(2026, 2, 14)) == 1  # the make-up Saturday
    assert CAL.working_days_between(due, date(2026, 2, 23)) == 1  # the festival does not count
    assert CAL.working_days_between(due, date(2026, 2, 26)) == 4
    assert CAL.working_days_between(date(2026, 2, 26), due) == -4


def test_working_days_between_is_the_inverse_of_adding() -> None:
    for start in sorted(days("2025-12-20", "2026-03-10")):
        for n in (1, 3, 5, 10, 15):
            assert CAL.working_days_between(start, CAL.add_working_days(start, n)) == n


def test_a_thing_done_on_the_weekend_after_its_due_friday_is_zero_working_days_late() -> None:
    assert CAL.working_days_between(date(2026, 3, 6), date(2026, 3, 8)) == 0
    assert CAL.working_days_between(date(2026, 3, 6), date(2026, 3, 9)) == 1


# --- deadline: the clocks ---------------------------------------------------------------------


def test_the_triage_clock_is_noon_of_the_next_working_day() -> None:
    due = CAL.deadline(at("2026-02-12 15:00"), 1, due_time=NOON)
    assert due == Deadline(due=at("2026-02-13 12:00"), provisional=False)


def test_the_triage_clock_lands_on_a_make_up_saturday() -> None:
    due = CAL.deadline(at("2026-02-13 16:30"), 1, due_time=NOON)
    assert due.due == at("2026-02-14 12:00")


def test_the_triage_clock_skips_the_spring_festival_after_a_make_up_day() -> None:
    assert CAL.deadline(at("2026-02-14 09:00"), 1, due_time=NOON).due == at("2026-02-24 12:00")


def test_a_deadline_is_the_end_of_the_due_day_by_default() -> None:
    due = CAL.deadline(at("2026-02-12 10:00"), 5)
    assert due.due == datetime.combine(date(2026, 2, 26), END_OF_DAY, tzinfo=SHANGHAI)
    assert due.due.time() == time(23, 59, 59, 999999)
    assert not due.provisional


def test_a_receipt_after_the_cut_off_counts_as_received_the_next_working_day() -> None:
    before = CAL.deadline(at("2026-02-12 16:59"), 1, cutoff=FIVE_PM)
    after = CAL.deadline(at("2026-02-12 17:00"), 1, cutoff=FIVE_PM)
    assert before.due.date() == date(2026, 2, 13)
    assert after.due.date() == date(2026, 2, 14)  # received Friday; day 1 the make-up Saturday


def test_with_a_cut_off_a_receipt_on_a_day_off_counts_from_the_next_working_day() -> None:
    # Received Sunday 2026-03-08 at 10:00: counts as received Monday, day 1 is Tuesday; the
    # same as Friday evening after the cut-off.
    sunday = CAL.deadline(at("2026-03-08 10:00"), 1, cutoff=FIVE_PM)
    friday_evening = CAL.deadline(at("2026-03-06 18:00"), 1, cutoff=FIVE_PM)
    assert sunday.due.date() == friday_evening.due.date() == date(2026, 3, 10)


def test_without_a_cut_off_a_receipt_on_a_day_off_counts_from_the_next_working_day() -> None:
    assert CAL.deadline(at("2026-03-08 10:00"), 1).due.date() == date(2026, 3, 9)
    assert CAL.deadline(at("2026-02-21 10:00"), 1).due.date() == date(2026, 2, 24)


def test_the_cut_off_with_count_start_makes_the_next_working_day_day_one() -> None:
    due = CAL.deadline(at("2026-02-12 18:00"), 1, cutoff=FIVE_PM, count_start=True)
    assert due.due.date() == date(2026, 2, 13)


def test_a_deadline_in_a_year_without_arrangement_is_provisional() -> None:
    due = CAL.deadline(at("2026-12-30 10:00"), 3)
    assert due.due.date() == date(2027, 1, 5)  # 12-31, (01-01 statutory), 01-04, 01-05
    assert due.provisional


def test_a_deadline_takes_the_receipt_time_zone() -> None:
    utc = datetime(2026, 2, 12, 20, 0, tzinfo=UTC)  # 2026-02-13 04:00 in Shanghai
    local = CAL.deadline(utc.astimezone(SHANGHAI), 1)
    assert local.due.date() == date(2026, 2, 14)
    assert local.due.tzinfo == SHANGHAI


def test_a_naive_receipt_time_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        CAL.deadline(datetime(2026, 2, 12, 10, 0), 1)  # noqa: DTZ001
