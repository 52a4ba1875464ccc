"""What can be exported: each kind rebuilds, for the user and the list's own parameters, the
queryset the list page shows, so that an export is exactly the list."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from doudi.analytics.forms import FilterForm
from doudi.analytics.selectors import SPEC_BY_KEY, drill_cases
from doudi.cases.models import Case
from doudi.cases.selectors import case_list
from doudi.directory.selectors import visible_centres, visible_departments

if TYPE_CHECKING:
    from doudi.accounts.models import User


def _case_list(user: User, params: dict[str, str]) -> QuerySet[Case]:
    return case_list(
        user,
        state=params.get("state", ""),
        channel=params.get("channel", ""),
        query=params.get("q", "")[:50],
    )


def _drill(user: User, params: dict[str, str]) -> QuerySet[Case]:
    form = FilterForm(
        params,
        centres=visible_centres(user),
        departments=visible_departments(user),
    )
    key, side = params.get("metric", ""), params.get("side", "num")
    spec = SPEC_BY_KEY.get(key)
    if not form.is_valid() or spec is None or not spec.drillable:
        return Case.objects.none()
    return drill_cases(user, form.filters(), key, side)


SOURCES: dict[str, Callable[[User, dict[str, str]], QuerySet[Case]]] = {
    "cases": _case_list,
    "drill": _drill,
}
LABELS: dict[str, Any] = {"cases": "案件", "drill": "统计明细"}
