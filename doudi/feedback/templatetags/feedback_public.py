"""``{% reporter_rating_link case %}``: on the reporter's tracking page (the cases app's), the
way to rate the answer while its return visit waits, besides the link the SMS carried."""

from __future__ import annotations

from typing import Any

from django import template

from doudi.cases.models import Case
from doudi.feedback import selectors, tokens

register = template.Library()


@register.inclusion_tag("feedback/_reporter_rating_link.html")
def reporter_rating_link(case: Case) -> dict[str, Any]:
    visit = selectors.open_visit(case)
    if visit is None:
        return {"url": ""}
    return {"url": tokens.case_rating_path(case.pk, visit.round)}
