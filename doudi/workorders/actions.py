"""Every change to a work order: create/open, sign, dispute, reassign, contact, note, extend,
submit, review (accept or rework), cancel.

Each action locks the work order, checks the version its form was built from (two people at
once: one succeeds, the other is told the work order changed), checks the move against the
table in workflow.py, writes a WorkOrderEvent, and moves the case when the work orders as a
whole have moved it (first sign-for → in progress; all results in → review).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from doudi.accounts.roles import capabilities_of
from doudi.cases.actions import Upload, case_event, case_move, check_uploads, store_uploads
from doudi.cases.models import Case
from doudi.cases.workflow import DomainError, State
from doudi.core.errors import ConflictError
from doudi.deadlines.actions import clock_extend, clock_start, clock_stop, clocks_cancel
from doudi.deadlines.models import RUNNING_STATES, Clock, ClockKind
from doudi.directory.models import Department
from doudi.lib.prose import clause, join_clauses
from doudi.search.actions import reach_refresh
from doudi.triage.models import DEFAULT_TIER_DAYS, Tier
from doudi.workcal.selectors import work_calendar
from doudi.workorders.models import (
    CaseRecipient,
    Contact,
    Extension,
    ExtensionDecision,
    ResultKind,
    Role,
    WorkOrder,
    WorkOrderEvent,
)
from doudi.workorders.workflow import MOVES, WorkOrderState

if TYPE_CHECKING:
    from doudi.accounts.models import User

SIGN_FOR_WORKING_DAYS = 1
REWORK_WORKING_DAYS = 3
MAX_EXTENSION_DAYS = 20


def _lock(work_order_id: int, version: int | None) -> WorkOrder:
    order = (
        WorkOrder.objects.select_for_update()
        .select_related("case__centre", "department")
        .get(pk=work_order_id)
    )
    if version is not None and order.version != version:
        raise ConflictError(_("该工作单刚被他人处理过，请刷新页面查看最新状态后再操作。"))
    return order


def _transition(
    order: WorkOrder,
    move_name: str,
    *,
    actor: User | None,
    reason: str = "",
    payload: dict[str, Any] | None = None,
    updates: dict[str, Any] | None = None,
) -> WorkOrderEvent:
    move = MOVES[move_name]
    if order.state not in move.sources:
        raise ConflictError(
            _("工作单当前状态为“%(state)s”，不能%(move)s。")
            % {"state": order.get_state_display(), "move": move.label}
        )
    if actor is not None and move.capability not in capabilities_of(actor.role):
        raise DomainError(_("您的角色不能进行此操作。"))
    from_state = order.state
    order.state = move.target
    order.version += 1
    for name, value in (updates or {}).items():
        setattr(order, name, value)
    order.save(update_fields=["state", "version", *(updates or {})])
    return WorkOrderEvent.objects.create(
        work_order=order,
        kind=move_name,
        actor=actor,
        from_state=from_state,
        to_state=move.target,
        reason=reason,
        payload=payload or {},
    )


def _log(order: WorkOrder, kind: str, *, actor: User, reason: str = "", **payload: Any) -> None:
    order.version += 1
    order.save(update_fields=["version"])
    WorkOrderEvent.objects.create(
        work_order=order, kind=kind, actor=actor, reason=reason, payload=payload
    )


def _open_clocks(order: WorkOrder, *, answer_days: int, now: datetime) -> None:
    """Sign-for: one working day from issue. Answer: the tier's working days from the case's
    registration, or from the reopening after an unsolved return visit (the promise made to the
    reporter)."""
    clock_start(
        kind=ClockKind.SIGN,
        case=order.case,
        work_order=order,
        counted_from=now,
        working_days=SIGN_FOR_WORKING_DAYS,
        now=now,
    )
    answer = clock_start(
        kind=ClockKind.ANSWER,
        case=order.case,
        work_order=order,
        counted_from=order.case.counted_from,
        working_days=answer_days,
        now=now,
    )
    order.answer_due, order.answer_due_provisional = answer.due_at, answer.provisional
    order.issued_at = now
    order.save(update_fields=["answer_due", "answer_due_provisional", "issued_at"])


def work_order_create(
    *,
    actor: User,
    case: Case,
    department: Department,
    lead: bool,
    step: int,
    open_now: bool,
    instructions: str,
    answer_days: int,
    now: datetime,
) -> WorkOrder:
    """A new work order of ``case`` (called by the batch issue and by reassignment)."""
    count = WorkOrder.objects.filter(case=case).count()
    order = WorkOrder.objects.create(
        number=f"{case.number}-{count + 1}",
        case=case,
        department=department,
        role=Role.LEAD if lead else Role.CO,
        step=step,
        state=WorkOrderState.ISSUED if open_now else WorkOrderState.WAITING,
        instructions=instructions,
        issued_by=actor,
        created_at=now,
    )
    # The case is now visible to the department (doudi.cases.access), in this transaction.
    CaseRecipient.objects.bulk_create(
        [CaseRecipient(case=case, department=department)], ignore_conflicts=True
    )
    reach_refresh([case.pk])  # and its search finds it
    WorkOrderEvent.objects.create(
        work_order=order,
        kind="issue",
        actor=actor,
        at=now,
        to_state=order.state,
        payload={"answer_days": answer_days, "department": department.name},
    )
    if open_now:
        _open_clocks(order, answer_days=answer_days, now=now)
    return order


def work_order_sign(*, actor: User, work_order_id: int, version: int | None = None) -> WorkOrder:
    with transaction.atomic():
        order = _lock(work_order_id, version)
        now = timezone.now()
        _transition(order, "sign", actor=actor, updates={"signed_at": now, "signed_by": actor})
        clock_stop(kind=ClockKind.SIGN, case=order.case, work_order=order, now=now)
        if order.case.state == State.DISPATCHED:
            case_move(
                case_id=order.case_id,
                move_name="start",
                actor=actor,
                payload={"department": order.department.name},
            )
    return order


def work_order_dispute(
    *, actor: User, work_order_id: int, reason: str, version: int | None = None
) -> WorkOrder:
    """退单: not this department's matter; back to the task force to reassign (counted)."""
    reason = reason.strip()
    if not reason:
        raise DomainError(_("退单须说明理由。"))
    with transaction.atomic():
        order = _lock(work_order_id, version)
        _transition(
            order, "dispute", actor=actor, reason=reason, updates={"dispute_reason": reason}
        )
        clocks_cancel(case=order.case, work_order=order)
        case_event(
            order.case,
            "work_order_disputed",
            actor=actor,
            public=False,
            reason=reason,
            payload={"work_order": order.number, "department": order.department.name},
        )
    return order


