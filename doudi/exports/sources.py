"""What can be exported. Each kind is a ``Source``: it rebuilds, for the user and the list's own
parameters, the queryset the list page shows (through the list's selector, so the user's scope
applies), and says which columns to load, the headers, and how one object becomes a row.

A row masks personal data unless the export is unmasked and the role may see it in full; the
choice labels are mapped once per export (``Sheet``), not per row.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import QuerySet
from django.utils import timezone

from doudi.accountability.models import Finding
from doudi.accountability.selectors import finding_list
from doudi.accountability.workflow import FindingKind, FindingState
from doudi.accounts.access import may
from doudi.accounts.roles import Capability
from doudi.analytics.forms import FilterForm
from doudi.analytics.selectors import SPEC_BY_KEY, drill_cases
from doudi.cases.access import CONFIDENTIAL_ROLES
from doudi.cases.models import Case, Channel
from doudi.cases.selectors import case_list
from doudi.cases.workflow import State
from doudi.deadlines.models import ClockKind
from doudi.directory.selectors import visible_centres, visible_departments
from doudi.feedback.models import Rating, ReturnVisit
from doudi.feedback.selectors import rating_list, visit_queue
from doudi.feedback.workflow import Level, RatingState, VisitOutcome
from doudi.feedback.workflow import Source as RatingSource
from doudi.lib.masking import mask_phone
from doudi.workorders.models import Role as WorkOrderRole
from doudi.workorders.models import WorkOrder
from doudi.workorders.selectors import inbox
from doudi.workorders.workflow import WorkOrderState

if TYPE_CHECKING:
    from doudi.accounts.models import User

Params = Mapping[str, str]


@dataclass(frozen=True)
class Sheet:
    """What every row of one export shares: whether personal data may be shown in full, the
    requester's role, and the choice labels (mapped once)."""

    unmasked: bool
    role: str
    labels: Mapping[str, Mapping[Any, str]] = field(default_factory=dict)

    def label(self, name: str, value: Any) -> str:
        if value is None:
            return ""
        return self.labels[name].get(value, str(value))


def local(moment: datetime | None) -> str:
    """The moment in the centre's time zone (the settings' one: exports are written by the
    worker, not in a user's request), as the list pages show it."""
    if moment is None:
        return ""
    return timezone.localtime(moment, timezone.get_default_timezone()).strftime("%Y-%m-%d %H:%M")


@dataclass(frozen=True)
class Source:
    """One exportable list."""

    title: str  # the XLSX sheet's name
    headers: tuple[str, ...]
    # The list page's queryset for this user and the list's parameters (scope checked there).
    build: Callable[[User, Params], QuerySet[Any]]
    row: Callable[[Any, Sheet], list[Any]]
    related: tuple[str, ...] = ()  # select_related: exactly the relations the row reads
    columns: tuple[str, ...] = ()  # only(): the fields the row reads (all when empty)
    # Encrypted fields a row reads only when unmasked (decrypting costs more than the rest).
    personal_columns: tuple[str, ...] = ()
    order: tuple[str, ...] = ()  # order_by(): the list's own order when empty
    choices: tuple[tuple[str, type[models.Choices]], ...] = ()  # labels by name
    # Whether a row holds personal data that an unmasked export shows in full.
    personal: bool = False

    def __post_init__(self) -> None:
        # An XLSX row is written as a record keyed by its headers.
        if len(set(self.headers)) != len(self.headers):
            raise ValueError(f"{self.title}: two columns share a header")

    def queryset(self, user: User, params: Params, *, unmasked: bool = False) -> QuerySet[Any]:
        rows = self.build(user, params).select_related(None).select_related(*self.related)
        if self.columns:
            rows = rows.only(*self.columns, *(self.personal_columns if unmasked else ()))
        if self.order:
            rows = rows.order_by(*self.order)
        return rows

    def sheet(self, *, unmasked: bool, role: str) -> Sheet:
        labels = {
            name: {value: str(label) for value, label in enum.choices}
            for name, enum in self.choices
        }
        return Sheet(unmasked=unmasked and self.personal, role=role, labels=labels)


# --- Cases: the case list and the dashboard's drill-down ----------------------------------


def _case_list(user: User, params: Params) -> QuerySet[Case]:
    return case_list(
        user,
        state=params.get("state", ""),
        channel=params.get("channel", ""),
        query=params.get("q", "")[:50],
    )


