"""Reads: a centre's recurring problems over a period (clusters of its cases, cached for a few
minutes), policy issues, their links and events, and the recurrences of a case."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.core.cache import cache
from django.db.models import Count, Max, Q, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone

from doudi.accounts.models import User
from doudi.cases.models import Case
from doudi.cases.workflow import State
from doudi.lib import clustering
from doudi.lib.clustering import Cluster, Document
from doudi.policy.access import policy_visibility
from doudi.policy.models import PolicyIssue, PolicyIssueCase, PolicyIssueEvent
from doudi.policy.workflow import IssueState, LinkKind

if TYPE_CHECKING:
    from doudi.accounts.access import AnyUser
    from doudi.directory.models import Centre

# Clustering a month of a big centre takes seconds (5 s for 30,000 cases, 0.4 s for 4,000:
# docs/benchmarks.md), so a result is kept, and shown while it is younger than FRESH even if
# cases came in since; older, it is recomputed if the cases changed (their count or latest id).
# tasks.warm_recurring_problems keeps the task force's default view fresh.
CACHE_SECONDS = 3600
FRESH = timedelta(minutes=10)
SHOWN = 30
DEFAULT_DAYS = 30
TITLES = 5
BACKGROUND = 1000  # other cases that weigh a promoted issue's bigrams


def local_range(start: date, end: date) -> tuple[datetime, datetime]:
    """The aware moments of an inclusive range of local days."""
    zone = timezone.get_current_timezone()
    first = datetime.combine(start, time.min, tzinfo=zone)
    return first, datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone)


def _period_cases(centre: Centre, start: date, end: date) -> QuerySet[Case]:
    first, after = local_range(start, end)
    # A merged case is a duplicate of another one: counted once, through the case it joined.
    return Case.objects.filter(
        centre__path__startswith=centre.path, registered_at__gte=first, registered_at__lt=after
    ).exclude(state=State.MERGED)


def documents(cases: QuerySet[Case]) -> list[Document]:
    """The cases as documents to cluster: the reporter is their phone or ID hash (an anonymous
    case counts as a reporter of its own), the item their service item or free-text matter.
    Only the head of the text that clustering compares is read, a chunk of rows at a time: a
    month of a busy centre is tens of thousands of cases."""
    head = clustering.BODY_CHARS
    rows = cases.values_list(
        "pk",
        "title",
        Substr("description", 1, head),
        Substr("request", 1, head),
        "phone_hash",
        "id_hash",
        "registered_at",
        "service_item_id",
        "matter_text",
    )
    return [
        Document(
            key=pk,
            title=title,
            body=f"{description}\n{request}",
            reporter=phone_hash or id_hash,
            at=at,
            item=f"i{item_id}" if item_id else (f"t{matter.strip()}" if matter.strip() else ""),
        )
        for pk, title, description, request, phone_hash, id_hash, at, item_id, matter in (
            rows.iterator(chunk_size=2000)
        )
    ]


@dataclass(frozen=True)
class Problems:
    clusters: list[Cluster]
    computed_at: datetime
    cases: int


def recurring_problems(
    centre: Centre, start: date, end: date, *, by: str, refresh: bool = False
) -> Problems:
    """The clusters of the centre subtree's cases registered from ``start`` to ``end``
    (inclusive), ranked ``by`` reporters, count or growth; from the cache when fresh enough."""
    cases = _period_cases(centre, start, end)
    version = cases.aggregate(n=Count("id"), last=Max("id"))
    key = f"policy:clusters:{centre.pk}:{start}:{end}:{by}"
    now = timezone.now()
    entry = None if refresh else cache.get(key)
    if entry is not None:
        kept_version, found = entry
        if kept_version == version or now - found.computed_at < FRESH:
            return found
    first, after = local_range(start, end)
    clusters = clustering.find_clusters(
        documents(cases), start=first, end=after, by=by, labelled=SHOWN
    )[:SHOWN]
    found = Problems(clusters=clusters, computed_at=now, cases=version["n"])
    cache.set(key, (version, found), CACHE_SECONDS)
    return found


@dataclass(frozen=True)
class ClusterRow:
    cluster: Cluster
    cases: list[Case]  # the most central first, TITLES of them
    case_ids: str  # every case of the cluster, comma-separated, for the promote form
    # Issues already tracking some of the cluster's cases: promoting it again would repeat them.
    issues: list[PolicyIssue]


def cluster_rows(user: AnyUser, clusters: Sequence[Cluster]) -> list[ClusterRow]:
    """The clusters with the cases whose titles are shown, and the issues that already hold
    any of their cases and that ``user`` may read (a higher centre's issue may hold a lower
    centre's cases): two queries."""
    wanted = {key for c in clusters for key in c.keys[:TITLES]}
    cases = Case.objects.only("pk", "number", "title", "state", "registered_at").in_bulk(wanted)
    every = {key for c in clusters for key in c.keys}
    links = PolicyIssueCase.objects.filter(
        case_id__in=every, issue__in=PolicyIssue.objects.filter(policy_visibility(user))
    )
    tracked: dict[int, list[PolicyIssue]] = {}
    for link in links.select_related("issue"):
        tracked.setdefault(link.case_id, []).append(link.issue)
    rows = []
    for c in clusters:
        issues = {issue.pk: issue for key in c.keys for issue in tracked.get(key, [])}
        rows.append(
            ClusterRow(
                cluster=c,
                cases=[cases[key] for key in c.keys[:TITLES] if key in cases],
                case_ids=",".join(str(key) for key in c.keys),
                issues=sorted(issues.values(), key=lambda issue: issue.pk),
            )
        )
    return rows


def background_documents(centre: Centre, *, exclude: Sequence[int]) -> list[Document]:
    """The centre subtree's latest other cases, against which an issue's bigrams are weighed."""
    cases = (
        Case.objects.filter(centre__path__startswith=centre.path)
        .exclude(pk__in=list(exclude))
        .order_by("-registered_at")[:BACKGROUND]
    )
    return documents(cases)


def owner_users(centre: Centre) -> QuerySet[User]:
    """Who may own an issue of ``centre``: the staff of its centre subtree and of the centres
    above it, and department staff (the department that must change its practice)."""
    above = [int(part) for part in centre.path.strip("/").split("/") if part]
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(scope_centre__path__startswith=centre.path)
            | Q(scope_centre_id__in=above)
            | Q(scope_department__isnull=False)
        )
        .order_by("username")
    )


