"""The JSON API under /api/v1/: bearer tokens, one error shape, cursor pages. Each endpoint
validates, checks access, calls one action and serialises (CONVENTIONS.md)."""

from __future__ import annotations

import base64
import binascii
import logging
import uuid
from datetime import datetime
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Body, Field, Header, NinjaAPI, Query, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.responses import Status
from ninja.security import HttpBearer
from pydantic import AwareDatetime

from doudi.accounts.access import may
from doudi.accounts.models import User
from doudi.accounts.roles import Capability
from doudi.analytics import selectors as analytics
from doudi.analytics.forms import FilterForm
from doudi.api.access import token_for, token_reaches
from doudi.api.common import PAGE_MAX, ApiError, newest_first, page_of, token_user
from doudi.api.models import ApiToken, Scope
from doudi.api.schemas import (
    CaseIn,
    CaseOut,
    CasePage,
    Error,
    ItemOut,
    MetricOut,
    MetricsOut,
    Named,
    Text,
    WindowOut,
    WorkOrderDispute,
    WorkOrderOut,
    WorkOrderPage,
    WorkOrderResult,
    WorkOrderVersion,
)
from doudi.cases import actions as case_actions
from doudi.cases.access import access_case_by_number, may_act
from doudi.cases.forms import MOVE_FORMS, IntakeChecks
from doudi.cases.models import Case
from doudi.cases.selectors import case_list
from doudi.cases.workflow import DomainError
from doudi.core.crypto import lookup_hash
from doudi.core.errors import InvalidInput
from doudi.directory.models import Window
from doudi.directory.selectors import (
    active_centre,
    visible_centres,
    visible_departments,
    visible_service_items,
    visible_windows,
)
from doudi.workorders import actions as wo_actions
from doudi.workorders.access import (
    access_work_order_by_number,
    may_handle,
    work_order_visibility,
)
from doudi.workorders.models import WorkOrder

logger = logging.getLogger(__name__)


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        return token_for(token)


api = NinjaAPI(
    title="兜底 Doudi API",
    version="1",
    description="“办不成事”反映窗口的案件接口。令牌：`Authorization: Bearer ddt_…`"
    "（`doudi token create`）。创建类请求可带 `Idempotency-Key`，重试返回第一次的结果；"
    "同一个键用于内容不同的请求时返回 422 `idempotency_key_reused`。",
    auth=BearerToken(),
    urls_namespace="api",
)


def _error(
    request: HttpRequest, status: int, code: str, message: str, **extra: Any
) -> HttpResponse:
    body = Error(code=code, message=message, fields=extra.get("fields") or {})
    return api.create_response(request, body.model_dump(), status=status)


@api.exception_handler(ApiError)
def _api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return _error(request, exc.status, exc.code, exc.message, fields=exc.fields)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
    response = _error(request, 401, "unauthenticated", "令牌缺失、无效或已吊销。")
    response["WWW-Authenticate"] = "Bearer"
    return response


_PLACES = frozenset({"body", "query", "path", "header", "data", "filters"})


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for item in exc.errors:
        # ("body", "data", "reporter", "phone") -> "reporter.phone": where, in the caller's terms
        loc = [str(part) for part in item.get("loc", ()) if part not in _PLACES]
        fields.setdefault(".".join(loc) or "__all__", []).append(str(item.get("msg", "")))
    return _error(request, 422, "validation_error", "请求内容不符合要求。", fields=fields)


