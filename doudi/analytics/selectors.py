"""The leaders' figures (docs/metrics.md): for a scope and a period, each metric is a
numerator over a denominator, both querysets of the rows behind them, so that every number
drills down to its cases.

Scope comes from the reader (visible cases, work orders, ratings) narrowed by the filters: a
centre subtree, a department subtree, a cause (and its children), a channel. The period picks
rows by the moment that makes them count: registration for what was received, the due time for
sign-for, the stop for answer and fix clocks, the conclusion for return visits, the rating time
for ratings.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import cached_property
from typing import TYPE_CHECKING, Any

from django.db.models import Avg, Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from doudi.accountability.models import Finding
from doudi.accountability.workflow import COUNTING_STATES
from doudi.accounts.access import (
    active_user,
    department_scope_q,
    is_centre_scoped,
    is_global,
    may,
)
from doudi.accounts.roles import Capability
from doudi.analytics import rollup
from doudi.analytics.models import (
    ALL_DEPARTMENTS,
    COUNTERS,
    NO_CAUSE,
    CaseDepartment,
    DailyFigure,
    DailyTally,
    ModelWindowCriteria,
    Tally,
)
from doudi.cases.access import case_visibility
from doudi.cases.models import Case
from doudi.cases.selectors import visible_cases
from doudi.cases.workflow import OPEN_STATES, State
from doudi.deadlines.models import RUNNING_STATES, Clock, ClockKind, ClockState
from doudi.directory.models import Centre, Department, ServiceItem, Staff, Window
from doudi.feedback.access import rating_visibility
from doudi.feedback.models import Rating, ReturnVisit
from doudi.feedback.workflow import BAD_LEVELS, RatingState, VisitOutcome
from doudi.lib.periods import Period, bucket_of, buckets
from doudi.triage.models import Cause
from doudi.workorders.models import Contact, WorkOrder, WorkOrderEvent

if TYPE_CHECKING:
    from doudi.accounts.access import AnyUser


@dataclass(frozen=True)
class Filters:
    period: Period
    centre: Centre | None = None
    department: Department | None = None
    cause: Cause | None = None
    channel: str = ""

    def span(self) -> tuple[datetime, datetime]:
        tz = timezone.get_current_timezone()
        return (
            datetime.combine(self.period.start, time.min, tzinfo=tz),
            datetime.combine(self.period.end, time.min, tzinfo=tz),
        )


def case_q(user: AnyUser, filters: Filters, prefix: str = "") -> Q:
    """The reader's cases narrowed by the filters (not by the period), as a condition on the
    case reached through ``prefix`` ("" for cases, "case__" for clocks, visits …)."""
    condition = case_visibility(user, prefix)
    if filters.centre is not None:
        condition &= Q(**{f"{prefix}centre__path__startswith": filters.centre.path})
    if filters.department is not None:
        path = filters.department.path
        sent = WorkOrder.objects.filter(department__path__startswith=path).values("case_id")
        condition &= Q(**{f"{prefix}service_item__department__path__startswith": path}) | Q(
            **{f"{prefix}pk__in": sent}
        )
    if filters.cause is not None:
        condition &= Q(**{f"{prefix}triage__cause": filters.cause}) | Q(
            **{f"{prefix}triage__cause__parent": filters.cause}
        )
    if filters.channel:
        condition &= Q(**{f"{prefix}channel": filters.channel})
    return condition


def scoped_cases(user: AnyUser, filters: Filters) -> QuerySet[Case]:
    """The reader's cases narrowed by the filters (not by the period)."""
    return Case.objects.filter(case_q(user, filters))


def _own_orders_q(user: AnyUser, filters: Filters, prefix: str = "") -> Q:
    """Work-order figures count a department's own work orders only: those of the filter's
    department and, for a department's reader, of the reader's department."""
    condition = Q()
    if filters.department is not None:
        condition &= Q(**{f"{prefix}department__path__startswith": filters.department.path})
    if not is_global(user) and not is_centre_scoped(user):
        condition &= department_scope_q(user, f"{prefix}department__")
    return condition


def _orders(user: AnyUser, filters: Filters) -> QuerySet[WorkOrder]:
    return WorkOrder.objects.filter(case_q(user, filters, "case__"), _own_orders_q(user, filters))


