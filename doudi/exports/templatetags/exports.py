"""``{% export_button kind %}``: the export form of a list page, offering the full personal
data only where the list holds some and the reader's role may see it."""

from __future__ import annotations

from typing import Any

from django import template

from doudi.accounts.access import may
from doudi.accounts.roles import Capability
from doudi.exports.sources import SOURCES

register = template.Library()


@register.inclusion_tag("exports/_button.html", takes_context=True)
def export_button(context: Any, kind: str) -> dict[str, Any]:
    request = context["request"]
    can_unmask = SOURCES[kind].personal and may(request.user, Capability.PERSONAL_DATA)
    return {"kind": kind, "can_unmask_export": can_unmask, "request": request}
