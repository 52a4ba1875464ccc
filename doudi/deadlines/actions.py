"""Starting, stopping and sweeping clocks; raising supervision (督办) for overdue ones.

Every deadline is computed by the working-day calendar (doudi.workcal) and stored; the sweep
reads only the indexed columns and claims rows with conditional updates, so running it twice,
or on two workers at once, raises nothing twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import partial
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from doudi.deadlines.models import RUNNING_STATES, Clock, ClockKind, ClockState, Supervision
from doudi.workcal.selectors import work_calendar
from doudi.workorders.models import WorkOrder

if TYPE_CHECKING:
    from doudi.cases.models import Case

logger = logging.getLogger(__name__)

# A clock is "due soon" from this long before its due time.
DUE_SOON_WINDOW = timedelta(hours=24)
SWEEP_BATCH = 2000
NOON = time(12, 0)  # the triage clock: work orders out by 12:00 of the next working day
TRIAGE_WORKING_DAYS = 1


def compute_due(
    counted_from: datetime, working_days: int, *, at_noon: bool
) -> tuple[datetime, bool]:
    """(due time, provisional) for a clock counted from ``counted_from``."""
    deadline = work_calendar().deadline(
        timezone.localtime(counted_from), working_days, due_time=NOON if at_noon else None
    )
    return deadline.due, deadline.provisional


def triage_due(registered_at: datetime) -> datetime:
    """When the triage clock of a case registered then falls due (the receipt names it)."""
    return compute_due(registered_at, TRIAGE_WORKING_DAYS, at_noon=True)[0]


def triage_clock_start(*, case: Case, counted_from: datetime, now: datetime | None = None) -> Clock:
    """The task force's clock: work orders out by 12:00 of the next working day after
    ``counted_from`` (the registration, or a reopening)."""
    return clock_start(
        kind=ClockKind.TRIAGE,
        case=case,
        counted_from=counted_from,
        working_days=TRIAGE_WORKING_DAYS,
        at_noon=True,
        now=now,
    )


def _soon(due: datetime, started: datetime) -> datetime:
    return max(due - DUE_SOON_WINDOW, started)


def clock_start(
    *,
    kind: ClockKind,
    case: Case,
    counted_from: datetime,
    working_days: int,
    work_order: WorkOrder | None = None,
    at_noon: bool = False,
    now: datetime | None = None,
) -> Clock:
    now = now or timezone.now()
    due, provisional = compute_due(counted_from, working_days, at_noon=at_noon)
    # Even a clock that starts already late begins "on time": the sweep marks it overdue and
    # raises its supervision, so that there is one path for both.
    return Clock.objects.create(
        kind=kind,
        case=case,
        work_order=work_order,
        counted_from=counted_from,
        working_days=working_days,
        due_at_noon=at_noon,
        due_at=due,
        soon_at=_soon(due, now),
        provisional=provisional,
        started_at=now,
        state=ClockState.ON_TIME,
    )


def clock_lateness(clock: Clock, now: datetime) -> tuple[int, int]:
    """How late a clock stopped at ``now`` is: (working days, hours); (0, 0) when in time."""
    if now <= clock.due_at:
        return 0, 0
    days = work_calendar().working_days_between(
        timezone.localdate(clock.due_at), timezone.localdate(now)
    )
    hours = int((now - clock.due_at).total_seconds() // 3600)
    return max(days, 0), hours


def clock_stop(
    *, kind: ClockKind, case: Case, work_order: WorkOrder | None = None, now: datetime | None = None
) -> Clock | None:
    """Stop the running clock of this kind: met, and how late, if at all."""
    now = now or timezone.now()
    clock = (
        Clock.objects.select_for_update()
        .filter(kind=kind, case=case, work_order=work_order, state__in=RUNNING_STATES)
        .first()
    )
    if clock is None:
        return None
    clock.late_working_days, clock.late_hours = clock_lateness(clock, now)
    clock.state = ClockState.MET
    clock.stopped_at = now
    clock.save(update_fields=["state", "stopped_at", "late_working_days", "late_hours"])
    Supervision.objects.filter(clock=clock, resolved_at__isnull=True).update(resolved_at=now)
    return clock


def clock_extend(*, clock: Clock, extra_working_days: int, now: datetime | None = None) -> Clock:
    """Add working days to a running clock (an approved extension)."""
    now = now or timezone.now()
    clock.working_days += extra_working_days
    clock.due_at, clock.provisional = compute_due(
        clock.counted_from, clock.working_days, at_noon=clock.due_at_noon
    )
    clock.soon_at = _soon(clock.due_at, now)
    if clock.due_at > now:
        clock.state = ClockState.ON_TIME
    clock.save(update_fields=["working_days", "due_at", "soon_at", "provisional", "state"])
    return clock


def clock_redate(*, clock: Clock, counted_from: datetime, started_at: datetime) -> Clock:
    """Count a clock from another moment (the demo data dates its cases in the past)."""
    clock.counted_from, clock.started_at = counted_from, started_at
    clock.due_at, clock.provisional = compute_due(
        counted_from, clock.working_days, at_noon=clock.due_at_noon
    )
    clock.soon_at = _soon(clock.due_at, started_at)
    clock.save(update_fields=["counted_from", "started_at", "due_at", "provisional", "soon_at"])
    return clock


def clocks_cancel(*, case: Case, work_order: WorkOrder | None = None) -> int:
    clocks = Clock.objects.filter(case=case, state__in=RUNNING_STATES)
    if work_order is not None:
        clocks = clocks.filter(work_order=work_order)
    return clocks.update(state=ClockState.CANCELLED, stopped_at=timezone.now())


@dataclass(frozen=True)
class SweepResult:
    due_soon: int
    overdue: int
    supervisions: int


def sweep(*, now: datetime | None = None) -> SweepResult:
    """Mark due-soon and overdue clocks and raise one supervision per newly overdue clock.

    Steps: (1) running clocks past their soon time become due soon, in one UPDATE; (2) in
    batches, running clocks past their due time are locked (skipping rows another sweeper holds),
    marked overdue and get a Supervision row (unique per clock, so a second run adds none);
    (3) the department's head and the centre's supervisors are told after commit.
    """
    now = now or timezone.now()
    due_soon = Clock.objects.filter(
        state=ClockState.ON_TIME, soon_at__lte=now, due_at__gt=now
    ).update(state=ClockState.DUE_SOON)
    overdue = 0
    raised: list[int] = []
    while True:
        with transaction.atomic():
            batch = list(
                Clock.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(state__in=(ClockState.ON_TIME, ClockState.DUE_SOON), due_at__lte=now)
                .select_related("work_order")
                .order_by("due_at")[:SWEEP_BATCH]
            )
            if not batch:
                break
            ids = [clock.pk for clock in batch]
            overdue += Clock.objects.filter(pk__in=ids).update(state=ClockState.OVERDUE)
            items = [
                Supervision(
                    clock=clock,
                    case_id=clock.case_id,
                    work_order=clock.work_order,
                    department_id=clock.work_order.department_id if clock.work_order else None,
                    raised_at=now,
                )
                for clock in batch
            ]
            Supervision.objects.bulk_create(items, ignore_conflicts=True)
            created = list(
                Supervision.objects.filter(clock_id__in=ids, raised_at=now).values_list(
                    "pk", flat=True
                )
            )
            raised.extend(created)
            transaction.on_commit(partial(_notify_supervisions, created))
    return SweepResult(due_soon=due_soon, overdue=overdue, supervisions=len(raised))


def _notify_supervisions(supervision_ids: list[int]) -> None:
    from doudi.deadlines.tasks import notify_supervisions

    notify_supervisions(supervision_ids)


def recompute_provisional(*, year: int) -> int:
    """After a year's official arrangement is imported: recompute the provisional due times
    of running clocks whose period spans that year."""
    clocks = Clock.objects.filter(
        provisional=True,
        state__in=RUNNING_STATES,
        counted_from__year__lte=year,
        due_at__year__gte=year,
    )
    now = timezone.now()
    changed = 0
    for clock in clocks.iterator():
        due, provisional = compute_due(
            clock.counted_from, clock.working_days, at_noon=clock.due_at_noon
        )
        if (due, provisional) == (clock.due_at, clock.provisional):
            continue
        clock.due_at, clock.provisional, clock.soon_at = due, provisional, _soon(due, now)
        if clock.state != ClockState.OVERDUE and due > now:
            clock.state = ClockState.ON_TIME
        clock.save(update_fields=["due_at", "provisional", "soon_at", "state"])
        if clock.kind == ClockKind.ANSWER and clock.work_order_id:
            # The work order shows its answer deadline: keep it equal to its clock's.
            WorkOrder.objects.filter(pk=clock.work_order_id).update(
                answer_due=due, answer_due_provisional=provisional
            )
        changed += 1
    return changed
