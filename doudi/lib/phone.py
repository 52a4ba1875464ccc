"""Mainland China phone numbers: mobile (11 digits, 1[3-9]…) and landline (area code + 7–8 digits).

Pure functions, no Django: used by form validators, importers and later by masking.
"""

from __future__ import annotations

import re

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
# Area codes are 3 digits (010, 020–029) or 4 digits (0xxx); local numbers 7 or 8 digits;
# an optional extension after a hyphen.
_LANDLINE = re.compile(r"^(0(?:10|2\d|[3-9]\d{2}))-?([2-9]\d{6,7})(?:-(\d{1,6}))?$")


def normalise_phone(raw: str) -> str:
    """Strip spaces, a +86/0086 prefix and full-width digits; keep hyphens of landlines."""
    text = raw.strip().translate(str.maketrans("０１２３４５６７８９－", "0123456789-"))
    text = re.sub(r"[\s()（）]", "", text)
    for prefix in ("+86", "0086"):
        if text.startswith(prefix):
            text = text[len(prefix) :].lstrip("-")
    return text


def phone_kind(raw: str) -> str | None:
    """'mobile', 'landline', or None when the number is not a valid mainland number."""
    text = normalise_phone(raw)
    if _MOBILE.match(text.replace("-", "")):
        return "mobile"
    if _LANDLINE.match(text):
        return "landline"
    return None
