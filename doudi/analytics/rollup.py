"""The roll-up behind the dashboard: daily counters kept exact by the actions.

A case contributes *facts* (see ``DailyFigure``): ``{"day|centre|channel|cause|depts|counter":
n}``, where ``depts`` lists every department the fact concerns with all their ancestors (the
service item's and the work orders' departments for a case; the work order's for its clocks;
the window's and staff member's for a rating). Applying a contribution adds ``n`` to the
counter of the row of each of those departments and of the row for all departments (key 0).
A received case also contributes ``"T|day|centre|dimension|value": 1`` for each window and
staff member it names, its service item and its hour of registration (``DailyTally``).

Changes reach the roll-up in two steps, so that an action pays one small insert and never
computes figures: signals on every model a figure reads mark the case (or window rating) in
``DirtySource`` inside the action's transaction; ``apply_marks`` recomputes the marked sources'
facts and adds the difference from their last contribution. Readers call it before reading, and
a periodic task keeps the marks few, so every figure read equals the live count (a test holds
``figures_from_rollup`` equal to ``selectors.live_metrics``).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from doudi.analytics.models import (
    ALL_DEPARTMENTS,
    COUNTERS,
    NO_CAUSE,
    CaseDepartment,
    DailyFigure,
    DailyTally,
    DirtySource,
    FigureSource,
    Tally,
)
from doudi.cases.models import Case
from doudi.cases.workflow import OPEN_STATES, State
from doudi.core.bulk import insert_rows, upsert_rows
from doudi.deadlines.models import Clock, ClockKind, ClockState
from doudi.directory.models import Department
from doudi.feedback.models import Rating, ReturnVisit
from doudi.feedback.workflow import BAD_LEVELS, RatingState, VisitOutcome
from doudi.triage.models import Triage
from doudi.workorders.models import Contact, WorkOrder, WorkOrderEvent

Facts = dict[str, int]
RowKey = tuple[int, date, int, str, int]  # department, day, centre, channel, cause
TALLY = "T"  # the first part of the facts counted in DailyTally
TallyKey = tuple[str, date, int, int]  # dimension, day, centre, value

BATCH = 2000


def case_key(case_id: int) -> str:
    return f"c{case_id}"


def rating_key(rating_id: int) -> str:
    return f"r{rating_id}"


def mark(keys: Iterable[str]) -> None:
    """Note sources whose facts may have changed (in the caller's transaction)."""
    now = timezone.now()
    upsert_rows(
        DirtySource,
        [{"key": key, "marked_at": now} for key in sorted(set(keys))],
        unique=["key"],
        update=["marked_at"],
    )


# --- Facts ------------------------------------------------------------------------------------


def _day(moment: datetime) -> str:
    return timezone.localtime(moment).date().isoformat()


def _closure(paths: Iterable[str | None]) -> str:
    """Every department on the paths ("/1/4/9/") with its ancestors, as "1.4.9"."""
    ids = {int(part) for path in paths if path for part in path.strip("/").split("/") if part}
    return ".".join(str(pk) for pk in sorted(ids))


class _Facts:
    def __init__(self) -> None:
        self.out: dict[str, Facts] = defaultdict(dict)

    def add(
        self, source: str, day: str, centre: int, channel: str, cause: int, depts: str,
        counter: str, n: int = 1,
    ) -> None:  # fmt: skip
        if n:
            key = f"{day}|{centre}|{channel}|{cause}|{depts}|{counter}"
            facts = self.out[source]
            facts[key] = facts.get(key, 0) + n

    def tally(self, source: str, day: str, centre: int, dimension: str, value: int) -> None:
        """One received case for ``DailyTally`` (keys "T|day|centre|dimension|value")."""
        key = f"{TALLY}|{day}|{centre}|{dimension}|{value}"
        facts = self.out[source]
        facts[key] = facts.get(key, 0) + 1


def case_facts(case_ids: list[int]) -> dict[str, Facts]:
    """The contribution of each case: itself, its work orders and their clocks, its fix clock,
    its return visits and the ratings about it. Six queries for any number of cases."""
    acc = _Facts()
    cases = {
        row["id"]: row
        for row in Case.objects.filter(pk__in=case_ids).values(
            "id", "centre_id", "channel", "state", "visits", "registered_at", "answered_at",
            "answer_working_days", "service_item__department__path", "triage__cause_id",
            "service_item_id", "registered_hour",
        )
    }  # fmt: skip
    links: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for dimension, through, column in (
        (Tally.WINDOW, Case.windows.through, "window_id"),
        (Tally.STAFF, Case.staff.through, "staff_id"),
    ):
        for case_id, value in through.objects.filter(case_id__in=list(cases)).values_list(
            "case_id", column
        ):
            links[case_id].append((dimension, value))
    orders: dict[int, list[Any]] = defaultdict(list)
    order_by_id: dict[int, Any] = {}
    of_cases = list(cases)
    for values in WorkOrder.objects.filter(case_id__in=of_cases).values(
        "id", "case_id", "department__path", "issued_at", "answer_due"
    ):
        row: dict[str, Any] = {**values, "disputed": False, "contacted": False}
        orders[row["case_id"]].append(row)
        order_by_id[row["id"]] = row
    # Disputes and contacts in queries of their own, by index (as subqueries, PostgreSQL's
    # planner may hash-join the whole event and contact tables for every batch).
    disputes = WorkOrderEvent.objects.filter(work_order__case_id__in=of_cases, kind="dispute")
    for order_id in disputes.values_list("work_order_id", flat=True):
        order_by_id[order_id]["disputed"] = True
    contacts = Contact.objects.filter(work_order__case_id__in=of_cases)
    for order_id, at in contacts.values_list("work_order_id", "at"):
        order = order_by_id[order_id]
        if order["answer_due"] is not None and at <= order["answer_due"]:
            order["contacted"] = True
    dims: dict[int, tuple[int, str, int, str]] = {}
    for pk, case in cases.items():
        source = case_key(pk)
        cause = case["triage__cause_id"] or NO_CAUSE
        depts = _closure(
            [case["service_item__department__path"]] + [o["department__path"] for o in orders[pk]]
        )
        dims[pk] = (case["centre_id"], case["channel"], cause, depts)
        base = (case["centre_id"], case["channel"], cause, depts)
        day = _day(case["registered_at"])
        acc.add(source, day, *base, "received")
        tallies: list[tuple[str, int | None]] = [
            *links[pk],
            (Tally.ITEM, case["service_item_id"]),
            (Tally.HOUR, case["registered_hour"]),
        ]
        for kind, value in tallies:
            if value is not None:
                acc.tally(source, day, case["centre_id"], kind, value)
        acc.add(source, day, *base, "open", int(case["state"] in OPEN_STATES))
        acc.add(source, day, *base, "spot", int(case["state"] == State.RESOLVED_ON_SPOT))
        acc.add(source, day, *base, "visits_sum", case["visits"])
        if case["answered_at"] is not None:
            day = _day(case["answered_at"])
            acc.add(source, day, *base, "answered")
            if case["answer_working_days"] is not None:
                acc.add(source, day, *base, "answer_days_n")
                acc.add(source, day, *base, "answer_days_sum", case["answer_working_days"])
        for order in orders[pk]:
            if order["issued_at"] is not None:
                own = _closure([order["department__path"]])
                day = _day(order["issued_at"])
                acc.add(source, day, *base[:3], own, "issued")
                acc.add(source, day, *base[:3], own, "disputed", int(order["disputed"]))
    clocks = Clock.objects.filter(
        case_id__in=list(cases), kind__in=(ClockKind.SIGN, ClockKind.ANSWER, ClockKind.FIX)
    ).exclude(state=ClockState.CANCELLED)
    for clock in clocks.values(
        "case_id", "work_order_id", "kind", "state", "due_at", "stopped_at", "late_hours",
        "late_working_days",
    ):  # fmt: skip
        centre, channel, cause, depts = dims[clock["case_id"]]
        source = case_key(clock["case_id"])
        order = order_by_id.get(clock["work_order_id"])
        own = _closure([order["department__path"]]) if order else ""
        met = clock["state"] == ClockState.MET
        if clock["kind"] == ClockKind.SIGN:
            on_time = met and clock["late_hours"] == 0 and order is not None and order["contacted"]
            day = _day(clock["due_at"])
            acc.add(source, day, centre, channel, cause, own, "sign_due")
            acc.add(source, day, centre, channel, cause, own, "sign_met", int(on_time))
        elif met and clock["stopped_at"] is not None:
            day = _day(clock["stopped_at"])
            on_time = int(clock["late_working_days"] == 0)
            if clock["kind"] == ClockKind.ANSWER:
                acc.add(source, day, centre, channel, cause, own, "answer_met")
                acc.add(source, day, centre, channel, cause, own, "answer_on_time", on_time)
            else:
                acc.add(source, day, centre, channel, cause, depts, "fix_met")
                acc.add(source, day, centre, channel, cause, depts, "fix_on_time", on_time)
    visits = ReturnVisit.objects.filter(
        case_id__in=list(cases), outcome__in=(VisitOutcome.CLOSED, VisitOutcome.REOPENED)
    )
    for visit in visits.values("case_id", "outcome", "solved", "concluded_at"):
        if visit["concluded_at"] is None:
            continue
        centre, channel, cause, depts = dims[visit["case_id"]]
        source, day = case_key(visit["case_id"]), _day(visit["concluded_at"])
        acc.add(source, day, centre, channel, cause, depts, "visited")
        acc.add(source, day, centre, channel, cause, depts, "solved", int(bool(visit["solved"])))
        reopened = int(visit["outcome"] == VisitOutcome.REOPENED)
        acc.add(source, day, centre, channel, cause, depts, "reopened", reopened)
    ratings = Rating.objects.filter(case_id__in=list(cases))
    for rating in _rating_rows(ratings):
        _, channel, cause, _ = dims[rating["case_id"]]
        _add_rating(acc, case_key(rating["case_id"]), rating, channel, cause)
    return {case_key(pk): acc.out.get(case_key(pk), {}) for pk in case_ids}


def _rating_rows(ratings: Any) -> Iterator[dict[str, Any]]:
    return ratings.exclude(state=RatingState.EXCLUDED).values(
        "id", "case_id", "centre_id", "level", "rated_at", "window__department__path",
        "staff__department__path",
    ).iterator()  # fmt: skip


def _add_rating(acc: _Facts, source: str, rating: dict[str, Any], channel: str, cause: int) -> None:
    depts = _closure([rating["window__department__path"], rating["staff__department__path"]])
    day = _day(rating["rated_at"])
    acc.add(source, day, rating["centre_id"], channel, cause, depts, "rated")
    good = int(rating["level"] not in BAD_LEVELS)
    acc.add(source, day, rating["centre_id"], channel, cause, depts, "rated_good", good)


def rating_facts(rating_ids: list[int]) -> dict[str, Facts]:
    """The contribution of window ratings that are not about a case (no channel, no cause)."""
    acc = _Facts()
    for rating in _rating_rows(Rating.objects.filter(pk__in=rating_ids, case__isnull=True)):
        _add_rating(acc, rating_key(rating["id"]), rating, "", NO_CAUSE)
    return {rating_key(pk): acc.out.get(rating_key(pk), {}) for pk in rating_ids}


def facts_of(keys: list[str]) -> dict[str, Facts]:
    cases = [int(key[1:]) for key in keys if key.startswith("c")]
    ratings = [int(key[1:]) for key in keys if key.startswith("r")]
    return {**case_facts(cases), **rating_facts(ratings)}


# --- Applying ---------------------------------------------------------------------------------


def _tallies_of(delta: Facts) -> dict[TallyKey, int]:
    rows: dict[TallyKey, int] = defaultdict(int)
    for key, n in delta.items():
        if n and key.startswith(f"{TALLY}|"):
            _, day, centre, dimension, value = key.split("|")
            rows[(dimension, date.fromisoformat(day), int(centre), int(value))] += n
    return rows


def _rows_of(delta: Facts) -> dict[RowKey, dict[str, int]]:
    rows: dict[RowKey, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for key, n in delta.items():
        if not n or key.startswith(f"{TALLY}|"):
            continue
        day, centre, channel, cause, depts, counter = key.split("|")
        on = date.fromisoformat(day)
        for dept in [ALL_DEPARTMENTS, *(int(d) for d in depts.split(".") if d)]:
            rows[(dept, on, int(centre), channel, int(cause))][counter] += n
    return rows


_FIGURE_KEY = ("department", "day", "centre", "channel", "cause")
_COLUMNS = (*_FIGURE_KEY, *COUNTERS)
_TALLY_KEY = ("dimension", "day", "centre", "value")


def _add(
    model: Any, key: tuple[str, ...], counters: tuple[str, ...], rows: dict[Any, list[int]]
) -> None:
    """Add the counters to their rows, creating the rows that are missing (one statement per
    row, batched; the same SQL on SQLite and PostgreSQL)."""
    if not rows:
        return
    table = model._meta.db_table
    columns = (*key, *counters)
    placeholders = ", ".join(["%s"] * len(columns))
    updates = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in counters)
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders}) "  # noqa: S608
        f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {updates}"
    )
    # In key order, so that two transactions lock shared rows in the same order (no deadlock).
    params: Any = [[*k, *rows[k]] for k in sorted(rows)]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _add_delta(delta: Facts) -> None:
    figures = _rows_of(delta)
    _add(DailyFigure, _FIGURE_KEY, COUNTERS, {
        key: [counters.get(c, 0) for c in COUNTERS] for key, counters in figures.items()
    })  # fmt: skip
    _add(DailyTally, _TALLY_KEY, ("n",), {k: [n] for k, n in _tallies_of(delta).items()})


