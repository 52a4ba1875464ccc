"""Reads of findings and of a staff member's record, through the reader's scope."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet

from doudi.accountability.access import finding_visibility
from doudi.accountability.models import Finding, FindingEvent
from doudi.accountability.workflow import COUNTING_STATES, FindingState
from doudi.cases.access import case_visibility
from doudi.directory.models import Staff, Window
from doudi.feedback.access import rating_visibility
from doudi.feedback.models import Rating
from doudi.feedback.workflow import BAD_LEVELS, RatingState

if TYPE_CHECKING:
    from doudi.accounts.access import AnyUser
    from doudi.cases.models import Case


@dataclass(frozen=True)
class Candidates:
    staff: list[Staff]
    windows: list[Window]


def finding_candidates(case: Case) -> Candidates:
    """Who a finding on ``case`` may name: the staff and windows of the case's centre subtree,
    and anyone recorded on the case."""
    in_centre = Q(centre__path__startswith=case.centre.path)
    windows = list(Window.objects.filter(in_centre).select_related("centre").order_by("code"))
    staff = list(
        Staff.objects.filter(Q(window__centre__path__startswith=case.centre.path) | Q(cases=case))
        .distinct()
        .select_related("window")
        .order_by("employee_no")
    )
    return Candidates(staff=staff, windows=windows)


def finding_list(user: AnyUser, *, state: str = "") -> QuerySet[Finding]:
    findings = Finding.objects.filter(finding_visibility(user))
    if state:
        findings = findings.filter(state=state)
    return findings.select_related("case", "staff", "window", "recorded_by")


def case_findings(user: AnyUser, case: Case) -> list[Finding]:
    return list(finding_list(user).filter(case=case))


def finding_events(finding: Finding) -> list[FindingEvent]:
    return list(finding.events.select_related("actor"))


def staff_record(user: AnyUser, staff: Staff) -> dict[str, Any]:
    """A staff member's record: findings (counting, pending, dismissed), ratings and cases."""
    findings = list(finding_list(user).filter(staff=staff))
    ratings = Rating.objects.filter(rating_visibility(user), staff=staff).exclude(
        state=RatingState.EXCLUDED
    )
    summary = ratings.aggregate(total=Count("id"), bad=Count("id", filter=Q(level__in=BAD_LEVELS)))
    return {
        "findings": findings,
        "counting": sum(1 for f in findings if f.state in COUNTING_STATES),
        "pending": sum(1 for f in findings if f.state == FindingState.APPEALED),
        "ratings": list(ratings.select_related("window")[:20]),
        "rating_total": summary["total"],
        "rating_bad": summary["bad"],
        "cases": list(
            staff.cases.filter(case_visibility(user))
            .select_related("centre")
            .order_by("-registered_at")[:20]
        ),
    }
