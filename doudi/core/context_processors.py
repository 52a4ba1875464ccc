from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from doudi.accounts.access import active_user
from doudi.core.navigation import NAVIGATION


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = active_user(request.user)
    if user is None:
        return {"nav_items": ()}
    items = []
    for item in NAVIGATION:
        if item.capability is not None and not user.can(item.capability):
            continue
        url = reverse(item.url_name)
        # The home page is active on "/" alone; a section is active on every page below it.
        active = request.path == url if url == "/" else request.path.startswith(url)
        items.append({"label": item.label, "url": url, "icon": item.icon, "active": active})
    return {"nav_items": items}
