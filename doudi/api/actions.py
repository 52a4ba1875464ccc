"""Create and revoke API tokens; an integration gets its own account, scoped to one centre."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from doudi.accounts.actions import user_create
from doudi.accounts.models import User
from doudi.accounts.roles import Role
from doudi.api.access import token_digest
from doudi.api.models import ApiToken, Scope
from doudi.cases.workflow import DomainError
from doudi.directory.models import Centre

PREFIX = "ddt"


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # shown once, never stored


def token_create(
    *,
    actor: User | None,
    user: User,
    name: str,
    integration: bool = False,
    scopes: Sequence[str] = tuple(Scope.values),
) -> NewToken:
    unknown = sorted(set(scopes) - set(Scope.values))
    if unknown:
        raise DomainError(_("未知的权限范围：%(s)s") % {"s": "、".join(unknown)})
    if not name.strip():
        raise DomainError(_("请填写令牌名称。"))
    prefix = secrets.token_hex(4)
    secret = f"{PREFIX}_{prefix}_{secrets.token_urlsafe(24)}"
    token = ApiToken.objects.create(
        name=name.strip()[:100],
        user=user,
        integration=integration,
        prefix=prefix,
        digest=token_digest(secret),
        scopes=sorted(set(scopes)),
        created_at=timezone.now(),
        created_by=actor,
    )
    return NewToken(token, secret)


def integration_token_create(*, actor: User | None, name: str, centre: Centre) -> NewToken:
    """A token for another system: its own account (``api-<name>``, a clerk of the centre), so
    that what it registers is attributed to it and it sees only that centre's cases."""
    username = f"api-{name.strip()}"[:150]
    with transaction.atomic():
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(
                actor=actor,
                username=username,
                password=None,
                role=Role.CLERK,
                scope_centre=centre,
                display_name=name.strip(),
            )
        elif not _is_integration_account(user):
            raise DomainError(_("用户名“%(u)s”已被其他账号使用。") % {"u": username})
        elif user.scope_centre_id != centre.pk:
            raise DomainError(_("对接系统“%(n)s”已属于另一个中心。") % {"n": name})
        return token_create(
            actor=actor,
            user=user,
            name=name,
            integration=True,
            # A 12345 platform or the province's 好差评 system: it registers cases, reads them
            # back, and passes on the ratings people gave through it.
            scopes=(Scope.CASES_REGISTER, Scope.CASES_READ, Scope.RATINGS_WRITE),
        )


def _is_integration_account(user: User) -> bool:
    """An account made for a system: a clerk with no password that already holds an
    integration token (never a person's account that happens to have the name)."""
    return (
        user.role == Role.CLERK
        and not user.has_usable_password()
        and ApiToken.objects.filter(user=user, integration=True).exists()
    )


def token_revoke(*, actor: User | None, prefix: str) -> ApiToken:
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().filter(prefix=prefix).first()
        if token is None:
            raise DomainError(_("找不到令牌 %(p)s。") % {"p": prefix})
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
        return token
