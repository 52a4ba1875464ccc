"""Who a request is: the token in ``Authorization: Bearer …``, checked step by step."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta
from functools import partial
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone

from doudi.accounts.access import active_user
from doudi.api.models import ApiToken
from doudi.lib.ttlcache import TtlCache

if TYPE_CHECKING:
    from doudi.cases.models import Case

# last_used_at is written at most this often per token, not on every request.
TOUCH_EVERY = timedelta(minutes=5)


def token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def token_for(raw: str) -> ApiToken | None:
    """The live token a bearer string stands for, or None (unknown, wrong, revoked, or its
    account disabled).

    Kept per process for ``DOUDI_TOKEN_CACHE_SECONDS`` (``live_tokens``): the look-up, with
    the account and its scope, was the largest single read of an API request. A token revoked
    or an account changed in this process is dropped at once (``receivers``); in another
    process (``doudi token revoke``, the admin site on another server) within those seconds."""
    raw = raw.strip()
    parts = raw.split("_", 2)  # the secret part may itself hold "_"
    if len(parts) != 3 or parts[0] != "ddt":
        return None
    digest = token_digest(raw)
    return live_tokens.get(
        digest, partial(_live_token, parts[1], digest), settings.DOUDI_TOKEN_CACHE_SECONDS
    )


# Live tokens by the digest of the whole bearer string (never the secret itself).
live_tokens: TtlCache[str, ApiToken] = TtlCache()


def _live_token(prefix: str, digest: str) -> ApiToken | None:
    # The account's scope comes along: every endpoint filters by it.
    token = (
        ApiToken.objects.select_related("user__scope_centre", "user__scope_department")
        .filter(prefix=prefix)
        .first()
    )
    if token is None:
        return None
    if not hmac.compare_digest(token.digest, digest):
        return None
    if token.revoked_at is not None:
        return None
    if active_user(token.user) is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def token_reaches(token: ApiToken, case: Case) -> bool:
    """Whether a token may read a case its account can see: an integration's token reaches
    only the cases it registered (the API and Open311 alike)."""
    return not token.integration or case.registered_by_id == token.user_id


def token_allows(token: ApiToken, scope: str) -> bool:
    return scope in token.scopes