@api.exception_handler(RequestDataTooBig)
def _too_large(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _error(request, 413, "too_large", "请求体过大。")


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _error(request, 404, "not_found", "找不到，或无权查看。")


_HTTP_CODES = {400: "bad_request", 405: "method_not_allowed", 413: "too_large", 429: "rate_limited"}


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _error(request, exc.status_code, _HTTP_CODES.get(exc.status_code, "error"), str(exc))


@api.exception_handler(Exception)
def _crash(request: HttpRequest, exc: Exception) -> HttpResponse:
    """No stack trace reaches a caller: the error is logged, the caller gets the error shape."""
    logger.exception("API error on %s %s", request.method, request.path)
    return _error(request, 500, "internal_error", "服务器内部错误，请稍后重试。")


def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Any other path under /api/v1/: the error shape, not the site's HTML page."""
    return _error(request, 404, "not_found", "没有这个接口。")


def _own(request: HttpRequest, cases: QuerySet[Case]) -> QuerySet[Case]:
    """An integration reads only what it registered; a person's token, what the person sees."""
    token: ApiToken = request.auth  # type: ignore[attr-defined]
    return cases.filter(registered_by=token.user) if token.integration else cases


def _owned(request: HttpRequest, case: Case) -> Case:
    """``_own`` for one case: an integration's token reaches only what it registered."""
    if not token_reaches(request.auth, case):  # type: ignore[attr-defined]
        raise Http404
    return case


# The columns ``_out`` reads.
_OUT_COLUMNS = (
    "number", "centre__code", "channel", "state", "title", "description", "request",
    "service_item__code", "service_item__name", "matter_text", "reporter_name_masked",
    "reporter_phone_masked", "registered_at", "answered_at", "outcome",
)  # fmt: skip


def _out(case: Case) -> CaseOut:
    """The case as the API shows it. Built without validation (``model_construct``): every value
    is the database's, of the declared type; validating them cost more than reading them."""
    return CaseOut.model_construct(
        id=case.pk,
        number=case.number,
        centre=case.centre.code,
        channel=case.channel,
        state=case.state,
        state_label=str(case.get_state_display()),
        title=case.title,
        description=case.description,
        request=case.request,
        service_item=case.service_item.code if case.service_item else None,
        matter=case.matter,
        reporter_name=case.reporter_name_masked,
        reporter_phone=case.reporter_phone_masked,
        registered_at=case.registered_at,
        answered_at=case.answered_at,
        outcome=case.outcome,
    )


# The intake form's field names, as the API names them (for error messages).
_FIELD_NAMES = {
    "reporter_kind": "reporter.kind",
    "is_anonymous": "reporter.anonymous",
    "is_confidential": "reporter.confidential",
    "reporter_name": "reporter.name",
    "reporter_phone": "reporter.phone",
    "reporter_id_number": "reporter.id_number",
    "reporter_email": "reporter.email",
    "company_name": "reporter.company_name",
    "company_credit_code": "reporter.credit_code",
}


def _intake_form(user: User, data: CaseIn, submission_key: str) -> IntakeChecks:
    """The clerk's intake form bound to the API's fields, so that the API checks exactly what
    the window checks (ID and credit-code check digits, phone numbers, what is required)."""
    # The centre is read once (and cached: active_centre) and the windows by their codes, in
    # the user's scope; the form takes them as read.
    centre = active_centre(user, data.centre) if data.centre else None
    windows: dict[str, Window] = {}
    if data.windows:  # most requests name none: then none is looked up
        found = visible_windows(user).filter(is_active=True, code__in=data.windows)
        windows = {window.code: window for window in found}
    unknown = [code for code in data.windows if code not in windows]
    if centre is None or unknown:
        fields = {"centre": ["找不到该中心，或无权在该中心登记。"]} if centre is None else {}
        if unknown:
            fields["windows"] = [f"找不到窗口：{'、'.join(unknown)}"]
        raise ApiError(422, "validation_error", "请求内容不符合要求。", fields)
    reporter = data.reporter
    form = IntakeChecks(
        {
            "submission_key": submission_key,
            "reporter_kind": reporter.kind,
            "is_anonymous": reporter.anonymous or "",
            "is_confidential": reporter.confidential or "",
            "reporter_name": reporter.name,
            "reporter_phone": reporter.phone,
            "reporter_id_number": reporter.id_number,
            "reporter_email": reporter.email,
            "company_name": reporter.company_name,
            "company_credit_code": reporter.credit_code,
            "service_item": data.service_item,
            "matter_text": data.matter_text,
            "visits": data.visits,
            "title": data.title,
            "description": data.description,
            "request": data.request,
            "urgency": data.urgency,
            "occurred_at": data.occurred_at.isoformat() if data.occurred_at else "",
        },
        centre=centre,
        windows=[windows[code] for code in dict.fromkeys(data.windows)],
    )
    if not form.is_valid():
        fields = {
            _FIELD_NAMES.get(name, name): [str(m) for m in messages]
            for name, messages in form.errors.items()
        }
        raise ApiError(422, "validation_error", "请求内容不符合要求。", fields)
    return form


def _invalid_input(error: InvalidInput) -> ApiError:
    """An action's refusal of what was given: 422, at the field it names, if any."""
    fields = {error.field: [str(error)]} if error.field else {}
    return ApiError(422, "validation_error", str(error), fields)


def _matter(centre: str, channel: str, title: str, description: str) -> tuple[str, ...]:
    """What makes two requests the same case, as the intake form cleans it."""
    return (centre, channel, title.strip(), description.strip())


@api.post(
    "/cases",
    response={201: CaseOut, 401: Error, 403: Error, 422: Error},
    summary="登记案件",
    tags=["cases"],
)
def create_case(
    request: HttpRequest,
    data: CaseIn,
    response: HttpResponse,
    idempotency_key: str = Header("", alias="Idempotency-Key", max_length=200),
) -> Status[CaseOut]:
    user = token_user(request, Scope.CASES_REGISTER)
    if not may_act(user):
        raise ApiError(403, "forbidden", "该账号不能登记案件。")
    # One key per account: a retry with the same key returns the first case, changing nothing.
    key = idempotency_key.strip()
    # Keyed with the server's secret: nobody can compute another account's stored key.
    submission_key = (
        lookup_hash(f"{user.pk}:{key}", purpose="idempotency") if key else uuid.uuid4().hex
    )
    form = _intake_form(user, data, submission_key)
    started = timezone.now()
    try:
        case = case_actions.case_register(
            actor=user, intake=form.intake(channel=data.channel), submission_key=submission_key
        )
    except InvalidInput as error:
        raise _invalid_input(error) from error
    except DomainError as error:
        raise ApiError(422, "domain_error", str(error)) from error
    # A key used before: the action returned the case first registered with it (this insert
    # failed on the unique key and was rolled back). Not looked up first: nearly every key is
    # new, and the look-up cost every create a query. The matter is compared whatever the
    # case's age (a new case matches itself): a retry racing its first request is checked too.
    if _matter(case.centre.code, case.channel, case.title, case.description) != _matter(
        data.centre, data.channel, data.title, data.description
    ):
        # A key reused for another matter would otherwise drop that matter without a word.
        raise ApiError(
            422, "idempotency_key_reused", "该 Idempotency-Key 已用于另一件内容不同的案件。"
        )
    if case.registered_at < started:
        response["Idempotent-Replayed"] = "true"
    # Not read again: the action's case carries the centre and service item it was given.
    return Status(201, _out(case))


@api.post(
    "/cases/{number}/moves/{move}",
    response={200: CaseOut, 401: Error, 403: Error, 404: Error, 409: Error, 422: Error},
    summary="办理案件：当场办结、不予受理、转办、转专班分拣、撤回、合并",
    description="`move`: resolve_on_spot {result}; out_of_scope {explanation, where_to_go}; "
    "transfer {receiver, reference}; send_to_triage {note}; withdraw {reason}; "
    "merge {into, reason}.",
    tags=["cases"],
)
def move_case(
    request: HttpRequest, number: Text, move: Text, data: dict[str, Text] = Body({})
) -> CaseOut:
    user = token_user(request, Scope.CASES_WRITE)
    case = _owned(request, access_case_by_number(user, number))
    form_class = MOVE_FORMS.get(move)
    if form_class is None:
        raise Http404
    form = form_class(data)
    if not form.is_valid():
        fields = {name: [str(m) for m in messages] for name, messages in form.errors.items()}
        raise ApiError(422, "validation_error", "请求内容不符合要求。", fields)
    try:
        case_actions.case_act(actor=user, case=case, move=move, data=form.cleaned_data)
    except InvalidInput as error:
        raise _invalid_input(error) from error
    except DomainError as error:
        raise ApiError(409, "invalid_move", str(error)) from error
    return _out(Case.objects.select_related("centre", "service_item").get(pk=case.pk))


class CaseFilters(Schema):
    state: Text = ""
    channel: Text = ""
    centre: Text = ""
    q: Text = ""
    registered_from: AwareDatetime | None = None
    registered_to: AwareDatetime | None = None
    cursor: Text = ""
    limit: int = Field(default=50, ge=1, le=PAGE_MAX)


def _cursor(case: Case) -> str:
    raw = f"{case.registered_at.isoformat()}|{case.pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _after(cases: QuerySet[Case], cursor: str) -> QuerySet[Case]:
    """The cases after a cursor, newest first: (registered_at, id) below the cursor's."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        when, pk = raw.split("|")
        at, ident = datetime.fromisoformat(when), int(pk)
        if at.tzinfo is None:
            raise ValueError("a cursor's time carries its offset")
    except (ValueError, binascii.Error, UnicodeDecodeError) as error:
        raise ApiError(422, "validation_error", "游标无效。", {"cursor": ["游标无效。"]}) from error
    return cases.filter(Q(registered_at__lt=at) | Q(registered_at=at, pk__lt=ident))


@api.get(
    "/cases",
    response={200: CasePage, 401: Error, 403: Error, 422: Error},
    summary="案件列表（按登记时间倒序，游标分页）",
    tags=["cases"],
)
def list_cases(request: HttpRequest, filters: Query[CaseFilters]) -> CasePage:
    user = token_user(request, Scope.CASES_READ)
    cases = case_list(user, state=filters.state, channel=filters.channel, query=filters.q[:100])
    cases = _own(request, cases)
    if filters.centre:
        cases = cases.filter(centre__code=filters.centre)
    if filters.registered_from:
        cases = cases.filter(registered_at__gte=filters.registered_from)
    if filters.registered_to:
        cases = cases.filter(registered_at__lt=filters.registered_to)
    if filters.cursor:
        cases = _after(cases, filters.cursor)
    # Only what ``_out`` shows: personal data masked (the encrypted columns are neither read nor
    # decrypted), and forty-odd columns of a case, its centre and its item not made into fields.
    cases = cases.only(*_OUT_COLUMNS)
    page, more = page_of(cases.order_by("-registered_at", "-pk"), filters.limit)
    return CasePage.model_construct(
        items=[_out(case) for case in page], next_cursor=_cursor(page[-1]) if more else None
    )


@api.get(
    "/cases/{number}",
    response={200: CaseOut, 401: Error, 403: Error, 404: Error},
    summary="案件详情",
    tags=["cases"],
)
def read_case(request: HttpRequest, number: Text) -> CaseOut:
    user = token_user(request, Scope.CASES_READ)
    return _out(_owned(request, access_case_by_number(user, number)))


# --- work orders ----------------------------------------------------------------------------


def _order_out(order: WorkOrder) -> WorkOrderOut:
    return WorkOrderOut(
        id=order.pk,
        number=order.number,
        case_number=order.case.number,
        department=order.department.code,
        role=order.role,
        state=order.state,
        state_label=str(order.get_state_display()),
        instructions=order.instructions,
        issued_at=order.issued_at,
        answer_due=order.answer_due,
        signed_at=order.signed_at,
        result_kind=order.result_kind,
        result=order.result,
        legal_basis=order.legal_basis,
        submitted_at=order.submitted_at,
        version=order.version,
    )


def _visible_orders(user: User) -> QuerySet[WorkOrder]:
    return WorkOrder.objects.filter(work_order_visibility(user)).select_related(
        "case", "department"
    )


def _handled_order(request: HttpRequest, number: Text) -> tuple[User, WorkOrder]:
    user = token_user(request, Scope.WORK_ORDERS_WRITE)
    order = access_work_order_by_number(user, number)
    if not may_handle(user, order):
        raise ApiError(403, "forbidden", "该账号不能办理工作单。")
    return user, order


class WorkOrderFilters(Schema):
    state: Text = ""
    cursor: int | None = None
    limit: int = Field(default=50, ge=1, le=PAGE_MAX)


@api.get(
    "/work-orders",
    response={200: WorkOrderPage, 401: Error, 403: Error, 422: Error},
    summary="工作单列表（新的在前，游标分页）",
    tags=["work orders"],
)
def list_work_orders(request: HttpRequest, filters: Query[WorkOrderFilters]) -> WorkOrderPage:
    user = token_user(request, Scope.WORK_ORDERS_READ)
    orders = _visible_orders(user)
    if filters.state:
        orders = orders.filter(state=filters.state)
    page, cursor = newest_first(orders, filters.cursor, filters.limit)
    return WorkOrderPage(items=[_order_out(o) for o in page], next_cursor=cursor)


@api.get(
    "/work-orders/{number}",
    response={200: WorkOrderOut, 401: Error, 403: Error, 404: Error},
    summary="工作单详情",
    tags=["work orders"],
)
def read_work_order(request: HttpRequest, number: Text) -> WorkOrderOut:
    user = token_user(request, Scope.WORK_ORDERS_READ)
    return _order_out(access_work_order_by_number(user, number))


def _acted(do: Any) -> WorkOrderOut:
    try:
        order = do()
    except DomainError as error:
        raise ApiError(409, "invalid_move", str(error)) from error
    return _order_out(WorkOrder.objects.select_related("case", "department").get(pk=order.pk))


_ORDER_RESPONSES = {200: WorkOrderOut, 401: Error, 403: Error, 404: Error, 409: Error, 422: Error}


@api.post(
    "/work-orders/{number}/sign",
    response=_ORDER_RESPONSES,
    summary="签收",
    tags=["work orders"],
)
def sign_work_order(request: HttpRequest, number: Text, data: WorkOrderVersion) -> WorkOrderOut:
    user, order = _handled_order(request, number)
    return _acted(
        lambda: wo_actions.work_order_sign(actor=user, work_order_id=order.pk, version=data.version)
    )


@api.post(
    "/work-orders/{number}/dispute",
    response=_ORDER_RESPONSES,
    summary="退单（说明理由，由专班改派）",
    tags=["work orders"],
)
def dispute_work_order(request: HttpRequest, number: Text, data: WorkOrderDispute) -> WorkOrderOut:
    user, order = _handled_order(request, number)
    return _acted(
        lambda: wo_actions.work_order_dispute(
            actor=user, work_order_id=order.pk, reason=data.reason, version=data.version
        )
    )


@api.post(
    "/work-orders/{number}/submit",
    response=_ORDER_RESPONSES,
    summary="提交办理结果",
    tags=["work orders"],
)
def submit_work_order(request: HttpRequest, number: Text, data: WorkOrderResult) -> WorkOrderOut:
    user, order = _handled_order(request, number)
    return _acted(
        lambda: wo_actions.work_order_submit(
            actor=user,
            work_order_id=order.pk,
            result_kind=data.result_kind,
            result=data.result,
            legal_basis=data.legal_basis,
            version=data.version,
        )
    )


# --- metrics and directory ------------------------------------------------------------------


class MetricFilters(Schema):
    preset: Text = "month"
    start: Text = ""
    end: Text = ""
    centre: Text = Field(default="", description="中心编码")
    department: Text = Field(default="", description="部门编码")
    channel: Text = ""


@api.get(
    "/metrics",
    response={200: MetricsOut, 401: Error, 403: Error, 422: Error},
    summary="统计指标（与统计页同一口径）",
    tags=["metrics"],
)
def read_metrics(request: HttpRequest, filters: Query[MetricFilters]) -> MetricsOut:
    user = token_user(request, Scope.METRICS_READ)
    if not may(user, Capability.DASHBOARD):
        raise ApiError(403, "forbidden", "该账号不能查看统计。")
    form = FilterForm(
        {k: v for k, v in filters.model_dump().items() if v},
        centres=visible_centres(user),
        departments=visible_departments(user),
    )
    # The API names centres and departments by code, the page by id.
    form.fields["centre"].to_field_name = "code"  # type: ignore[attr-defined]
    form.fields["department"].to_field_name = "code"  # type: ignore[attr-defined]
    if not form.is_valid():
        fields = {name: [str(m) for m in messages] for name, messages in form.errors.items()}
        raise ApiError(422, "validation_error", "请求内容不符合要求。", fields)
    found = analytics.metrics(user, form.filters())
    period = form.cleaned_data["period"]
    return MetricsOut(
        start=period.start.isoformat(),
        end=period.end.isoformat(),
        metrics={
            key: MetricOut(value=m.value, numerator=m.numerator, denominator=m.denominator)
            for key, m in found.items()
        },
    )


def _any_scope(request: HttpRequest) -> User:
    token: ApiToken = request.auth  # type: ignore[attr-defined]
    return token.user


@api.get("/directory/centres", response={200: list[Named], 401: Error}, tags=["directory"])
def list_centres(request: HttpRequest) -> list[Named]:
    centres = visible_centres(_any_scope(request)).filter(is_active=True).order_by("path")
    return [
        Named(code=code, name=name, parent=parent)
        for code, name, parent in centres.values_list("code", "name", "parent__code")
    ]


@api.get("/directory/departments", response={200: list[Named], 401: Error}, tags=["directory"])
def list_departments(request: HttpRequest) -> list[Named]:
    departments = visible_departments(_any_scope(request)).filter(is_active=True)
    return [
        Named(code=code, name=name, parent=parent)
        for code, name, parent in departments.order_by("path").values_list(
            "code", "name", "parent__code"
        )
    ]


@api.get("/directory/windows", response={200: list[WindowOut], 401: Error}, tags=["directory"])
def list_windows(request: HttpRequest) -> list[WindowOut]:
    windows = visible_windows(_any_scope(request)).filter(is_active=True)
    return [
        WindowOut(code=w.code, name=w.name, centre=w.centre.code, department=w.department.code)
        for w in windows.select_related("centre", "department").order_by("code")
    ]


@api.get("/directory/service-items", response={200: list[ItemOut], 401: Error}, tags=["directory"])
def list_service_items(request: HttpRequest) -> list[ItemOut]:
    items = visible_service_items(_any_scope(request)).filter(is_active=True)
    return [
        ItemOut(code=i.code, name=i.name, department=i.department.code)
        for i in items.select_related("department").order_by("code")
    ]


# Return visits and ratings (a router of their own; it shares the handlers above).
from doudi.api.feedback import router as feedback_router  # noqa: E402

api.add_router("/", feedback_router)
