from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from doudi.accounts.access import is_global
from doudi.accounts.models import User

if TYPE_CHECKING:
    from doudi.accounts.access import AnyUser


def visible_users(user: AnyUser) -> QuerySet[User]:
    """Only admins list users (scoped user management comes with a later issue)."""
    if is_global(user):
        return User.objects.all()
    return User.objects.none()