def _drill(user: User, params: Params) -> QuerySet[Case]:
    form = FilterForm(
        params,
        centres=visible_centres(user),
        departments=visible_departments(user),
    )
    key, side = params.get("metric", ""), params.get("side", "num")
    spec = SPEC_BY_KEY.get(key)
    if not form.is_valid() or spec is None or not spec.drillable:
        return Case.objects.none()
    return drill_cases(user, form.filters(), key, side)


def _case_row(case: Case, sheet: Sheet) -> list[Any]:
    if case.is_anonymous:
        name = phone = ""
    elif sheet.unmasked and (not case.is_confidential or sheet.role in CONFIDENTIAL_ROLES):
        name, phone = case.reporter_name, case.reporter_phone
    else:  # the masked copies stored with the case: nothing is decrypted
        name, phone = case.reporter_name_masked, case.reporter_phone_masked
    return [
        case.number,
        local(case.registered_at),
        case.centre.name,
        sheet.label("channel", case.channel),
        sheet.label("state", case.state),
        case.matter,
        case.title,
        name,
        phone,
        case.visits,
        local(case.answered_at),
        case.answer_working_days if case.answer_working_days is not None else "",
        case.reopen_count,
    ]


CASE_HEADERS = (
    "案件编号", "登记时间", "中心", "渠道", "状态", "所办事项", "标题", "反映人", "联系电话",
    "跑动次数", "答复时间", "答复用时（工作日）", "重办次数",
)  # fmt: skip

# Only what the file shows: the encrypted name and phone only when unmasked (personal_columns),
# the other encrypted fields (query code, ID number) never.
CASE_COLUMNS = (
    "number",
    "registered_at",
    "centre__name",
    "channel",
    "state",
    "service_item__name",
    "matter_text",
    "title",
    "is_anonymous",
    "is_confidential",
    "reporter_name_masked",
    "reporter_phone_masked",
    "visits",
    "answered_at",
    "answer_working_days",
    "reopen_count",
)


def _case_source(title: str, build: Callable[[User, Params], QuerySet[Case]]) -> Source:
    return Source(
        title=title,
        headers=CASE_HEADERS,
        build=build,
        row=_case_row,
        related=("centre", "service_item"),
        columns=CASE_COLUMNS,
        personal_columns=("reporter_name", "reporter_phone"),
        order=("-registered_at", "-id"),
        choices=(("channel", Channel), ("state", State)),
        personal=True,
    )


# --- Work orders: a department's (or a centre's) inbox, one tab ---------------------------


def _inbox(user: User, params: Params) -> QuerySet[WorkOrder]:
    # An unknown tab is the first one, as on the page.
    return inbox(user, params.get("tab", "issued"))


def _work_order_row(order: WorkOrder, sheet: Sheet) -> list[Any]:
    # The selector's running clocks (prefetched once per chunk), as the page shows them.
    clocks = order.running_clocks  # type: ignore[attr-defined]
    sign_due = next((c.due_at for c in clocks if c.kind == ClockKind.SIGN), None)
    return [
        order.number,
        order.case.number,
        order.case.title,
        order.case.centre.name,
        order.department.name,
        sheet.label("role", order.role),
        sheet.label("state", order.state),
        local(order.issued_at),
        local(sign_due),
        local(order.answer_due),
        local(order.signed_at),
    ]


WORK_ORDER_HEADERS = (
    "工作单编号", "案件编号", "标题", "中心", "承办部门", "承办方式", "状态", "派单时间",
    "签收期限", "答复期限", "签收时间",
)  # fmt: skip
WORK_ORDER_COLUMNS = (
    "number", "case__number", "case__title", "case__centre__name", "department__name",
    "role", "state", "issued_at", "answer_due", "signed_at",
)  # fmt: skip

WORK_ORDERS = Source(
    title="工作单",
    headers=WORK_ORDER_HEADERS,
    build=_inbox,
    row=_work_order_row,
    related=("case__centre", "department"),
    columns=WORK_ORDER_COLUMNS,
    choices=(("role", WorkOrderRole), ("state", WorkOrderState)),
)


# --- Ratings (好差评) ----------------------------------------------------------------------


def _ratings(user: User, params: Params) -> QuerySet[Rating]:
    state = params.get("state", "")
    if state not in RatingState.values:
        state = ""
    return rating_list(user, state=state, bad_only=params.get("bad") == "1")


