"""Masking personal data for display: keep a few characters to recognise a value, star the rest.

Pure functions, no Django. Every function maps "" to "". Unless noted otherwise, each hidden
character becomes one "*", and a value too short to keep its ends is starred completely, so a
mask never shows a whole value.
"""

from __future__ import annotations

import re

from doudi.lib.idcard import normalise_id_number
from doudi.lib.phone import normalise_phone
from doudi.lib.uscc import normalise_credit_code

_MOBILE = re.compile(r"^1\d{10}$")
# Same area-code rule as doudi.lib.phone: 010 and 02x are 3 digits, other codes 4 digits.
_LANDLINE = re.compile(r"^(0(?:10|2\d|[3-9]\d{2}))-?(\d{7,8})(-\d{1,6})?$")
# Longer than this, a name is taken to be an organisation's rather than a person's.
_LONGEST_PERSONAL_NAME = 6


def _keep_ends(text: str, head: int, tail: int) -> str:
    """Keep ``head`` leading and ``tail`` trailing characters, one "*" for each one between."""
    if len(text) <= head + tail:
        return "*" * len(text)
    return text[:head] + "*" * (len(text) - head - tail) + text[len(text) - tail :]


def mask_phone(value: str) -> str:
    """'13812345678' → '138****5678'; '010-64012345' → '010-****2345'.

    Mobiles keep the first 3 and last 4 digits. Landlines keep the area code, the last 4 digits
    of the local number and any extension. Anything else keeps its first and last character.
    """
    text = value.strip()
    if not text:
        return ""
    number = normalise_phone(text)
    if _MOBILE.match(number.replace("-", "")):
        return _keep_ends(number.replace("-", ""), 3, 4)
    landline = _LANDLINE.match(number)
    if landline:
        area, local, extension = landline.groups()
        return f"{area}-{_keep_ends(local, 0, 4)}{extension or ''}"
    return _keep_ends(text, 1, 1)


def mask_id_number(value: str) -> str:
    """'11010519491231002X' → '110***********002X': 18 characters keep the first 3 and last 4.

    Other lengths (such as old 15-digit numbers) keep only the first and last character.
    """
    number = normalise_id_number(value)
    if len(number) == 18:
        return _keep_ends(number, 3, 4)
    return _keep_ends(number, 1, 1)


def mask_name(value: str) -> str:
    """A person's name keeps its first character: '张三' → '张*', '欧阳娜娜' → '欧***'.

    A name longer than 6 characters is taken to be an organisation's and keeps its first and
    last 2 characters around a fixed "**": '北京某某科技有限公司' → '北京**公司'. A
    one-character name is shown unchanged, as only its first character would be kept anyway.
    """
    text = value.strip()
    if len(text) > _LONGEST_PERSONAL_NAME:
        return f"{text[:2]}**{text[-2:]}"
    return text[:1] + "*" * (len(text) - 1)


def mask_credit_code(value: str) -> str:
    """'91350100M000100Y43' → '91************0Y43': the first 2 and last 4 characters."""
    return _keep_ends(normalise_credit_code(value), 2, 4)


def mask_email(value: str) -> str:
    """'zhang@example.com' → 'z***@example.com'.

    The local part keeps its first character followed by a fixed "***", which hides its length;
    the domain is kept. A value without "@" keeps only its first and last character.
    """
    text = value.strip()
    local, at, domain = text.rpartition("@")
    if not at:
        return _keep_ends(text, 1, 1)
    return f"{local[:1]}***@{domain}"


# Personal data written into free text: mobile numbers, 18-character ID numbers and e-mail
# addresses, not inside a longer run of digits (an order number stays as it was).
_MOBILE_IN_TEXT = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_EMAIL_IN_TEXT = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def scrub_text(text: str, names: tuple[str, ...] = ()) -> str:
    """Free text with its personal data masked: the given names, phones, IDs and e-mails.

    '赵铁柱，电话13812345678' with names=('赵铁柱',) → '赵**，电话138****5678'. Names shorter than
    two characters are left alone: one character would match too much ordinary text.
    """
    for name in sorted({n.strip() for n in names if len(n.strip()) >= 2}, key=len, reverse=True):
        text = text.replace(name, mask_name(name))
    text = _ID_IN_TEXT.sub(lambda found: mask_id_number(found.group()), text)
    text = _MOBILE_IN_TEXT.sub(lambda found: mask_phone(found.group()), text)
    return _EMAIL_IN_TEXT.sub(lambda found: mask_email(found.group()), text)