def _ratings(user: AnyUser, filters: Filters) -> QuerySet[Rating]:
    ratings = Rating.objects.filter(rating_visibility(user)).exclude(state=RatingState.EXCLUDED)
    if filters.centre is not None:
        ratings = ratings.filter(centre__path__startswith=filters.centre.path)
    if filters.department is not None:
        # As a department sees ratings: its windows' and its staff's.
        path = filters.department.path
        ratings = ratings.filter(
            Q(window__department__path__startswith=path)
            | Q(staff__department__path__startswith=path)
        )
    # A window rating has no channel or cause: only the ratings of cases in the filter.
    if filters.channel:
        ratings = ratings.filter(case__channel=filters.channel)
    if filters.cause is not None:
        ratings = ratings.filter(
            Q(case__triage__cause=filters.cause) | Q(case__triage__cause__parent=filters.cause)
        )
    return ratings


@dataclass(frozen=True)
class Part:
    """One side of a metric: the rows, and the path from a row to its case (None: not a case,
    e.g. a window rating)."""

    rows: QuerySet[Any]
    case_path: str | None = "pk"

    def count(self) -> int:
        return self.rows.count()

    def case_ids(self) -> QuerySet[Any]:
        assert self.case_path is not None  # noqa: S101 - drill-down is offered only then
        return self.rows.values(self.case_path)


@dataclass(frozen=True)
class Metric:
    key: str
    value: float | None
    numerator: int
    denominator: int
    drillable: bool


@dataclass(frozen=True)
class Spec:
    key: str
    kind: str  # "count", "rate" or "mean"
    parts: Callable[[AnyUser, Filters], tuple[Part, Part | None]]
    mean: Callable[[AnyUser, Filters], float | None] | None = None
    # Window ratings are not about a case: that figure does not drill down to cases.
    drillable: bool = True


def _received(user: AnyUser, f: Filters) -> QuerySet[Case]:
    start, end = f.span()
    return scoped_cases(user, f).filter(registered_at__gte=start, registered_at__lt=end)


def _clocks(user: AnyUser, f: Filters, kind: str) -> QuerySet[Clock]:
    return Clock.objects.filter(case_q(user, f, "case__"), _own_clocks_q(user, f), kind=kind)


def _stopped_in(clocks: QuerySet[Clock], f: Filters) -> QuerySet[Clock]:
    start, end = f.span()
    return clocks.filter(state=ClockState.MET, stopped_at__gte=start, stopped_at__lt=end)


def _response(user: AnyUser, f: Filters) -> tuple[Part, Part]:
    start, end = f.span()
    due = _clocks(user, f, ClockKind.SIGN).filter(due_at__gte=start, due_at__lt=end)
    due = due.exclude(state=ClockState.CANCELLED)
    contacted = Contact.objects.filter(
        work_order=OuterRef("work_order"), at__lte=OuterRef("work_order__answer_due")
    )
    met = due.filter(state=ClockState.MET, late_hours=0).filter(Exists(contacted))
    return Part(met, "case_id"), Part(due, "case_id")


def _visits(user: AnyUser, f: Filters) -> QuerySet[ReturnVisit]:
    start, end = f.span()
    return ReturnVisit.objects.filter(
        case_q(user, f, "case__"),
        outcome__in=(VisitOutcome.CLOSED, VisitOutcome.REOPENED),
        concluded_at__gte=start,
        concluded_at__lt=end,
    )


def _rated(user: AnyUser, f: Filters) -> QuerySet[Rating]:
    start, end = f.span()
    return _ratings(user, f).filter(rated_at__gte=start, rated_at__lt=end)


def _issued(user: AnyUser, f: Filters) -> QuerySet[WorkOrder]:
    start, end = f.span()
    return _orders(user, f).filter(issued_at__gte=start, issued_at__lt=end)


def _answered(user: AnyUser, f: Filters) -> QuerySet[Case]:
    start, end = f.span()
    return scoped_cases(user, f).filter(answered_at__gte=start, answered_at__lt=end)


def _running(user: AnyUser, f: Filters) -> QuerySet[Clock]:
    # The running clocks are a few thousand among millions that stopped: picked first, in a
    # subquery, so that SQLite's planner (no histograms) starts from them, not from the cases.
    running = Clock.objects.filter(state__in=RUNNING_STATES).values("pk")
    return Clock.objects.filter(case_q(user, f, "case__"), _own_clocks_q(user, f), pk__in=running)


def _own_clocks_q(user: AnyUser, filters: Filters) -> Q:
    """A work order's clocks count for its own department only (as its other figures do); a
    case's own clocks (triage, return visit, a 差评's) for every reader of the case."""
    own = _own_orders_q(user, filters, "work_order__")
    # (An empty Q would drop out of the OR, leaving only the case's clocks: no narrowing then.)
    return Q(work_order__isnull=True) | own if own else Q()


