"""A token or an account changed in this process drops the tokens it keeps (``token_for``)."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from doudi.api.access import live_tokens
from doudi.api.models import ApiToken
from doudi.core.caches import clear_when_changed

clear_when_changed(live_tokens.clear, ApiToken, get_user_model(), uid="api-tokens")