def work_order_reassign(
    *, actor: User, work_order_id: int, department: Department, version: int | None = None
) -> WorkOrder:
    """Send a disputed work order to another department, as a new work order."""
    with transaction.atomic():
        order = _lock(work_order_id, version)
        if department.pk == order.department_id:
            raise DomainError(_("请选择另一个部门。"))
        now = timezone.now()
        answer_days = _answer_days(order.case)
        new = work_order_create(
            actor=actor,
            case=order.case,
            department=department,
            lead=order.role == Role.LEAD,
            step=order.step,
            open_now=True,
            instructions=order.instructions,
            answer_days=answer_days,
            now=now,
        )
        _transition(
            order,
            "reassign",
            actor=actor,
            payload={"to": new.number, "department": department.name},
            updates={"reassigned_to": new},
        )
    return new


def _answer_days(case: Case) -> int:
    triage = getattr(case, "triage", None)
    return triage.working_days if triage is not None else DEFAULT_TIER_DAYS[Tier.GENERAL]


def work_order_contact(
    *, actor: User, work_order_id: int, method: str, reached: bool, note: str = ""
) -> Contact:
    with transaction.atomic():
        order = _lock(work_order_id, None)
        if order.state not in (WorkOrderState.SIGNED, WorkOrderState.ISSUED):
            raise DomainError(_("工作单不在办理中。"))
        contact = Contact.objects.create(
            work_order=order, method=method, reached=reached, note=note.strip(), by=actor
        )
        _log(order, "contact", actor=actor, reason=note.strip(), method=method, reached=reached)
    return contact


def work_order_note(*, actor: User, work_order_id: int, text: str) -> None:
    text = text.strip()
    if not text:
        raise DomainError(_("请填写进展情况。"))
    with transaction.atomic():
        order = _lock(work_order_id, None)
        if order.state != WorkOrderState.SIGNED:
            raise DomainError(_("签收后才能记录办理进展。"))
        _log(order, "note", actor=actor, reason=text)