SPECS: tuple[Spec, ...] = (
    Spec("received", "count", lambda u, f: (Part(_received(u, f)), None)),
    Spec(
        "open",
        "count",
        lambda u, f: (Part(_received(u, f).filter(state__in=OPEN_STATES)), None),
    ),
    Spec(
        "closed",
        "count",
        lambda u, f: (Part(_received(u, f).exclude(state__in=OPEN_STATES)), None),
    ),
    Spec("response_rate", "rate", _response),
    Spec(
        "solved_rate",
        "rate",
        lambda u, f: (Part(_visits(u, f).filter(solved=True), "case_id"),
                      Part(_visits(u, f), "case_id")),
    ),
    Spec(
        "satisfied_rate",
        "rate",
        lambda u, f: (Part(_rated(u, f).exclude(level__in=BAD_LEVELS), None),
                      Part(_rated(u, f), None)),
        drillable=False,
    ),
    Spec(
        "on_time_rate",
        "rate",
        lambda u, f: (
            Part(_stopped_in(_clocks(u, f, ClockKind.ANSWER), f).filter(late_working_days=0),
                 "case_id"),
            Part(_stopped_in(_clocks(u, f, ClockKind.ANSWER), f), "case_id"),
        ),
    ),
    Spec(
        "on_the_spot_rate",
        "rate",
        lambda u, f: (Part(_received(u, f).filter(state=State.RESOLVED_ON_SPOT)),
                      Part(_received(u, f))),
    ),
    Spec(
        "reopen_rate",
        "rate",
        lambda u, f: (Part(_visits(u, f).filter(outcome=VisitOutcome.REOPENED), "case_id"),
                      Part(_visits(u, f), "case_id")),
    ),
    Spec(
        "dispute_rate",
        "rate",
        lambda u, f: (
            Part(_issued(u, f).filter(
                Exists(WorkOrderEvent.objects.filter(work_order=OuterRef("pk"), kind="dispute"))
            ), "case_id"),
            Part(_issued(u, f), "case_id"),
        ),
    ),
    Spec(
        "answer_days",
        "mean",
        lambda u, f: (Part(_answered(u, f)), None),
        mean=lambda u, f: _answered(u, f).aggregate(v=Avg("answer_working_days"))["v"],
    ),
    Spec(
        "visits",
        "mean",
        lambda u, f: (Part(_received(u, f)), None),
        mean=lambda u, f: _received(u, f).aggregate(v=Avg("visits"))["v"],
    ),
    Spec(
        "bad_review_fixed_rate",
        "rate",
        lambda u, f: (
            Part(_stopped_in(_clocks(u, f, ClockKind.FIX), f).filter(late_working_days=0),
                 "case_id"),
            Part(_stopped_in(_clocks(u, f, ClockKind.FIX), f), "case_id"),
        ),
    ),
    Spec(
        "overdue_now",
        "count",
        lambda u, f: (Part(_running(u, f).filter(state=ClockState.OVERDUE), "case_id"), None),
    ),
    Spec(
        "provisional",
        "count",
        lambda u, f: (Part(_running(u, f).filter(provisional=True), "case_id"), None),
    ),
)  # fmt: skip
SPEC_BY_KEY = {spec.key: spec for spec in SPECS}


def metric(user: AnyUser, filters: Filters, spec: Spec) -> Metric:
    numerator, denominator = spec.parts(user, filters)
    drillable = spec.drillable
    if spec.kind == "count":
        n = numerator.count()
        return Metric(spec.key, n, n, n, drillable)
    if spec.kind == "mean":
        assert spec.mean is not None  # noqa: S101 - every mean spec has one
        n = numerator.count()
        value = spec.mean(user, filters)
        return Metric(spec.key, None if value is None else round(value, 2), n, n, drillable)
    assert denominator is not None  # noqa: S101 - every rate spec has one
    num, den = numerator.count(), denominator.count()
    return Metric(spec.key, round(num / den, 4) if den else None, num, den, drillable)


def metrics(user: AnyUser, filters: Filters) -> dict[str, Metric]:
    """Every figure: from the roll-up when it can answer for the reader's scope and the
    filters (always, for a user with a scope), else counted from the rows."""
    scope = rollup_scope(user, filters)
    if scope is None:
        return live_metrics(user, filters)
    return _rollup_metrics(user, filters, scope)


