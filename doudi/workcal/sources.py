"""Where calendar data comes from besides an admin's file: two maintained libraries.

* chinese-calendar: the State Council's arrangements (holidays and make-up days) for the years
  it knows (2004-2026 in 1.11); the seed.
* holidays (its ``China`` class): the statutory holidays of any year, lunar festivals included,
  for years without an arrangement. It also gives the 补假 the law grants when a statutory
  holiday falls on a weekend (放假办法 art. 6: "应当在工作日补假"), placed on the next working
  days: the arrangement always contains them, though the State Council may move them. Days it
  lists as moved by an arrangement ("休息日（由 … 调休）") are dropped: they come with make-up
  days, which a year without an arrangement does not have.

No Django here.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date

import chinese_calendar
import holidays

HOLIDAY, MAKEUP = "holiday", "makeup"

# chinese-calendar names its holidays in English.
_LIBRARY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}

# The statutory holidays (全国年节及纪念日放假办法), as holidays.China names them in zh_CN.
STATUTORY_NAMES = frozenset(
    {"元旦", "农历除夕", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"}
)
# holidays.China suffixes: 补假 (observed) and 推定 (estimated lunar dates).
_SUFFIXES = ("（补假，推定）", "（补假）", "（推定）")


@dataclass(frozen=True)
class SourceDay:
    day: date
    kind: str  # HOLIDAY or MAKEUP
    name: str


def _library_name(value: object) -> str:
    text = str(getattr(value, "value", value))
    return _LIBRARY_NAMES.get(text, text)


def library_years() -> list[int]:
    """The years chinese-calendar has an arrangement for."""
    return sorted({day.year for day in chinese_calendar.holidays})


def library_days(year: int) -> list[SourceDay]:
    """One year's arrangement from chinese-calendar: its days off and make-up days."""
    rows = [
        SourceDay(day, HOLIDAY, _library_name(name))
        for day, name in chinese_calendar.holidays.items()
        if day.year == year
    ]
    rows += [
        SourceDay(day, MAKEUP, _library_name(name))
        for day, name in chinese_calendar.workdays.items()
        if day.year == year
    ]
    return sorted(rows, key=lambda row: row.day)


def _statutory_name(raw: str) -> str | None:
    """ "春节（补假，推定）" → "春节（补假）"; None for a day that is not statutory."""
    for part in raw.split("; "):
        base = part
        for suffix in _SUFFIXES:
            base = base.removesuffix(suffix)
        if base in STATUTORY_NAMES:
            return f"{base}（补假）" if "补假" in part else base
    return None


@functools.lru_cache(maxsize=64)
def _statutory(year: int) -> tuple[SourceDay, ...]:
    china = holidays.China(years=year, language="zh_CN")
    days = []
    for day, raw in sorted(china.items()):
        name = _statutory_name(str(raw))
        if name is not None:
            days.append(SourceDay(day, HOLIDAY, name))
    return tuple(days)


def statutory_days(year: int) -> list[SourceDay]:
    """The statutory holidays of ``year`` with their 补假, and no make-up days (see above)."""
    return list(_statutory(year))


def statutory_holidays(year: int) -> frozenset[date]:
    return frozenset(row.day for row in _statutory(year))


def chinese_calendar_version() -> str:
    return str(getattr(chinese_calendar, "__version__", ""))
