"""Mainland China 18-digit resident identity numbers (GB 11643-1999).

Layout: 6-digit address code, 8-digit birth date (YYYYMMDD), 3-digit sequence number and one
check character (0–9 or X). Pure functions, no Django: used by form validators and importers.
The old 15-digit numbers are not accepted.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

_PATTERN = re.compile(r"^[0-9]{17}[0-9X]$")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_EARLIEST_BIRTH = date(1900, 1, 1)
# Mainland China has one time zone and no daylight saving time, so a fixed offset is exact.
_CHINA = timezone(timedelta(hours=8))
_FULL_WIDTH = str.maketrans("０１２３４５６７８９Ｘｘx", "0123456789XXX")

MESSAGE_FORMAT = "身份证号码应为18位，最后一位可以是数字或X"
MESSAGE_REGION = "身份证号码的地区码无效"
MESSAGE_BIRTH_DATE = "身份证号码中的出生日期无效"
MESSAGE_CHECK_DIGIT = "身份证号码校验位不正确，请核对"


def normalise_id_number(raw: str) -> str:
    """Drop all whitespace, turn full-width digits and Ｘ into ASCII, and upper-case a final x."""
    return re.sub(r"\s", "", raw).translate(_FULL_WIDTH)


def id_check_char(body: str) -> str:
    """The check character for the first 17 digits of an identity number."""
    if len(body) != len(_WEIGHTS) or not body.isascii() or not body.isdigit():
        raise ValueError("body must be exactly 17 ASCII digits")
    total = sum(int(digit) * weight for digit, weight in zip(body, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def _birth_date(number: str) -> date | None:
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def id_number_error(raw: str, today: date | None = None) -> str | None:
    """None when ``raw`` is a valid identity number, else a short reason in Chinese.

    The number is normalised first, so spaces, full-width digits and a lowercase x pass.
    ``today`` (default: the current date in China) bounds the birth date from above.
    """
    number = normalise_id_number(raw)
    if not _PATTERN.match(number):
        return MESSAGE_FORMAT
    if number[0] == "0":
        return MESSAGE_REGION
    born = _birth_date(number)
    if today is None:
        today = datetime.now(_CHINA).date()
    if born is None or born < _EARLIEST_BIRTH or born > today:
        return MESSAGE_BIRTH_DATE
    if id_check_char(number[:17]) != number[17]:
        return MESSAGE_CHECK_DIGIT
    return None
