"""The life of a work order (问题工作单), as data.

waiting ─(previous one in a sequence done)─> issued
issued ─> signed ─> submitted ─> accepted
  │          ^           └─(returned for rework)─> signed
  └─> disputed (退单) ─> reassigned (a new work order goes to another department)
cancelled: the case left the workflow (withdrawn, merged)
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from doudi.accounts.roles import Capability


class WorkOrderState(models.TextChoices):
    WAITING = "waiting", _("待前序完成")
    ISSUED = "issued", _("待签收")
    SIGNED = "signed", _("办理中")
    DISPUTED = "disputed", _("已退单")
    SUBMITTED = "submitted", _("已提交结果")
    ACCEPTED = "accepted", _("已通过审核")
    REASSIGNED = "reassigned", _("已改派")
    CANCELLED = "cancelled", _("已撤销")


ACTIVE_STATES = frozenset({WorkOrderState.ISSUED, WorkOrderState.SIGNED, WorkOrderState.SUBMITTED})
# A department is still working on it: the answer clock runs.
HANDLING_STATES = frozenset({WorkOrderState.ISSUED, WorkOrderState.SIGNED})


@dataclass(frozen=True)
class Move:
    name: str
    label: str | Promise
    sources: frozenset[str]
    target: WorkOrderState
    capability: Capability


S = WorkOrderState
MOVES: dict[str, Move] = {
    move.name: move
    for move in (
        Move("open", _("开启（前序已完成）"), frozenset({S.WAITING}), S.ISSUED, Capability.TRIAGE),
        Move("sign", _("签收"), frozenset({S.ISSUED}), S.SIGNED, Capability.WORK_ORDER_HANDLE),
        Move("dispute", _("退单"), frozenset({S.ISSUED}), S.DISPUTED, Capability.WORK_ORDER_HANDLE),
        Move("submit", _("提交办理结果"), frozenset({S.SIGNED}), S.SUBMITTED,
             Capability.WORK_ORDER_HANDLE),
        Move("accept", _("审核通过"), frozenset({S.SUBMITTED}), S.ACCEPTED, Capability.TRIAGE),
        Move("rework", _("退回重办"), frozenset({S.SUBMITTED}), S.SIGNED, Capability.TRIAGE),
        Move("reassign", _("改派"), frozenset({S.DISPUTED}), S.REASSIGNED, Capability.TRIAGE),
        Move("cancel", _("撤销"),
             frozenset({S.WAITING, S.ISSUED, S.SIGNED, S.DISPUTED, S.SUBMITTED}),
             S.CANCELLED, Capability.TRIAGE),
    )
}  # fmt: skip

EVENT_LABELS = {
    **{name: move.label for name, move in MOVES.items()},
    "issue": _("派单"),
    "contact": _("联系反映人"),
    "note": _("办理进展"),
    "extension_requested": _("申请延期"),
    "extension_approved": _("延期获批"),
    "extension_denied": _("延期未获批"),
}
