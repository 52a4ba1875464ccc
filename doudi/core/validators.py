"""Django validators wrapping the pure checks in ``doudi.lib``."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from doudi.lib.idcard import id_number_error
from doudi.lib.phone import phone_kind
from doudi.lib.uscc import credit_code_error


def validate_phone(value: str) -> None:
    if value and phone_kind(value) is None:
        raise ValidationError(
            _("“%(value)s”不是有效的电话号码：手机号为11位（1开头），固话为区号加7–8位号码。"),
            code="invalid_phone",
            params={"value": value},
        )


def validate_id_number(value: str) -> None:
    """An 18-digit resident identity number (GB 11643); empty passes for optional fields."""
    error = id_number_error(value) if value else None
    if error is not None:
        raise ValidationError(error, code="invalid_id_number", params={"value": value})


def validate_credit_code(value: str) -> None:
    """A unified social credit code (GB 32100); empty passes for optional fields."""
    error = credit_code_error(value) if value else None
    if error is not None:
        raise ValidationError(error, code="invalid_credit_code", params={"value": value})