def _answer_clock(order: WorkOrder) -> Clock | None:
    return Clock.objects.filter(
        kind=ClockKind.ANSWER, work_order=order, state__in=RUNNING_STATES
    ).first()


def work_order_request_extension(
    *, actor: User, work_order_id: int, working_days: int, reason: str
) -> Extension:
    """Ask for more time: before the deadline, with a reason; the task force decides."""
    reason = reason.strip()
    if not reason:
        raise DomainError(_("申请延期须说明理由。"))
    if not 1 <= working_days <= MAX_EXTENSION_DAYS:
        raise DomainError(_("延长天数应为1至%(n)s个工作日。") % {"n": MAX_EXTENSION_DAYS})
    with transaction.atomic():
        order = _lock(work_order_id, None)
        if order.state != WorkOrderState.SIGNED:
            raise DomainError(_("签收后、提交结果前才能申请延期。"))
        clock = _answer_clock(order)
        now = timezone.now()
        if clock is None or clock.due_at <= now:
            raise DomainError(_("已超过办理期限，不能再申请延期，请尽快办理并说明情况。"))
        if order.extensions.filter(decision=ExtensionDecision.PENDING).exists():
            raise DomainError(_("已有一项延期申请待审批。"))
        from doudi.deadlines.actions import compute_due

        new_due, provisional = compute_due(
            clock.counted_from, clock.working_days + working_days, at_noon=False
        )
        extension = Extension.objects.create(
            work_order=order,
            requested_by=actor,
            working_days=working_days,
            reason=reason,
            old_due=clock.due_at,
            new_due=new_due,
            new_due_provisional=provisional,
        )
        _log(order, "extension_requested", actor=actor, reason=reason, days=working_days)
    return extension


def work_order_decide_extension(
    *, actor: User, extension_id: int, approve: bool, note: str = ""
) -> Extension:
    with transaction.atomic():
        extension = Extension.objects.select_for_update().get(pk=extension_id)
        order = _lock(extension.work_order_id, None)
        if not approve and not note.strip():
            raise DomainError(_("不批准须说明理由。"))
        if extension.decision != ExtensionDecision.PENDING:
            raise ConflictError(_("该延期申请已经审批过了。"))
        extension.decision = ExtensionDecision.APPROVED if approve else ExtensionDecision.DENIED
        extension.decided_at = timezone.now()
        extension.decided_by = actor
        extension.decision_note = note.strip()
        extension.save(update_fields=["decision", "decided_at", "decided_by", "decision_note"])
        kind = "extension_approved" if approve else "extension_denied"
        _log(order, kind, actor=actor, reason=note.strip(), days=extension.working_days)
        if approve:
            clock = _answer_clock(order)
            if clock is not None:
                clock = clock_extend(clock=clock, extra_working_days=extension.working_days)
                order.answer_due, order.answer_due_provisional = clock.due_at, clock.provisional
                order.save(update_fields=["answer_due", "answer_due_provisional"])
            from doudi.cases.actions import notify_reporter

            due = timezone.localtime(order.answer_due) if order.answer_due else None
            notify_reporter(
                order.case,
                "case_extended",
                reason=clause(extension.reason),
                new_due=f"{due:%Y年%-m月%-d日}" if due else "",
                provisional=order.answer_due_provisional,
            )
    return extension


def work_order_submit(
    *,
    actor: User,
    work_order_id: int,
    result_kind: str,
    result: str,
    legal_basis: str = "",
    uploads: Sequence[Upload] = (),
    version: int | None = None,
) -> WorkOrder:
    """The department's result: solved, partly solved, or not possible with its legal or policy
    basis (a "no" always needs its basis)."""
    result, legal_basis = result.strip(), legal_basis.strip()
    if result_kind not in ResultKind.values:
        raise DomainError(_("请选择办理结果。"))
    if not result:
        raise DomainError(_("请填写结果说明。"))
    if result_kind in (ResultKind.NOT_POSSIBLE, ResultKind.PARTLY) and not legal_basis:
        raise DomainError(_("不能办理（或部分不能办理）的，必须写明法律或政策依据。"))
    checked = check_uploads(uploads)
    with transaction.atomic():
        order = _lock(work_order_id, version)
        now = timezone.now()
        _transition(
            order,
            "submit",
            actor=actor,
            reason=result,
            payload={"result_kind": result_kind},
            updates={
                "result_kind": result_kind,
                "result": result,
                "legal_basis": legal_basis,
                "submitted_at": now,
            },
        )
        clock_stop(kind=ClockKind.ANSWER, case=order.case, work_order=order, now=now)
        event = case_event(
            order.case,
            "work_order_submitted",
            actor=actor,
            public=False,
            reason=result,
            payload={"work_order": order.number, "department": order.department.name},
        )
        store_uploads(order.case, event, checked, actor=actor)
        _advance_case(order, actor=actor, now=now)
    return order


