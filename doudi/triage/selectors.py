"""Reads for triage: the day's queue, the taxonomy, the tier a centre uses, packages."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from doudi.accounts.access import centre_scope_q
from doudi.cases.models import Case, Channel
from doudi.cases.selectors import visible_cases
from doudi.cases.workflow import State
from doudi.directory.models import Centre
from doudi.triage.models import (
    DEFAULT_TIER_DAYS,
    Cause,
    DailySummary,
    RoutingSuggestion,
    SolutionPackage,
    TierPolicy,
    Triage,
)

if TYPE_CHECKING:
    from doudi.accounts.access import AnyUser


def tier_days(centre: Centre, tier: str) -> int:
    """The centre's working days for a tier: its own row, else the nearest ancestor's, else the
    default."""
    ancestors = [int(pk) for pk in centre.path.strip("/").split("/") if pk]
    rows = {
        row.centre_id: row.working_days
        for row in TierPolicy.objects.filter(centre_id__in=ancestors, tier=tier)
    }
    for centre_id in reversed(ancestors):
        if centre_id in rows:
            return rows[centre_id]
    return DEFAULT_TIER_DAYS[tier]


def causes() -> list[Cause]:
    """Top-level causes with their active children, in order."""
    children = Prefetch("children", queryset=Cause.objects.filter(is_active=True))
    return list(Cause.objects.filter(parent=None, is_active=True).prefetch_related(children))


def packages() -> QuerySet[SolutionPackage]:
    return SolutionPackage.objects.filter(is_active=True).select_related("cause")


def triage_queue(user: AnyUser, *, until: datetime | None = None) -> QuerySet[Case]:
    """Cases waiting for triage, oldest first; with ``until``, those registered before it (the
    day's queue at the cut-off)."""
    cases = visible_cases(user).filter(state=State.TRIAGE)
    if until is not None:
        cases = cases.filter(registered_at__lt=until)
    triage = Prefetch("triage", queryset=Triage.objects.select_related("cause"))
    return cases.prefetch_related(triage, "windows", "routing_suggestions").order_by(
        "registered_at", "id"
    )


def cases_without_suggestions(limit: int = 500) -> list[int]:
    """Cases waiting for triage that hold no routing suggestion, oldest first."""
    return list(
        Case.objects.filter(state=State.TRIAGE, triage__isnull=True)
        .exclude(channel=Channel.BAD_REVIEW)
        .filter(~Exists(RoutingSuggestion.objects.filter(case=OuterRef("pk"))))
        .order_by("registered_at")
        .values_list("pk", flat=True)[:limit]
    )


def ready_to_issue(user: AnyUser) -> QuerySet[Case]:
    """Triaged cases whose work orders have not gone out yet."""
    return (
        visible_cases(user)
        .filter(state=State.TRIAGE, triage__isnull=False, triage__issued_at__isnull=True)
        .order_by("registered_at", "id")
    )


def visible_cases_in(user: AnyUser, state: str) -> QuerySet[Case]:
    return visible_cases(user).filter(state=state).order_by("registered_at", "id")


def daily_summaries(user: AnyUser) -> QuerySet[DailySummary]:
    return DailySummary.objects.filter(centre_scope_q(user, "centre__")).select_related("centre")