def live_metrics(user: AnyUser, filters: Filters) -> dict[str, Metric]:
    """Every figure counted from the rows, with one aggregate query per kind of row instead of
    two per figure.

    The counts equal those of the specs' parts (``metric``), which the drill-down uses, and
    those of the roll-up; tests hold the three together.
    """
    counts: dict[str, tuple[int, int]] = {}
    means: dict[str, float | None] = {}
    rec = _received(user, filters).aggregate(
        n=Count("id"),
        open=Count("id", filter=Q(state__in=OPEN_STATES)),
        spot=Count("id", filter=Q(state=State.RESOLVED_ON_SPOT)),
        visits=Avg("visits"),
    )
    counts["received"] = (rec["n"], rec["n"])
    counts["open"] = (rec["open"], rec["open"])
    counts["closed"] = (rec["n"] - rec["open"], rec["n"] - rec["open"])
    counts["on_the_spot_rate"] = (rec["spot"], rec["n"])
    counts["visits"] = (rec["n"], rec["n"])
    means["visits"] = rec["visits"]
    ans = _answered(user, filters).aggregate(n=Count("id"), days=Avg("answer_working_days"))
    counts["answer_days"] = (ans["n"], ans["n"])
    means["answer_days"] = ans["days"]
    numerator, denominator = _response(user, filters)
    counts["response_rate"] = (numerator.count(), denominator.count())
    start, end = filters.span()
    stopped = (
        Clock.objects.filter(
            case_q(user, filters, "case__"),
            kind__in=(ClockKind.ANSWER, ClockKind.FIX),
            state=ClockState.MET,
            stopped_at__gte=start,
            stopped_at__lt=end,
        )
        .filter(_own_clocks_q(user, filters))
        .values("kind")
        .annotate(n=Count("id"), on_time=Count("id", filter=Q(late_working_days=0)))
    )
    by_kind = {row["kind"]: (row["on_time"], row["n"]) for row in stopped}
    counts["on_time_rate"] = by_kind.get(ClockKind.ANSWER, (0, 0))
    counts["bad_review_fixed_rate"] = by_kind.get(ClockKind.FIX, (0, 0))
    vis = _visits(user, filters).aggregate(
        n=Count("id"),
        solved=Count("id", filter=Q(solved=True)),
        reopened=Count("id", filter=Q(outcome=VisitOutcome.REOPENED)),
    )
    counts["solved_rate"] = (vis["solved"], vis["n"])
    counts["reopen_rate"] = (vis["reopened"], vis["n"])
    rat = _rated(user, filters).aggregate(
        n=Count("id"), good=Count("id", filter=~Q(level__in=BAD_LEVELS))
    )
    counts["satisfied_rate"] = (rat["good"], rat["n"])
    disputed = Exists(WorkOrderEvent.objects.filter(work_order=OuterRef("pk"), kind="dispute"))
    iss = _issued(user, filters).aggregate(n=Count("id"), disputed=Count("id", filter=disputed))
    counts["dispute_rate"] = (iss["disputed"], iss["n"])
    counts.update(_running_counts(_running(user, filters)))
    return _assemble(counts, means)


def _running_counts(clocks: QuerySet[Clock]) -> dict[str, tuple[int, int]]:
    run = clocks.aggregate(
        overdue=Count("id", filter=Q(state=ClockState.OVERDUE)),
        provisional=Count("id", filter=Q(provisional=True)),
    )
    return {
        "overdue_now": (run["overdue"], run["overdue"]),
        "provisional": (run["provisional"], run["provisional"]),
    }


def _assemble(
    counts: dict[str, tuple[int, int]], means: dict[str, float | None]
) -> dict[str, Metric]:
    out = {}
    for spec in SPECS:
        num, den = counts[spec.key]
        if spec.kind == "count":
            value: float | None = num
        elif spec.kind == "mean":
            mean = means[spec.key]
            value = None if mean is None else round(mean, 2)
        else:
            value = round(num / den, 4) if den else None
        out[spec.key] = Metric(spec.key, value, num, den, spec.drillable)
    return out


# --- The roll-up (doudi/analytics/rollup.py) ----------------------------------------------------


@dataclass(frozen=True)
class RollupScope:
    department: int  # the roll-up's department key: 0 for all
    centre: Centre | None  # the centre subtree; None: every centre
    outside: bool = False  # the filter lies outside the reader's scope: nothing

    @cached_property
    def centres(self) -> list[int] | None:
        """The subtree's ids (None: every centre), read only by what filters on them."""
        if self.outside:
            return []
        if self.centre is None:
            return None
        subtree = Centre.objects.filter(path__startswith=self.centre.path)
        return list(subtree.values_list("pk", flat=True))


