"""Every change to a user goes through here, so the role, its scope and the admin flags agree."""

from __future__ import annotations

from django.db import transaction

from doudi.accounts.models import User
from doudi.accounts.roles import Role
from doudi.directory.models import Centre, Department, Staff


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    password: str | None,
    role: Role,
    display_name: str = "",
    scope_centre: Centre | None = None,
    scope_department: Department | None = None,
    staff: Staff | None = None,
) -> User:
    """Create a user; ``actor`` is None only for set-up commands run from the shell; no
    ``password``: the account cannot sign in with one (an integration's account)."""
    user = User(
        username=username,
        display_name=display_name,
        role=role,
        scope_centre=scope_centre,
        scope_department=scope_department,
        staff=staff,
        # Only the admin role may enter the Django admin pages.
        is_staff=role == Role.ADMIN,
        is_superuser=role == Role.ADMIN,
    )
    user.set_password(password)
    user.full_clean()
    user.save()
    return user