def _diff(old: Facts, new: Facts) -> Facts:
    delta = dict(new)
    for key, n in old.items():
        delta[key] = delta.get(key, 0) - n
    return delta


def apply_marks(batch: int = BATCH) -> int:
    """Bring the roll-up up to date with every committed mark; returns how many sources."""
    done = 0
    while DirtySource.objects.exists():
        with transaction.atomic():
            keys = list(
                DirtySource.objects.select_for_update(skip_locked=True)
                .order_by("key")
                .values_list("key", flat=True)[:batch]
            )
            if not keys:
                break
            _apply(keys)
            DirtySource.objects.filter(key__in=keys).delete()
            done += len(keys)
    return done


def _apply(keys: list[str]) -> None:
    new = facts_of(keys)
    old = dict(
        FigureSource.objects.select_for_update().filter(key__in=keys).values_list("key", "facts")
    )
    delta: Facts = {}
    for key in keys:
        for fact, n in _diff(old.get(key, {}), new.get(key, {})).items():
            delta[fact] = delta.get(fact, 0) + n
    _add_delta(delta)
    cases = [int(key[1:]) for key in keys if key.startswith("c")]
    CaseDepartment.objects.filter(case_id__in=cases).delete()
    _insert_departments(new)
    kept = [FigureSource(key=key, facts=facts) for key, facts in new.items() if facts]
    FigureSource.objects.filter(key__in=[k for k in keys if not new.get(k)]).delete()
    FigureSource.objects.bulk_create(
        kept, update_conflicts=True, unique_fields=["key"], update_fields=["facts"]
    )


