from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from doudi.accounts.access import active_user
from doudi.core.navigation import NAVIGATION


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = active_user(request.user)
    if user is None:
        return {"nav_items": ()}
    items = [item for item in NAVIGATION if item.capability is None or user.can(item.capability)]
    return {"nav_items": items}
