"""What a page shows of a case: masked personal data and readable timeline entries.

Templates make no decisions; these functions decide what each reader sees.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from doudi.cases.models import Case, CaseEvent
from doudi.cases.workflow import MOVES, State
from doudi.lib.masking import mask_email, mask_id_number, mask_name, mask_phone
from doudi.lib.prose import join_clauses

EVENT_LABELS = {
    **{name: move.label for name, move in MOVES.items()},
    "merged_in": gettext_lazy("合并了重复案件"),
    "info_added": gettext_lazy("补充材料"),
    "triaged": gettext_lazy("专班分拣"),
    "work_order_disputed": gettext_lazy("工作单被退单"),
    "work_order_submitted": gettext_lazy("部门提交办理结果"),
    "anonymised": gettext_lazy("个人信息已按保存期限删除"),
}

# What the reporter reads instead of the task force's words for its own steps.
PUBLIC_EVENT_LABELS = {
    "send_to_triage": gettext_lazy("转交工作专班"),
    "dispatch": gettext_lazy("交负责部门办理"),
    "start": gettext_lazy("负责部门已接收"),
    "await_review": gettext_lazy("负责部门已答复，工作专班审核"),
    "accept": gettext_lazy("审核通过，答复您"),
    "rework": gettext_lazy("工作专班要求部门重新办理"),
    "back_to_triage": gettext_lazy("工作专班重新安排"),
}
PUBLIC_STATE_LABELS = {
    State.TRIAGE: gettext_lazy("工作专班处理中"),
    State.DISPATCHED: gettext_lazy("已交负责部门"),
    State.REVIEW: gettext_lazy("工作专班审核中"),
}


def state_label(state: str, *, public: bool) -> str:
    if public and state in PUBLIC_STATE_LABELS:
        return str(PUBLIC_STATE_LABELS[State(state)])
    return str(State(state).label) if state in State.values else ""


@dataclass(frozen=True)
class PersonalData:
    name: str
    phone: str
    id_number: str
    email: str
    masked: bool


@dataclass(frozen=True)
class CaseView:
    reporter_label: str
    personal: PersonalData


def present_case(case: Case, *, unmasked: dict[str, str] | None) -> CaseView:
    """Masked personal data unless ``unmasked`` (from the logged reveal action) is given."""
    if unmasked is not None:
        personal = PersonalData(
            name=unmasked["name"],
            phone=unmasked["phone"],
            id_number=unmasked["id_number"],
            email=unmasked["email"],
            masked=False,
        )
    else:
        personal = PersonalData(
            name=mask_name(case.reporter_name),
            phone=mask_phone(case.reporter_phone),
            id_number=mask_id_number(case.reporter_id_number),
            email=mask_email(case.reporter_email),
            masked=True,
        )
    if case.is_anonymous:
        label = _("匿名")
    elif case.reporter_kind == "company":
        label = case.company_name
    else:
        label = personal.name
    return CaseView(reporter_label=label, personal=personal)


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    label: str
    who: str
    detail: str
    state_label: str
    other_case: str  # the number of a merged case the event belongs to, if not this case


def _detail(event: CaseEvent, *, public: bool) -> str:
    payload = event.payload or {}
    parts = []
    if event.kind == "transfer":
        parts.append(_("转至%(receiver)s") % {"receiver": payload.get("receiver", "")})
        if payload.get("reference"):
            parts.append(_("对方编号 %(ref)s") % {"ref": payload["reference"]})
    elif event.kind == "out_of_scope" and payload.get("where_to_go"):
        parts.append(_("办理途径：%(where)s") % {"where": payload["where_to_go"]})
    elif event.kind == "merge":
        parts.append(_("合并到案件 %(number)s") % {"number": payload.get("into", "")})
    elif event.kind == "merged_in":
        parts.append(_("案件 %(number)s 并入本案") % {"number": payload.get("source", "")})
    elif event.kind == "register" and payload.get("import") and not public:
        # Registered by an import: the time is the source's, the actor the one who imported.
        parts.append(_("批量导入，来源编号 %(ref)s") % {"ref": payload.get("source", "")})
    elif event.kind == "info_added" and payload.get("files"):
        parts.append(_("附件 %(n)s 个") % {"n": payload["files"]})
    if event.reason and not (public and event.kind == "send_to_triage"):
        parts.insert(0, event.reason)
    return join_clauses(parts)


def _who(event: CaseEvent, *, public: bool) -> str:
    if event.by_reporter:
        return _("反映人")
    if event.actor is None:
        return _("系统")
    if public:
        return _("工作人员")
    return str(event.actor)


def present_timeline(
    events: list[CaseEvent], *, public: bool, case: Case | None = None
) -> list[TimelineEntry]:
    entries = []
    for event in events:
        to_state = event.to_state
        entries.append(
            TimelineEntry(
                at=event.at,
                label=str(
                    (public and PUBLIC_EVENT_LABELS.get(event.kind))
                    or EVENT_LABELS.get(event.kind, event.kind)
                ),
                who=_who(event, public=public),
                detail=_detail(event, public=public),
                state_label=state_label(to_state, public=public),
                other_case=event.case.number
                if case is not None and event.case_id != case.pk
                else "",
            )
        )
    return entries