def rollup_scope(user: AnyUser, filters: Filters) -> RollupScope | None:
    """The roll-up rows that hold exactly the reader's scope narrowed by the filters, or None
    when only the rows can answer (a user without a scope, who sees nothing; a department's
    reader filtering on an unrelated department)."""
    member = active_user(user)
    if member is None or not may(member, Capability.CASE_VIEW):
        return None
    centre, department = filters.centre, filters.department
    if is_centre_scoped(member):
        centre = _narrower(member.scope_centre, centre)
        if centre is None:
            return RollupScope(department=ALL_DEPARTMENTS, centre=None, outside=True)
    elif not is_global(member):
        if member.scope_department is None:
            return None
        department = _narrower(member.scope_department, department)
        if department is None:
            # Two unrelated departments still share the cases about one's service items sent
            # to the other: only the rows can answer.
            return None
    return RollupScope(department=department.pk if department else ALL_DEPARTMENTS, centre=centre)


def _narrower(root: Any, chosen: Any) -> Any:
    """Of a scope's root node and a filter's node, the one inside the other (None: disjoint)."""
    if chosen is None or chosen.path.startswith(root.path):
        return chosen or root
    if root.path.startswith(chosen.path):
        return root
    return None


def _rollup_rows(filters: Filters, scope: RollupScope) -> QuerySet[DailyFigure]:
    rollup.apply_marks()
    causes = None
    if filters.cause is not None:
        causes = [filters.cause.pk, *filters.cause.children.values_list("pk", flat=True)]
    return DailyFigure.objects.filter(
        rollup.rows_q(
            start=filters.period.start, end=filters.period.end, department=scope.department,
            centres=scope.centres, channel=filters.channel, causes=causes,
        )
    )  # fmt: skip


def _rollup_metrics(user: AnyUser, filters: Filters, scope: RollupScope) -> dict[str, Metric]:
    sums = _rollup_rows(filters, scope).aggregate(**{c: Sum(c) for c in COUNTERS})
    n = {c: int(sums[c] or 0) for c in COUNTERS}
    open_, received = n["open"], n["received"]
    counts = {
        "received": (received, received),
        "open": (open_, open_),
        "closed": (received - open_, received - open_),
        "on_the_spot_rate": (n["spot"], received),
        "visits": (received, received),
        "answer_days": (n["answered"], n["answered"]),
        "response_rate": (n["sign_met"], n["sign_due"]),
        "on_time_rate": (n["answer_on_time"], n["answer_met"]),
        "bad_review_fixed_rate": (n["fix_on_time"], n["fix_met"]),
        "solved_rate": (n["solved"], n["visited"]),
        "reopen_rate": (n["reopened"], n["visited"]),
        "satisfied_rate": (n["rated_good"], n["rated"]),
        "dispute_rate": (n["disputed"], n["issued"]),
    }
    means = {
        "visits": n["visits_sum"] / received if received else None,
        "answer_days": (n["answer_days_sum"] / n["answer_days_n"] if n["answer_days_n"] else None),
    }
    counts.update(_running_counts(_running_in(user, filters, scope)))
    return _assemble(counts, means)


def drill_cases(user: AnyUser, filters: Filters, key: str, side: str) -> QuerySet[Case]:
    """The cases behind one side ("num" or "den") of a metric, in the reader's scope."""
    spec = SPEC_BY_KEY[key]
    numerator, denominator = spec.parts(user, filters)
    part = denominator if side == "den" and denominator is not None else numerator
    return visible_cases(user).filter(pk__in=part.case_ids())


@dataclass
class Breakdowns:
    trend: dict[str, list[Any]] = field(default_factory=dict)
    channels: list[dict[str, Any]] = field(default_factory=list)
    causes: list[dict[str, Any]] = field(default_factory=list)
    centres: list[dict[str, Any]] = field(default_factory=list)
    departments: list[dict[str, Any]] = field(default_factory=list)
    windows: list[dict[str, Any]] = field(default_factory=list)
    items: list[dict[str, Any]] = field(default_factory=list)
    staff: list[dict[str, Any]] = field(default_factory=list)
    heatmap: list[list[int]] = field(default_factory=list)


TOP = 10


