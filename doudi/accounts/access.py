"""Scope: which part of the organisation a user may see.

Every access function in every app builds on these: a user sees the centre subtree or the
department subtree they are scoped to; an admin sees everything; an anonymous or inactive user
sees nothing. The functions return ``Q`` objects so that lists filter in the database.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q

from doudi.accounts.roles import Capability, Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from doudi.accounts.models import User

    AnyUser = User | AnonymousUser

NOTHING = Q(pk__in=[])


def active_user(user: AnyUser) -> User | None:
    """The user if signed in and active, else None: the first check of every access function."""
    if not user.is_authenticated:
        return None
    if not user.is_active:
        return None
    return user


def may(user: AnyUser, capability: Capability) -> bool:
    member = active_user(user)
    return member is not None and member.can(capability)


def is_global(user: AnyUser) -> bool:
    member = active_user(user)
    return member is not None and member.role == Role.ADMIN


def _subtree_q(user: AnyUser, anchor: str, prefix: str) -> Q:
    member = active_user(user)
    if member is None:
        return NOTHING
    if is_global(member):
        return Q()
    node = getattr(member, anchor)
    if node is None:
        return NOTHING
    return Q(**{f"{prefix}path__startswith": node.path})


def centre_scope_q(user: AnyUser, prefix: str = "") -> Q:
    """Rows whose centre (reached through ``prefix``) lies in the user's centre subtree."""
    return _subtree_q(user, "scope_centre", prefix)


def department_scope_q(user: AnyUser, prefix: str = "") -> Q:
    """Rows whose department (reached through ``prefix``) lies in the user's department subtree."""
    return _subtree_q(user, "scope_department", prefix)


def is_centre_scoped(user: AnyUser) -> bool:
    member = active_user(user)
    return member is not None and member.scope_centre_id is not None