def issue_list(user: AnyUser, *, state: str = "") -> QuerySet[PolicyIssue]:
    issues = PolicyIssue.objects.filter(policy_visibility(user))
    if state:
        issues = issues.filter(state=state)
    return (
        issues.select_related("centre", "owner_user", "owner_department")
        .annotate(linked=Count("links"))
        .order_by("-created_at", "-id")
    )


def issue_links(issue: PolicyIssue) -> list[PolicyIssueCase]:
    return list(
        issue.links.select_related("case", "linked_by").order_by("-kind", "linked_at", "id")
    )


def issue_events(issue: PolicyIssue) -> list[PolicyIssueEvent]:
    return list(issue.events.select_related("actor"))


def case_recurrences(case: Case) -> list[PolicyIssueCase]:
    """The closed issues this case looked like when it came in."""
    return list(
        PolicyIssueCase.objects.filter(case=case, kind=LinkKind.RECURRENCE).select_related("issue")
    )


def closed_issues_over(centre: Centre) -> QuerySet[PolicyIssue]:
    """The closed issues of ``centre`` and of the centres above it."""
    above = [int(part) for part in centre.path.strip("/").split("/") if part]
    return PolicyIssue.objects.filter(state=IssueState.CLOSED, centre_id__in=above)


def warm_default_views() -> int:
    """Compute the recurring-problems page's default view (the last DEFAULT_DAYS, ranked by
    reporters) for the centre of every active task force member, when not fresh."""
    from doudi.accounts.roles import ROLE_CAPABILITIES, Capability, Role
    from doudi.directory.models import Centre

    roles = [role for role, caps in ROLE_CAPABILITIES.items() if Capability.TRIAGE in caps]
    centres = Centre.objects.filter(
        users__is_active=True, users__role__in=roles or [Role.TASKFORCE]
    ).distinct()
    today = timezone.localdate()
    for centre in centres:
        recurring_problems(centre, today - timedelta(days=DEFAULT_DAYS - 1), today, by="reporters")
    return len(centres)
