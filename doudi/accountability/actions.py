"""Recording an accountability finding, appealing it and deciding the appeal."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from doudi.accountability.models import Finding, FindingEvent
from doudi.accountability.selectors import finding_candidates
from doudi.accountability.workflow import FindingKind, FindingState, finding_guard
from doudi.accounts.roles import Capability, capabilities_of
from doudi.audit.actions import audit_record
from doudi.cases.actions import case_event
from doudi.cases.models import Case
from doudi.cases.workflow import DomainError

if TYPE_CHECKING:
    from doudi.accounts.models import User
    from doudi.directory.models import Staff, Window


def finding_record(
    *,
    actor: User,
    case_id: int,
    kind: str,
    evidence: str,
    staff: Staff | None = None,
    window: Window | None = None,
) -> Finding:
    """A supervisor finds fault with staff or a window involved in a case."""
    if Capability.SUPERVISE not in capabilities_of(actor.role):
        raise DomainError(_("您的角色不能进行此操作。"))
    if kind not in FindingKind.values:
        raise DomainError(_("请选择问题类型。"))
    evidence = evidence.strip()
    if not evidence:
        raise DomainError(_("请写明事实与证据。"))
    if staff is None and window is None:
        raise DomainError(_("请选择被认定的工作人员或窗口。"))
    with transaction.atomic():
        case = Case.objects.select_for_update().select_related("centre").get(pk=case_id)
        candidates = finding_candidates(case)
        if staff is not None and staff.pk not in {s.pk for s in candidates.staff}:
            raise DomainError(_("所选工作人员不在本案件所属中心。"))
        if window is not None and window.pk not in {w.pk for w in candidates.windows}:
            raise DomainError(_("所选窗口不在本案件所属中心。"))
        if window is None and staff is not None:
            window = staff.window
        finding = Finding.objects.create(
            case=case,
            staff=staff,
            window=window,
            kind=kind,
            evidence=evidence,
            state=FindingState.RECORDED,
            recorded_by=actor,
        )
        FindingEvent.objects.create(
            finding=finding, kind="record", actor=actor, to_state=finding.state, reason=evidence
        )
        case_event(
            case,
            "finding_recorded",
            actor=actor,
            public=False,
            payload={"kind": finding.get_kind_display(), "staff": str(staff or ""),
                     "window": str(window or "")},
        )  # fmt: skip
        audit_record(
            actor=actor,
            action="finding.record",
            object_type="finding",
            object_id=finding.pk,
            detail={"case": case.number, "kind": kind},
        )
    return finding


def finding_move(*, actor: User, finding_id: int, move_name: str, reason: str) -> Finding:
    """Appeal a finding (for the staff member's department) or decide on it (a supervisor)."""
    reason = reason.strip()
    if not reason:
        raise DomainError(_("请说明理由。"))
    with transaction.atomic():
        finding = Finding.objects.select_for_update().get(pk=finding_id)
        move = finding_guard(move_name, finding.state, capabilities_of(actor.role))
        from_state = finding.state
        finding.state = move.target
        field = "appeal_reason" if move_name == "appeal" else "decision"
        setattr(finding, field, reason)
        finding.save(update_fields=["state", field])
        FindingEvent.objects.create(
            finding=finding,
            kind=move_name,
            actor=actor,
            from_state=from_state,
            to_state=finding.state,
            reason=reason,
        )
        audit_record(
            actor=actor,
            action=f"finding.{move_name}",
            object_type="finding",
            object_id=finding.pk,
            detail={"reason": reason, "from": from_state, "to": finding.state},
        )
    return finding
