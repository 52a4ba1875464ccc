from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from doudi.accounts.access import active_user, is_centre_scoped
from doudi.core.navigation import NAVIGATION


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The bar's entries for this user: links, and menus of the links that share a group."""
    user = active_user(request.user)
    if user is None:
        return {"nav_items": ()}
    entries: list[dict[str, Any]] = []
    menus: dict[str, dict[str, Any]] = {}
    for item in NAVIGATION:
        if item.capability is not None and not user.can(item.capability):
            continue
        if item.centre_scoped and not is_centre_scoped(user):
            continue
        url = reverse(item.url_name)
        # The home page is active on "/" alone; a section is active on every page below it.
        active = request.path == url if url == "/" else request.path.startswith(url)
        link = {"label": item.label, "url": url, "icon": item.icon, "active": active}
        if not item.group:
            entries.append(link)
            continue
        menu = menus.get(str(item.group))
        if menu is None:
            menu = menus[str(item.group)] = {"label": item.group, "links": [], "active": False}
            entries.append(menu)
        menu["links"].append(link)
        menu["active"] = menu["active"] or active
    # A menu of one link is that link.
    return {"nav_items": [e["links"][0] if len(e.get("links", ())) == 1 else e for e in entries]}
