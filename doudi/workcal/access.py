"""Who may change the working-day calendar: admins only (everyone reads it through deadlines)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from doudi.accounts.access import is_global

if TYPE_CHECKING:
    from doudi.accounts.access import AnyUser


def may_manage_calendar(user: AnyUser) -> bool:
    return is_global(user)