def breakdowns(user: AnyUser, filters: Filters) -> Breakdowns:
    """Where the received cases came from and when: the dashboard's charts. Counts are taken
    per id (of a day, channel, cause, centre, item, window, staff member) and named here from
    the small directory tables, so that each is one pass over an index."""
    scope = rollup_scope(user, filters)
    received = _received_cases(user, filters, scope)
    out = Breakdowns()
    per_day_in: dict[date, int] = defaultdict(int)
    per_day_done: dict[date, int] = defaultdict(int)
    channels: dict[str, int] = defaultdict(int)
    causes: dict[int, int] = defaultdict(int)
    centres: dict[int, int] = defaultdict(int)
    if scope is not None:
        # Grouped in the database: the period's rows are thousands, the groups a few dozen.
        rows = _rollup_rows(filters, scope)
        for day, n, done in rows.values_list("day").annotate(
            n=Sum("received"), done=Sum("answered")
        ):
            per_day_in[day] += n
            per_day_done[day] += done
        channels.update(rows.values_list("channel").annotate(n=Sum("received")))
        causes.update(rows.exclude(cause=NO_CAUSE).values_list("cause").annotate(n=Sum("received")))
        centres.update(rows.values_list("centre").annotate(n=Sum("received")))
    else:
        for day, n in received.values_list("registered_day").annotate(n=Count("id")):
            per_day_in[day] += n
        answered = _answered(user, filters).annotate(d=TruncDate("answered_at"))
        for day, n in answered.values_list("d").annotate(n=Count("id")):
            per_day_done[day] += n
        channels.update(received.values_list("channel").annotate(n=Count("id")))
        causes.update(
            received.filter(triage__isnull=False)
            .values_list("triage__cause")
            .annotate(n=Count("id"))
        )
        centres.update(received.values_list("centre").annotate(n=Count("id")))
    out.trend = _trend(filters.period, per_day_in, per_day_done)
    out.channels = _ranked(channels.items(), {})
    cause_names = {
        c.pk: (c.name, c.parent.name if c.parent else None)
        for c in Cause.objects.select_related("parent")
    }
    out.causes = _ranked(causes.items(), cause_names)
    centre_names = {c.pk: (c.name, c.code) for c in Centre.objects.all()}
    out.centres = _ranked(centres.items(), centre_names, top=None)
    unfiltered = not filters.channel and filters.cause is None
    if scope is not None and scope.department == ALL_DEPARTMENTS and unfiltered:
        _tallied_breakdowns(out, filters, scope)
    else:
        _counted_breakdowns(out, received)
    return out


def _tallied_breakdowns(out: Breakdowns, filters: Filters, scope: RollupScope) -> None:
    """The lists and the heat map from ``DailyTally`` (for every department, no channel or
    cause filter): a few thousand rows a month, not the month's cases and their links."""
    rows = DailyTally.objects.filter(day__gte=filters.period.start, day__lt=filters.period.end)
    if scope.centres is not None:
        rows = rows.filter(centre__in=scope.centres)

    def per(dimension: str) -> dict[int, int]:
        by_value = rows.filter(dimension=dimension).values_list("value").annotate(n=Sum("n"))
        return dict(by_value)

    _name_breakdowns(out, per(Tally.ITEM), per(Tally.WINDOW).items(), per(Tally.STAFF).items())
    grid = [[0] * 24 for _ in range(7)]
    by_hour = rows.filter(dimension=Tally.HOUR).values_list("day", "value").annotate(n=Sum("n"))
    for day, hour, n in by_hour:
        grid[day.isoweekday() - 1][hour] += n
    out.heatmap = grid


def _counted_breakdowns(out: Breakdowns, received: QuerySet[Case]) -> None:
    """The lists and the heat map counted over the received cases."""
    per_item = dict(
        received.filter(service_item__isnull=False)
        .values_list("service_item")
        .annotate(n=Count("id"))
    )
    # (case, window) and (case, staff) pairs are unique: a plain count is a count of cases.
    windows = received.filter(windows__isnull=False).values_list("windows").annotate(n=Count("id"))
    staff = received.filter(staff__isnull=False).values_list("staff").annotate(n=Count("id"))
    _name_breakdowns(out, per_item, windows, staff)
    grid = [[0] * 24 for _ in range(7)]
    cells = received.values_list("registered_weekday", "registered_hour").annotate(n=Count("id"))
    for weekday, hour, n in cells:
        if weekday is not None and hour is not None:
            grid[weekday - 1][hour] += n
    out.heatmap = grid


def _name_breakdowns(
    out: Breakdowns,
    per_item: dict[int, int],
    windows: Iterable[tuple[int, int]],
    staff: Iterable[tuple[int, int]],
) -> None:
    """Name the counts per item (and its department), window and staff member."""
    items = ServiceItem.objects.filter(pk__in=list(per_item)).select_related("department")
    item_names, department_names = {}, {}
    per_department: dict[int, int] = defaultdict(int)
    for item in items:
        item_names[item.pk] = (item.name, item.code)
        department_names[item.department_id] = (item.department.name, item.department.code)
        per_department[item.department_id] += per_item[item.pk]
    out.items = _ranked(per_item.items(), item_names)
    out.departments = _ranked(per_department.items(), department_names)
    window_names = {w.pk: (w.name, w.code) for w in Window.objects.all()}
    out.windows = _ranked(windows, window_names)
    staff_names = {m.pk: (m.name, m.employee_no) for m in Staff.objects.all()}
    out.staff = _ranked(staff, staff_names)


