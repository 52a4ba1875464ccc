"""Unified social credit codes, 统一社会信用代码 (GB 32100-2015).

18 characters from a 31-character alphabet (digits and upper-case letters without I, O, Z, S and
V); the last one is a check character over the first 17. Pure functions, no Django.

Only the GB 32100 check character is verified. The embedded 9-character organisation code
(positions 9–17) is not checked against GB 11714: not every issued code is guaranteed to carry a
valid one, and rejecting a real registration would be worse than missing a typo there.
"""

from __future__ import annotations

import re
import string

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_VALUES = {char: value for value, char in enumerate(CHARSET)}
_PATTERN = re.compile(f"^[{CHARSET}]{{18}}$")
_FULL_WIDTH = str.maketrans(
    "０１２３４５６７８９"
    "ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ"
    "ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ",
    string.digits + string.ascii_uppercase + string.ascii_lowercase,
)

MESSAGE_FORMAT = "统一社会信用代码应为18位数字或大写字母（不含I、O、Z、S、V）"
MESSAGE_CHECK_CHAR = "统一社会信用代码校验位不正确，请核对"


def normalise_credit_code(raw: str) -> str:
    """Drop all whitespace, turn full-width digits and letters into ASCII and upper-case them."""
    return re.sub(r"\s", "", raw).translate(_FULL_WIDTH).upper()


def credit_code_check_char(body: str) -> str:
    """The check character for the first 17 characters of a credit code."""
    if len(body) != len(_WEIGHTS) or any(char not in _VALUES for char in body):
        raise ValueError("body must be exactly 17 characters from the credit code alphabet")
    total = sum(_VALUES[char] * weight for char, weight in zip(body, _WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def credit_code_error(raw: str) -> str | None:
    """None when ``raw`` is a valid credit code, else a short reason in Chinese.

    The code is normalised first, so spaces, full-width and lower-case characters pass.
    """
    code = normalise_credit_code(raw)
    if not _PATTERN.match(code):
        return MESSAGE_FORMAT
    if credit_code_check_char(code[:17]) != code[17]:
        return MESSAGE_CHECK_CHAR
    return None
