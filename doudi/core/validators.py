"""Django validators wrapping the pure checks in ``doudi.lib``."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from doudi.lib.phone import phone_kind


def validate_phone(value: str) -> None:
    if value and phone_kind(value) is None:
        raise ValidationError(
            _("“%(value)s”不是有效的电话号码：手机号为11位（1开头），固话为区号加7–8位号码。"),
            code="invalid_phone",
            params={"value": value},
        )