def _trend(
    period: Period, per_day_in: dict[date, int], per_day_done: dict[date, int]
) -> dict[str, list[Any]]:
    kind = period.bucket()
    days = buckets(period)
    received = dict.fromkeys(days, 0)
    answered = dict.fromkeys(days, 0)
    for day, n in per_day_in.items():
        if day is not None:
            received[bucket_of(day, kind)] += n
    for day, n in per_day_done.items():
        if day is not None:
            answered[bucket_of(day, kind)] += n
    return {
        "labels": [d.isoformat() for d in days],
        "received": [received[d] for d in days],
        "answered": [answered[d] for d in days],
    }


def _received_cases(user: AnyUser, filters: Filters, scope: RollupScope | None) -> QuerySet[Case]:
    """The received cases, for a scope the roll-up holds, without the scope's joins: by the
    centres' ids, or by the department's rows in ``CaseDepartment``, which lets the planners
    start from the period instead of walking every case of the scope."""
    if scope is None:
        return _received(user, filters)
    cases = Case.objects.filter(_plain_filters_q(filters, scope))
    if scope.department == ALL_DEPARTMENTS:
        start, end = filters.span()
        return cases.filter(registered_at__gte=start, registered_at__lt=end)
    rollup.apply_marks()
    concerned = CaseDepartment.objects.filter(
        department=scope.department, day__gte=filters.period.start, day__lt=filters.period.end
    )
    return cases.filter(pk__in=concerned.values("case_id"))


def _running_in(user: AnyUser, filters: Filters, scope: RollupScope | None) -> QuerySet[Clock]:
    """The running clocks of the scope: for a department, through ``CaseDepartment``."""
    if scope is None or scope.department == ALL_DEPARTMENTS:
        return _running(user, filters)
    rollup.apply_marks()
    running = Clock.objects.filter(state__in=RUNNING_STATES).values("pk")
    concerned = CaseDepartment.objects.filter(
        case_id=OuterRef("case_id"), department=scope.department
    )
    return Clock.objects.filter(
        _plain_filters_q(filters, scope, "case__"),
        Exists(concerned),
        _own_clocks_q(user, filters),
        pk__in=running,
    )


def _plain_filters_q(filters: Filters, scope: RollupScope, prefix: str = "") -> Q:
    """The scope's centres and the channel and cause filters, as columns of the case."""
    condition = Q()
    if scope.centres is not None:
        condition &= Q(**{f"{prefix}centre_id__in": scope.centres})
    if filters.channel:
        condition &= Q(**{f"{prefix}channel": filters.channel})
    if filters.cause is not None:
        condition &= Q(**{f"{prefix}triage__cause": filters.cause}) | Q(
            **{f"{prefix}triage__cause__parent": filters.cause}
        )
    return condition


def _ranked(
    counts: Iterable[tuple[Any, int]],
    names: dict[Any, tuple[Any, Any]],
    *,
    top: int | None = TOP,
) -> list[dict[str, Any]]:
    """Counts per id as the dashboard lists them: named through ``names`` (id → (name, note);
    the id itself when absent), the most first, then by name and note (windows of different
    centres share names: the code decides, not the order the database returned them in)."""
    counted = []
    for value, n in counts:
        if n:
            name, note = names.get(value, (value, value))
            counted.append({"name": name, "note": note, "n": n})
    counted.sort(key=lambda row: (-row["n"], str(row["name"]), str(row["note"])))
    return counted if top is None else counted[:top]


def overdue_list(user: AnyUser, filters: Filters, *, limit: int = 20) -> list[Clock]:
    return list(
        _running_in(user, filters, rollup_scope(user, filters))
        .filter(state=ClockState.OVERDUE)
        .select_related("case", "work_order__department")
        .order_by("due_at")[:limit]
    )


# --- Rankings ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class WindowRow:
    window_id: int
    name: str
    code: str
    centre: str
    ratings: int
    satisfied: int
    cases: int
    findings: int
    qualified: bool  # enough ratings for a rate
    rate: float | None
    cases_per_100: float | None
    model: bool

    @property
    def rate_shown(self) -> str:
        return "" if self.rate is None else f"{self.rate * 100:.1f}%"