@transaction.atomic
def rebuild(progress: Any = None) -> int:
    """Recompute the whole roll-up from the rows (after a bulk load or to check it)."""
    DailyFigure.objects.all().delete()
    DailyTally.objects.all().delete()
    FigureSource.objects.all().delete()
    DirtySource.objects.all().delete()
    CaseDepartment.objects.all().delete()
    # A rebuild usually follows a bulk load: without fresh statistics PostgreSQL's planner
    # takes the loaded tables for small and scans them whole for every batch. Only the tables
    # read here: a bare ANALYZE would also lock the shared catalogues until this commits.
    read = (Case, Triage, WorkOrder, WorkOrderEvent, Contact, Clock, ReturnVisit, Rating)
    with connection.cursor() as cursor:
        for model in read:
            cursor.execute(f'ANALYZE "{model._meta.db_table}"')
    sources = [
        *(case_key(pk) for pk in Case.objects.order_by("pk").values_list("pk", flat=True)),
        *(
            rating_key(pk)
            for pk in Rating.objects.filter(case__isnull=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        ),
    ]
    total: dict[RowKey, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    tallies: dict[TallyKey, int] = defaultdict(int)
    for start in range(0, len(sources), BATCH):
        chunk = sources[start : start + BATCH]
        facts = facts_of(chunk)
        merged = _merge(facts.values())
        for key, counters in _rows_of(merged).items():
            for counter, n in counters.items():
                total[key][counter] += n
        for tally, n in _tallies_of(merged).items():
            tallies[tally] += n
        insert_rows(FigureSource, ("key", "facts"), _source_rows(facts))
        insert_rows(CaseDepartment, ("case_id", "department", "day"), _department_rows(facts))
        if progress is not None:
            progress(start + len(chunk), len(sources))
    # Into the emptied table, each row once: plain inserts.
    figures = ([*key, *(total[key].get(c, 0) for c in COUNTERS)] for key in sorted(total))
    insert_rows(DailyFigure, _COLUMNS, figures)
    counted = ([*key, tallies[key]] for key in sorted(tallies))
    insert_rows(DailyTally, (*_TALLY_KEY, "n"), counted)
    return len(sources)


def _source_rows(facts_by_key: dict[str, Facts]) -> Iterator[tuple[str, str]]:
    for key, facts in facts_by_key.items():
        if facts:
            yield key, json.dumps(facts)


def _departments_of(facts: Facts) -> tuple[str, list[int]] | None:
    """A case's registration day and its departments, from its "received" fact."""
    for key in facts:
        if key.endswith("|received"):
            day, _, _, _, depts, _ = key.split("|")
            return day, [int(d) for d in depts.split(".") if d]
    return None


def _department_rows(facts_by_key: dict[str, Facts]) -> Iterator[tuple[int, int, date]]:
    """(case, department, registration day) for each department each case concerns."""
    for key, facts in facts_by_key.items():
        if key.startswith("c") and (found := _departments_of(facts)) is not None:
            day = date.fromisoformat(found[0])
            for department in found[1]:
                yield int(key[1:]), department, day


def _insert_departments(facts_by_key: dict[str, Facts]) -> None:
    insert_rows(CaseDepartment, ("case_id", "department", "day"), _department_rows(facts_by_key))


@transaction.atomic
def rebuild_departments() -> int:
    """Rebuild only ``CaseDepartment`` from the kept contributions (cheaper than ``rebuild``)."""
    apply_marks()
    CaseDepartment.objects.all().delete()
    sources = FigureSource.objects.filter(key__startswith="c").values_list("key", "facts")
    batch: dict[str, Facts] = {}
    for key, facts in sources.iterator(chunk_size=BATCH):
        batch[key] = facts
        if len(batch) == BATCH:
            _insert_departments(batch)
            batch = {}
    _insert_departments(batch)
    return CaseDepartment.objects.count()


def _merge(all_facts: Iterable[Facts]) -> Facts:
    out: Facts = {}
    for facts in all_facts:
        for key, n in facts.items():
            out[key] = out.get(key, 0) + n
    return out


# --- Reading ----------------------------------------------------------------------------------


def rows_q(
    *, start: date, end: date, department: int, centres: list[int] | None, channel: str,
    causes: list[int] | None,
) -> Q:  # fmt: skip
    """The roll-up rows of a period (``end`` exclusive) and scope."""
    q = Q(department=department, day__gte=start, day__lt=end)
    if centres is not None:
        q &= Q(centre__in=centres)
    if channel:
        q &= Q(channel=channel)
    if causes is not None:
        q &= Q(cause__in=causes)
    return q


def department_ids_under(department: Department) -> list[int]:
    return list(
        Department.objects.filter(path__startswith=department.path).values_list("pk", flat=True)
    )
