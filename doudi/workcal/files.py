"""Reading a year's arrangement from an admin's CSV or JSON file (format: docs/calendar-import.md).

No database here: ``read_calendar_file`` turns the bytes into checked rows or line-numbered
errors, and ``actions.calendar_import`` stores the rows only when there is no error.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from doudi.workcal.sources import HOLIDAY, MAKEUP, SourceDay

FORMATS = ("csv", "json")
FIRST_YEAR, LAST_YEAR = 1950, 2100
NAME_MAX_LENGTH = 50

KINDS = {
    "holiday": HOLIDAY,
    "makeup": MAKEUP,
    "make-up": MAKEUP,
    "休": HOLIDAY,
    "放假": HOLIDAY,
    "班": MAKEUP,
    "上班": MAKEUP,
    "补班": MAKEUP,
    "调休上班": MAKEUP,
}
# Column names in a CSV header, English or Chinese.
COLUMNS = {
    "date": "date",
    "日期": "date",
    "kind": "kind",
    "类型": "kind",
    "name": "name",
    "名称": "name",
    "节日": "name",
}
_DATE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_WEEKDAYS = "一二三四五六日"
_JSON_SPACE = " \t\n\r"


@dataclass(frozen=True)
class RowError:
    line: int  # the line in the file; in a CSV the header is line 1
    message: str


@dataclass
class CalendarFile:
    year: int | None = None
    rows: int = 0
    days: list[SourceDay] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


@dataclass(frozen=True)
class _Entry:
    line: int
    date: str
    kind: str
    name: str


def _decode(content: bytes) -> str | None:
    # UTF-8 (with or without BOM) first; Chinese Excel saves CSV as GB18030/GBK.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def parse_date(text: str) -> date | None:
    """'2027-01-01', '2027/1/1' or '2027.1.1' → a date; None when it is not one."""
    match = _DATE.match(text.strip())
    if match is None:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def _cell(values: list[str], header: dict[str, int], column: str) -> str:
    index = header.get(column)
    return values[index] if index is not None and index < len(values) else ""


def _csv_entries(text: str, result: CalendarFile) -> list[_Entry]:
    reader = csv.reader(io.StringIO(text))
    header: dict[str, int] | None = None
    entries: list[_Entry] = []
    for cells in reader:
        line = reader.line_num
        values = [cell.strip() for cell in cells]
        if not any(values) or values[0].startswith("#"):
            continue  # blank lines and comments
        if header is None:
            header = {}
            for index, title in enumerate(values):
                column = COLUMNS.get(title.lower())
                if column is not None:
                    header.setdefault(column, index)
            missing = [name for name in ("date", "kind") if name not in header]
            if missing:
                result.errors.append(
                    RowError(
                        line,
                        _("第一行应为列名 date,kind,name（或 日期,类型,名称），缺少：%(cols)s")
                        % {"cols": ", ".join(missing)},
                    )
                )
                return []
            continue
        entries.append(
            _Entry(
                line,
                _cell(values, header, "date"),
                _cell(values, header, "kind"),
                _cell(values, header, "name"),
            )
        )
    return entries


def _skip_space(text: str, index: int) -> int:
    while index < len(text) and text[index] in _JSON_SPACE:
        index += 1
    return index


def _json_lines(text: str) -> tuple[int, list[int]]:
    """The line of the top-level "year" and of each item of "days", for error messages.

    Steps: walk the (already valid) top-level object key by key with the standard decoder's
    ``raw_decode``; step into "days" item by item, noting the line each item starts on.
    """
    decoder = json.JSONDecoder()
    year_line, item_lines = 1, list[int]()
    index = _skip_space(text, 0) + 1  # after "{"
    while True:
        index = _skip_space(text, index)
        if index >= len(text) or text[index] == "}":
            return year_line, item_lines
        key, index = decoder.raw_decode(text, index)
        index = _skip_space(text, _skip_space(text, index) + 1)  # past ":"
        if key == "year":
            year_line = text.count("\n", 0, index) + 1
        if key == "days" and text[index] == "[":
            item_lines = []
            index = _skip_space(text, index + 1)
            while text[index] != "]":
                item_lines.append(text.count("\n", 0, index) + 1)
                _, index = decoder.raw_decode(text, index)
                index = _skip_space(text, index)
                if text[index] == ",":
                    index = _skip_space(text, index + 1)
            index += 1
        else:
            _, index = decoder.raw_decode(text, index)
        index = _skip_space(text, index)
        if index < len(text) and text[index] == ",":
            index += 1


def _json_entries(text: str, result: CalendarFile) -> tuple[Any, list[_Entry]]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        result.errors.append(RowError(exc.lineno, _("JSON 格式错误：%(msg)s") % {"msg": exc.msg}))
        return None, []
    if not isinstance(document, dict):
        result.errors.append(RowError(1, _('JSON 顶层应为对象：{"year": …, "days": […]}')))
        return None, []
    year_line, item_lines = _json_lines(text)
    year = document.get("year")
    if not isinstance(year, int) or isinstance(year, bool):
        result.errors.append(RowError(year_line, _("缺少年份 year，或年份不是整数。")))
        year = None
    items = document.get("days")
    if not isinstance(items, list):
        result.errors.append(RowError(1, _("缺少 days 列表。")))
        return year, []
    entries = []
    for number, item in enumerate(items):
        line = item_lines[number] if number < len(item_lines) else 1
        if not isinstance(item, dict):
            result.errors.append(RowError(line, _('每一项应为对象：{"date": …, "kind": …}')))
            continue
        entries.append(
            _Entry(
                line,
                str(item.get("date") or ""),
                str(item.get("kind") or ""),
                str(item.get("name") or ""),
            )
        )
    return year, entries


def _file_year(entries: list[_Entry]) -> int | None:
    """A CSV names no year: the year most of its dates fall in (the earliest on a tie)."""
    years = Counter(day.year for entry in entries if (day := parse_date(entry.date)))
    if not years:
        return None
    return min(years, key=lambda year: (-years[year], year))


def read_calendar_file(content: bytes, file_format: str) -> CalendarFile:
    """Read and check one year's arrangement; nothing is stored here.

    Steps:
    1. Refuse an unknown format, an undecodable or empty file.
    2. Turn the file into entries (line, date, kind, name): CSV rows after the header, or the
       items of the JSON "days" list; the year is the JSON "year", or for a CSV the year most
       dates fall in.
    3. Check each entry: a real date, in the file's year, not seen on an earlier line; a known
       kind; a make-up day on a Saturday or Sunday (a holiday may fall on any day); a name of
       at most 50 characters.
    4. An arrangement without any day is refused.
    """
    result = CalendarFile()
    if file_format not in FORMATS:
        result.errors.append(RowError(1, _("不支持的文件格式，请上传 CSV 或 JSON 文件。")))
        return result
    text = _decode(content)
    if text is None:
        result.errors.append(RowError(1, _("无法识别文件编码，请另存为 UTF-8 或 GBK 编码。")))
        return result
    if not text.strip():
        result.errors.append(RowError(1, _("文件为空。")))
        return result
    if file_format == "csv":
        entries = _csv_entries(text, result)
        year: Any = _file_year(entries)
    else:
        year, entries = _json_entries(text, result)
    result.rows = len(entries)
    if year is not None and not FIRST_YEAR <= year <= LAST_YEAR:
        result.errors.append(RowError(1, _("年份 %(year)s 超出范围。") % {"year": year}))
        year = None
    result.year = year
    seen: dict[date, int] = {}
    for entry in entries:
        result.errors.extend(_check(entry, year, seen, result.days))
    if not entries and not result.errors:
        result.errors.append(RowError(1, _("文件中没有任何日期。")))
    result.errors.sort(key=lambda error: error.line)
    return result


def _check(
    entry: _Entry, year: int | None, seen: dict[date, int], days: list[SourceDay]
) -> list[RowError]:
    errors: list[str] = []
    day = parse_date(entry.date)
    kind = KINDS.get(entry.kind.strip().lower())
    if day is None:
        errors.append(_("无法识别的日期“%(value)s”，请写成 YYYY-MM-DD。") % {"value": entry.date})
    if kind is None:
        errors.append(
            _("未知的类型“%(value)s”，应为 holiday（休、放假）或 makeup（班、调休上班）。")
            % {"value": entry.kind}
        )
    if len(entry.name) > NAME_MAX_LENGTH:
        errors.append(_("名称超过 %(n)s 个字。") % {"n": NAME_MAX_LENGTH})
    if day is not None:
        if day in seen:
            errors.append(
                _("日期 %(day)s 重复（第 %(line)s 行已有）。")
                % {"day": day.isoformat(), "line": seen[day]}
            )
        else:
            seen[day] = entry.line
        if year is not None and day.year != year:
            errors.append(
                _("日期 %(day)s 不在 %(year)s 年内。") % {"day": day.isoformat(), "year": year}
            )
        if kind == MAKEUP and day.weekday() < 5:
            errors.append(
                _("调休上班日 %(day)s 是星期%(weekday)s，应为星期六或星期日。")
                % {"day": day.isoformat(), "weekday": _WEEKDAYS[day.weekday()]}
            )
    if not errors and day is not None and kind is not None:
        days.append(SourceDay(day, kind, entry.name))
    return [RowError(entry.line, message) for message in errors]