def window_ranking(user: AnyUser, filters: Filters) -> list[WindowRow]:
    """Windows by satisfaction (ratings in the period), with the 办不成事 cases that name them
    per 100 ratings (ratings stand for the volume served) and the findings against them.
    Rates only from ``min_sample`` ratings; model windows clear every bar of the criteria."""
    criteria = ModelWindowCriteria.current()
    start, end = filters.span()
    rated = {
        row["window_id"]: (row["n"], row["good"])
        for row in _rated(user, filters)
        .filter(window__isnull=False)
        .values("window_id")
        .annotate(n=Count("id"), good=Count("id", filter=~Q(level__in=BAD_LEVELS)))
    }
    cases = dict(
        _received(user, filters)
        .filter(windows__isnull=False)
        .values_list("windows__id")
        .annotate(n=Count("id", distinct=True))
    )
    findings = dict(
        Finding.objects.filter(
            case_q(user, filters, "case__"),
            state__in=COUNTING_STATES,
            recorded_at__gte=start,
            recorded_at__lt=end,
            window__isnull=False,
        )
        .values_list("window_id")
        .annotate(n=Count("id"))
    )
    # Windows rated in the period, and those its cases or findings name though nobody rated
    # them (listed with no rate, so that "the windows with most cases" holds them: a street
    # centre's windows are seldom rated).
    named = set(rated) | set(cases) | set(findings)
    rows = []
    for window in Window.objects.filter(pk__in=named).values("pk", "name", "code", "centre__name"):
        n, good = rated.get(window["pk"], (0, 0))
        qualified = n > 0 and n >= criteria.min_sample
        rate = good / n if qualified else None
        per_100 = cases.get(window["pk"], 0) * 100 / n if qualified else None
        model = (
            n >= criteria.min_ratings
            and rate is not None
            and rate >= float(criteria.min_satisfaction)
            and per_100 is not None
            and per_100 <= float(criteria.max_cases_per_100)
            and findings.get(window["pk"], 0) <= criteria.max_findings
        )
        rows.append(
            WindowRow(
                window_id=window["pk"], name=window["name"], code=window["code"],
                centre=window["centre__name"], ratings=n, satisfied=good,
                cases=cases.get(window["pk"], 0), findings=findings.get(window["pk"], 0),
                qualified=qualified, rate=rate, cases_per_100=per_100, model=model,
            )
        )  # fmt: skip
    rows.sort(key=lambda r: (not r.qualified, -(r.rate or 0), r.cases_per_100 or 0, r.code))
    return rows


@dataclass(frozen=True)
class DepartmentRow:
    department_id: int
    name: str
    issued: int
    disputed: int
    answered: int
    on_time: int
    qualified: bool
    on_time_rate: float | None
    dispute_rate: float | None


def department_ranking(user: AnyUser, filters: Filters) -> list[DepartmentRow]:
    """Departments by the share of their answers in time (answer clocks stopped in the
    period), with their dispute rate (work orders issued in the period)."""
    minimum = ModelWindowCriteria.current().min_sample
    disputed = Exists(WorkOrderEvent.objects.filter(work_order=OuterRef("pk"), kind="dispute"))
    issued: dict[int, dict[str, Any]] = {
        row["department_id"]: dict(row)
        for row in _issued(user, filters)
        .values("department_id", "department__name")
        .annotate(n=Count("id"), disputed=Count("id", filter=disputed))
    }
    answered: dict[int, dict[str, Any]] = {
        row["work_order__department_id"]: dict(row)
        for row in _stopped_in(_clocks(user, filters, ClockKind.ANSWER), filters)
        .values("work_order__department_id", "work_order__department__name")
        .annotate(n=Count("id"), on_time=Count("id", filter=Q(late_working_days=0)))
    }
    rows = []
    for pk in set(issued) | set(answered):
        out, done = issued.get(pk, {}), answered.get(pk, {})
        name = out.get("department__name") or done.get("work_order__department__name", "")
        n_issued, n_done = out.get("n", 0), done.get("n", 0)
        rows.append(
            DepartmentRow(
                department_id=pk, name=name, issued=n_issued, disputed=out.get("disputed", 0),
                answered=n_done, on_time=done.get("on_time", 0), qualified=n_done >= minimum,
                on_time_rate=done.get("on_time", 0) / n_done if n_done >= minimum else None,
                dispute_rate=out.get("disputed", 0) / n_issued if n_issued >= minimum else None,
            )
        )  # fmt: skip
    rows.sort(key=lambda r: (not r.qualified, -(r.on_time_rate or 0), r.name))
    return rows
