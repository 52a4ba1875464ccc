"""What every endpoint module shares: the error it raises, the token's user for a scope, a
page of rows."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.http import HttpRequest

from doudi.api.access import token_allows

if TYPE_CHECKING:
    from doudi.accounts.models import User
    from doudi.api.models import ApiToken

PAGE_MAX = 100


class ApiError(Exception):
    """Answered in the one error shape (``api._api_error``) with this status and stable code."""

    def __init__(
        self, status: int, code: str, message: str, fields: dict[str, list[str]] | None = None
    ):
        self.status, self.code, self.message, self.fields = status, code, message, fields or {}


def token_user(request: HttpRequest, scope: str) -> User:
    """The account the request's token acts for, if the token carries ``scope``."""
    token: ApiToken = request.auth  # type: ignore[attr-defined]
    if not token_allows(token, scope):
        raise ApiError(403, "forbidden_scope", f"令牌没有“{scope}”权限。")
    return token.user


def page_of(rows: QuerySet[Any], limit: int) -> tuple[list[Any], bool]:
    """The first ``limit`` rows, and whether more follow (one row more is read to know)."""
    page = list(rows[: limit + 1])
    return page[:limit], len(page) > limit


def newest_first(
    rows: QuerySet[Any], cursor: int | None, limit: int
) -> tuple[list[Any], str | None]:
    """A page of rows by id, newest first, after the cursor (the last id of the page before);
    the page and the next page's cursor, None when no more follow."""
    if cursor is not None:
        rows = rows.filter(pk__lt=cursor)
    page, more = page_of(rows.order_by("-pk"), limit)
    return page, str(page[-1].pk) if more else None
