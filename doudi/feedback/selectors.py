"""Reads of ratings and return visits, through the reader's scope."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery

from doudi.deadlines.models import RUNNING_STATES, Clock, ClockKind, ClockState
from doudi.directory.models import Centre, Staff, Window
from doudi.feedback.access import rating_visibility, visit_visibility
from doudi.feedback.models import Rating, RatingEvent, ReturnVisit, VisitAttempt
from doudi.feedback.workflow import BAD_LEVELS, RatingState, VisitOutcome
from doudi.triage.models import Tier
from doudi.triage.selectors import tier_days

if TYPE_CHECKING:
    from doudi.accounts.access import AnyUser
    from doudi.cases.models import Case


def _running_visit_clock(field: str) -> Subquery:
    clocks = Clock.objects.filter(
        case=OuterRef("case"), kind=ClockKind.VISIT, state__in=RUNNING_STATES
    ).order_by("-started_at")
    return Subquery(clocks.values(field)[:1])


def visit_queue(user: AnyUser) -> QuerySet[ReturnVisit]:
    """Open return visits, the earliest due first, with their clock's due time and state."""
    return (
        ReturnVisit.objects.filter(visit_visibility(user), outcome=VisitOutcome.OPEN)
        .select_related("case__centre")
        .prefetch_related("attempts")
        .annotate(due_at=_running_visit_clock("due_at"), clock_state=_running_visit_clock("state"))
        .order_by("due_at", "id")
    )


def recent_visits(user: AnyUser, *, limit: int = 20) -> list[ReturnVisit]:
    return list(
        ReturnVisit.objects.filter(visit_visibility(user))
        .exclude(outcome=VisitOutcome.OPEN)
        .select_related("case", "concluded_by")
        .order_by("-concluded_at")[:limit]
    )


def visit_attempts(visit: ReturnVisit) -> list[VisitAttempt]:
    return list(visit.attempts.select_related("actor"))


def case_visits(case: Case) -> list[ReturnVisit]:
    attempts = Prefetch("attempts", queryset=VisitAttempt.objects.select_related("actor"))
    return list(case.return_visits.prefetch_related(attempts).order_by("round"))


def rating_list(user: AnyUser, *, state: str = "", bad_only: bool = False) -> QuerySet[Rating]:
    ratings = Rating.objects.filter(rating_visibility(user))
    if state:
        ratings = ratings.filter(state=state)
    if bad_only:
        ratings = ratings.filter(level__in=BAD_LEVELS)
    return ratings.select_related("centre", "window__department", "staff", "rectification")


def rating_events(rating: Rating) -> list[RatingEvent]:
    return list(rating.events.select_related("actor"))


def window_staff(window: Window) -> list[Staff]:
    return list(Staff.objects.filter(window=window, is_active=True).order_by("employee_no"))


def window_for_rating(code: str) -> Window | None:
    return (
        Window.objects.filter(code=code, is_active=True)
        .select_related("centre", "department")
        .first()
    )


def open_visit(case: Case) -> ReturnVisit | None:
    """The case's return visit still waiting for the reporter's rating, if any."""
    return (
        ReturnVisit.objects.filter(case=case, outcome=VisitOutcome.OPEN).order_by("-round").first()
    )


def case_ratings(case: Case) -> list[Rating]:
    return list(case.ratings.order_by("rated_at"))


def rectified_rating(case: Case) -> Rating | None:
    return Rating.objects.filter(rectification=case).select_related("window", "staff").first()


def home_counts(user: AnyUser) -> dict[str, int]:
    """The home pages' cards: open and overdue return visits, 差评 to verify, appeals."""
    visits = ReturnVisit.objects.filter(visit_visibility(user), outcome=VisitOutcome.OPEN)
    overdue = Clock.objects.filter(
        kind=ClockKind.VISIT, state=ClockState.OVERDUE, case__in=visits.values("case")
    )
    counts = Rating.objects.filter(rating_visibility(user)).aggregate(
        to_verify=Count("id", filter=Q(state=RatingState.TO_VERIFY)),
        appealed=Count("id", filter=Q(state=RatingState.APPEALED)),
    )
    return {"visits_open": visits.count(), "visits_overdue": overdue.count(), **counts}


def rectification_days(centre: Centre) -> int:
    """Working days a centre gives to fix a 差评 (its rectification tier)."""
    return tier_days(centre, Tier.RECTIFICATION)