def _rating_row(rating: Rating, sheet: Sheet) -> list[Any]:
    window = rating.window
    phone = rating.callback_phone
    return [
        local(rating.rated_at),
        sheet.label("source", rating.source),
        rating.centre.name,
        f"{window.code} {window.name}" if window else "",
        rating.staff.name if rating.staff else "",
        sheet.label("level", rating.level),
        sheet.label("level", rating.efficiency),
        sheet.label("level", rating.attitude),
        sheet.label("level", rating.professionalism),
        rating.comment,
        sheet.label("state", rating.state),
        phone if sheet.unmasked else mask_phone(phone),
        rating.rectification.number if rating.rectification else "",
    ]


RATING_HEADERS = (
    "评价时间", "来源", "中心", "窗口", "工作人员", "总体评价", "办事效率", "服务态度",
    "业务水平", "评价内容", "状态", "回电号码", "整改案件",
)  # fmt: skip
RATING_COLUMNS = (
    "rated_at", "source", "centre__name", "window__code", "window__name", "staff__name",
    "level", "efficiency", "attitude", "professionalism", "comment", "state",
    "callback_phone", "rectification__number",
)  # fmt: skip

RATINGS = Source(
    title="好差评",
    headers=RATING_HEADERS,
    build=_ratings,
    row=_rating_row,
    related=("centre", "window", "staff", "rectification"),
    columns=RATING_COLUMNS,
    choices=(("source", RatingSource), ("level", Level), ("state", RatingState)),
    personal=True,
)


# --- Return visits (回访): the open queue ---------------------------------------------------


def _visits(user: User, params: Params) -> QuerySet[ReturnVisit]:
    # The queue is the supervisors' page: nobody else sees it, nor exports it.
    if not may(user, Capability.SUPERVISE):
        return ReturnVisit.objects.none()
    return visit_queue(user)


def _visit_row(visit: ReturnVisit, sheet: Sheet) -> list[Any]:
    return [
        visit.case.number,
        visit.case.title,
        visit.round,
        local(visit.opened_at),
        local(visit.due_at),  # type: ignore[attr-defined]
        len(visit.attempts.all()),  # prefetched by the selector, once per chunk
        sheet.label("outcome", visit.outcome),
        local(visit.concluded_at),
    ]


VISIT_HEADERS = (
    "案件编号", "标题", "回访轮次", "答复时间", "回访期限", "已联系次数", "回访结果",
    "回访完成时间",
)  # fmt: skip
VISIT_COLUMNS = (
    "case__number", "case__title", "round", "opened_at", "outcome", "concluded_at",
)  # fmt: skip

VISITS = Source(
    title="回访",
    headers=VISIT_HEADERS,
    build=_visits,
    row=_visit_row,
    related=("case",),
    columns=VISIT_COLUMNS,
    choices=(("outcome", VisitOutcome),),
)


# --- Findings (问责认定) --------------------------------------------------------------------


def _findings(user: User, params: Params) -> QuerySet[Finding]:
    state = params.get("state", "")
    if state not in FindingState.values:
        state = ""
    return finding_list(user, state=state)


def _finding_row(finding: Finding, sheet: Sheet) -> list[Any]:
    window = finding.window
    return [
        local(finding.recorded_at),
        finding.case.number,
        sheet.label("kind", finding.kind),
        finding.staff.name if finding.staff else "",
        f"{window.code} {window.name}" if window else "",
        sheet.label("state", finding.state),
        str(finding.recorded_by),
    ]


FINDING_COLUMNS = (
    "recorded_at", "case__number", "kind", "staff__name", "window__code", "window__name",
    "state", "recorded_by__display_name", "recorded_by__username",
)  # fmt: skip

FINDINGS = Source(
    title="问责认定",
    headers=("认定时间", "案件编号", "问题类型", "工作人员", "窗口", "状态", "认定人"),
    build=_findings,
    row=_finding_row,
    related=("case", "staff", "window", "recorded_by"),
    columns=FINDING_COLUMNS,
    choices=(("kind", FindingKind), ("state", FindingState)),
)


SOURCES: dict[str, Source] = {
    "cases": _case_source("案件", _case_list),
    "drill": _case_source("统计明细", _drill),
    "workorders": WORK_ORDERS,
    "ratings": RATINGS,
    "visits": VISITS,
    "findings": FINDINGS,
}