def _advance_case(order: WorkOrder, *, actor: User, now: datetime) -> None:
    """Open the next step of a sequence, or, when every work order has its result, put the case
    up for review."""
    siblings = WorkOrder.objects.select_for_update().filter(case=order.case)
    waiting = siblings.filter(state=WorkOrderState.WAITING).order_by("step", "pk").first()
    busy = siblings.filter(
        state__in=(WorkOrderState.ISSUED, WorkOrderState.SIGNED, WorkOrderState.DISPUTED)
    )
    if waiting is not None and not busy.filter(step__lte=waiting.step).exists():
        _transition(waiting, "open", actor=None, reason=_("前序部门已提交结果"))
        _open_clocks(waiting, answer_days=_answer_days(order.case), now=now)
        return
    if waiting is None and not busy.exists() and order.case.state == State.IN_PROGRESS:
        case_move(case_id=order.case_id, move_name="await_review", actor=actor)


def case_review(*, actor: User, case_id: int, accept: bool, reason: str = "") -> Case:
    """The task force accepts the results (the case is answered, the reporter told; the return
    visit opens on the "accept" move, in doudi.feedback) or returns them for rework (counted)."""
    reason = reason.strip()
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case_id)
        if case.state != State.REVIEW:
            raise ConflictError(_("案件不在待审核状态。"))
        submitted = list(
            WorkOrder.objects.select_for_update().filter(case=case, state=WorkOrderState.SUBMITTED)
        )
        now = timezone.now()
        if accept:
            for order in submitted:
                _transition(order, "accept", actor=actor, reason=reason)
            summary = join_clauses(f"{o.department.name}：{o.result}" for o in submitted)
            took = work_calendar().working_days_between(
                timezone.localdate(case.counted_from), timezone.localdate(now)
            )
            case = case_move(
                case_id=case.pk,
                move_name="accept",
                actor=actor,
                reason=reason,
                updates={"outcome": summary, "answered_at": now, "answer_working_days": took},
                notice={"result": summary},
            )
        else:
            if not reason:
                raise DomainError(_("退回重办须说明理由。"))
            for order in submitted:
                _transition(
                    order,
                    "rework",
                    actor=actor,
                    reason=reason,
                    updates={"rework_count": order.rework_count + 1},
                )
                clock_start(
                    kind=ClockKind.ANSWER,
                    case=case,
                    work_order=order,
                    counted_from=now,
                    working_days=REWORK_WORKING_DAYS,
                    now=now,
                )
            case = case_move(case_id=case.pk, move_name="rework", actor=actor, reason=reason)
    return case


def work_orders_cancel_for_case(*, case: Case, actor: User | None) -> int:
    """The case left the workflow (withdrawn, merged): its open work orders end."""
    open_orders = WorkOrder.objects.select_for_update().filter(
        case=case,
        state__in=(
            WorkOrderState.WAITING,
            WorkOrderState.ISSUED,
            WorkOrderState.SIGNED,
            WorkOrderState.DISPUTED,
            WorkOrderState.SUBMITTED,
        ),
    )
    count = 0
    for order in open_orders:
        _transition(order, "cancel", actor=None, reason=_("案件已撤回或合并"))
        count += 1
    return count


def case_recipients_fill() -> int:
    """Add the pairs (case, department) of work orders written past ``work_order_create``
    (bulk loads, ``bench/bigdata.py``): one statement, idempotent; and the reach of the cases'
    search rows, so that the departments' searches find them. The number of rows added."""
    from django.db import connection

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO workorders_caserecipient (department_id, case_id)"
            " SELECT DISTINCT o.department_id, o.case_id FROM workorders_workorder o"
            " WHERE NOT EXISTS (SELECT 1 FROM workorders_caserecipient d"
            " WHERE d.case_id = o.case_id AND d.department_id = o.department_id)"
            " RETURNING case_id"
        )
        added = [case_id for (case_id,) in cursor.fetchall()]
        reach_refresh(added)
        return len(added)
