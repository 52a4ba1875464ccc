"""Open311 GeoReport v2 at /open311/v2/: discovery, services (the service items), service
definitions, requests (a posted request becomes a case on channel Open311) and tokens, in XML
and JSON.

Liberal in what it accepts, since real clients differ: ``api_key`` and ``jurisdiction_id`` in
the query string or the body, an empty ``jurisdiction_id`` taken as absent, ``service/{code}``
as well as ``services/{code}``, a form-encoded or a JSON body. The api_key is an integration
token (``doudi token create --integration``); the token's account decides the centre and what
it may read.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from doudi.accounts.models import User
from doudi.api.access import token_allows, token_for, token_reaches
from doudi.api.models import ApiToken, Scope
from doudi.cases import actions as case_actions
from doudi.cases.access import access_case_by_number, may_act
from doudi.cases.forms import IntakeChecks
from doudi.cases.models import Case, Channel, Urgency
from doudi.cases.presenters import state_label
from doudi.cases.selectors import case_list
from doudi.cases.workflow import OPEN_STATES, DomainError
from doudi.core.crypto import lookup_hash
from doudi.directory.models import ServiceItem
from doudi.directory.selectors import (
    visible_centres,
    visible_service_items,
)
from doudi.open311.formats import errors, render

MAX_REQUESTS = 1000  # the most a GET requests answers with (the specification's default)


class Refused(Exception):
    def __init__(self, status: int, description: str) -> None:
        self.status, self.description = status, description


def _params(request: HttpRequest) -> dict[str, str]:
    """Query string and body together (the body wins), a JSON body as well as a form."""
    found = {key: request.GET.get(key, "") for key in request.GET}
    if request.method == "POST":
        if request.content_type == "application/json":
            try:
                body = json.loads(request.body or b"{}")
            except ValueError as error:
                raise Refused(400, "malformed JSON body") from error
            if not isinstance(body, dict):
                raise Refused(400, "the JSON body must be an object")
            found.update({str(k): "" if v is None else str(v) for k, v in body.items()})
        else:
            found.update({key: request.POST.get(key, "") for key in request.POST})
    if any("\x00" in key or "\x00" in value for key, value in found.items()):
        raise Refused(400, "parameters must not contain NUL characters")
    return found


def _account(params: dict[str, str], scope: str) -> ApiToken:
    token = token_for(params.get("api_key", ""))
    if token is None:
        raise Refused(403, "api_key missing, invalid or revoked")
    if not token_allows(token, scope):
        raise Refused(403, f"api_key lacks the {scope} permission")
    return token


def _items(user: User | None) -> QuerySet[ServiceItem]:
    items = ServiceItem.objects.all() if user is None else visible_service_items(user)
    return items.filter(is_active=True).select_related("department").order_by("code")


def _answer(view: Any) -> Any:
    """Refusals as the specification's error documents, in the format asked for."""

    def wrapped(request: HttpRequest, fmt: str, **kwargs: Any) -> HttpResponse:
        try:
            if any("\x00" in str(value) for value in kwargs.values()):
                raise Refused(404, "not found")
            return view(request, fmt, **kwargs)
        except Refused as refused:
            return errors(refused.status, refused.description, fmt=fmt)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@require_GET
@_answer
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    url = request.build_absolute_uri(reverse("open311:root"))
    return render(
        {
            "changeset": "2026-11-27T00:00:00Z",
            "contact": settings.NOTIFY_CENTRE_NAME,
            "key_service": "doudi token create --integration NAME --centre CODE",
            "endpoints": [
                {
                    "specification": "http://wiki.open311.org/GeoReport_v2",
                    "url": url.rstrip("/"),
                    "changeset": "2026-11-27T00:00:00Z",
                    "type": "production",
                    "formats": ["text/xml", "application/json"],
                }
            ],
        },
        root="discovery",
        fmt=fmt,
    )


@require_GET
@_answer
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    return render(
        [
            {
                "service_code": item.code,
                "service_name": item.name,
                "description": f"{item.department.name}：{item.name}",
                "metadata": True,
                "type": "realtime",
                "keywords": "",
                "group": item.department.name,
            }
            for item in _items(None)
        ],
        root="services",
        fmt=fmt,
    )


# Extra fields a request may carry as attribute[code]=value.
ATTRIBUTES = (
    ("request", "string", False, "诉求：希望怎样解决"),
    ("visits", "number", False, "已为此事跑动几次（默认1）"),
    ("id_number", "string", False, "身份证号码（校验位）"),
    ("urgency", "singlevaluelist", False, "紧急程度"),
)


@require_GET
@_answer
def service_definition(request: HttpRequest, fmt: str, code: str) -> HttpResponse:
    item = _items(None).filter(code=code).first()
    if item is None:
        raise Refused(404, f"service_code {code} not found")
    attributes = []
    for order, (variable, datatype, required, description) in enumerate(ATTRIBUTES, 1):
        attribute: dict[str, Any] = {
            "variable": True,
            "code": variable,
            "datatype": datatype,
            "required": required,
            "datatype_description": "",
            "order": order,
            "description": description,
        }
        if variable == "urgency":
            attribute["values"] = [{"key": k, "name": str(v)} for k, v in Urgency.choices]
        attributes.append(attribute)
    return render(
        {"service_code": item.code, "attributes": attributes}, root="service_definition", fmt=fmt
    )


def _request_out(case: Case) -> dict[str, Any]:
    return {
        "service_request_id": case.number,
        "status": "open" if case.state in OPEN_STATES else "closed",
        "status_notes": case.outcome,
        "service_name": case.matter,
        "service_code": case.service_item.code if case.service_item else "",
        "description": case.description,
        "agency_responsible": (
            case.service_item.department.name if case.service_item else case.centre.name
        ),
        "service_notice": state_label(case.state, public=True),
        "requested_datetime": _w3(case.registered_at),
        "updated_datetime": _w3(case.updated_at),
        "expected_datetime": None,
        "address": case.centre.name,
        "address_id": None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }


def _w3(moment: datetime) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds")  # 2026-11-27T18:33:25+08:00


def _visible(token: ApiToken) -> QuerySet[Case]:
    """What the key may read: an integration, the requests it posted; a person's key, the
    cases that person sees."""
    cases = case_list(token.user).select_related("centre", "service_item__department")
    return cases.filter(registered_by=token.user) if token.integration else cases


def _one(token: ApiToken, number: str) -> Case | None:
    """One request by its number, through the cases' access function; an integration reaches
    only what it posted."""
    try:
        case = access_case_by_number(token.user, number)
    except Http404:
        return None
    return case if token_reaches(token, case) else None


def _listed(params: dict[str, str], name: str) -> list[str]:
    return [part.strip() for part in params.get(name, "").split(",") if part.strip()]


@csrf_exempt
@require_http_methods(["GET", "POST"])
@_answer
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    params = _params(request)
    if request.method == "POST":
        return _create(params, fmt)
    cases = _visible(_account(params, Scope.CASES_READ))
    numbers = _listed(params, "service_request_id")
    if numbers:  # the specification: these ids, whatever the other parameters say
        cases = cases.filter(number__in=numbers)
    else:
        if _listed(params, "service_code"):
            cases = cases.filter(service_item__code__in=_listed(params, "service_code"))
        statuses = set(_listed(params, "status")) & {"open", "closed"}
        if statuses == {"open"}:
            cases = cases.filter(state__in=list(OPEN_STATES))
        elif statuses == {"closed"}:
            cases = cases.exclude(state__in=list(OPEN_STATES))
        end = _moment(params["end_date"], "end_date") if params.get("end_date") else None
        start = _moment(params["start_date"], "start_date") if params.get("start_date") else None
        if start is None:  # the specification's default window: the 90 days before the end
            start = (end or timezone.now()) - timedelta(days=90)
        cases = cases.filter(registered_at__gte=start)
        if end is not None:
            cases = cases.filter(registered_at__lt=end)
    found = list(cases.order_by("-registered_at", "-pk")[:MAX_REQUESTS])
    return render([_request_out(c) for c in found], root="service_requests", fmt=fmt)


def _location(params: dict[str, str]) -> str:
    """Where the reporter says it happened, kept in the account of what happened (a case has
    no place fields)."""
    parts = []
    if params.get("address_string", "").strip():
        parts.append(params["address_string"].strip())
    if params.get("lat", "").strip() and params.get("long", "").strip():
        parts.append(f"{params['lat'].strip()}, {params['long'].strip()}")
    if params.get("address_id", "").strip():
        parts.append(f"address_id {params['address_id'].strip()}")
    if params.get("media_url", "").strip():
        parts.append(f"附图 {params['media_url'].strip()}")
    return f"（位置：{'；'.join(parts)}）" if parts else ""


def _moment(text: str, name: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError as error:
        raise Refused(400, f"{name} is not a w3 date-time") from error
    return moment if moment.tzinfo else timezone.make_aware(moment)


def _create(params: dict[str, str], fmt: str) -> HttpResponse:
    token = _account(params, Scope.CASES_REGISTER)
    user = token.user
    if not may_act(user):
        raise Refused(403, "the api_key's account may not register cases")
    code = params.get("service_code", "").strip()
    if not code:
        raise Refused(400, "service_code missing")
    item = _items(user).filter(code=code).first()
    if item is None:
        raise Refused(404, f"service_code {code} not found")
    centres = visible_centres(user).filter(is_active=True)
    jurisdiction = params.get("jurisdiction_id", "").strip()
    if jurisdiction:
        centre = centres.filter(code=jurisdiction).first()
        if centre is None:
            raise Refused(404, f"jurisdiction_id {jurisdiction} not found")
    else:  # the key's own centre; a key that spans centres must say which
        centre = centres.filter(pk=user.scope_centre_id).first() if user.scope_centre_id else None
        if centre is None:
            raise Refused(400, "jurisdiction_id required")
    name = f"{params.get('last_name', '')}{params.get('first_name', '')}".strip()
    phone = params.get("phone", "").strip()
    description = params.get("description", "").strip() or item.name
    where = _location(params)
    # A client that retries the same request gets the first case back: the key is the
    # request's content, keyed per account (a different report differs in some field).
    content = json.dumps(
        {k: v for k, v in sorted(params.items()) if k != "api_key"}, ensure_ascii=False
    )
    key = lookup_hash(f"{user.pk}:{content}", purpose="open311")
    form = IntakeChecks(
        {
            "submission_key": key,
            "reporter_kind": "person",
            # Without a phone nobody can be told of progress: the report is taken anonymously.
            "is_anonymous": "" if phone else "on",
            "reporter_name": name or "未留姓名",
            "reporter_phone": phone,
            "reporter_email": params.get("email", "").strip(),
            "reporter_id_number": params.get("attribute[id_number]", ""),
            "service_item": item.code,
            "visits": params.get("attribute[visits]", "") or 1,
            "title": description.splitlines()[0][:100],
            "description": f"{description}\n{where}" if where else description,
            "request": params.get("attribute[request]", ""),
            "urgency": params.get("attribute[urgency]", "") or Urgency.NORMAL,
        },
        centre=centre,
    )
    if not form.is_valid():
        problems = "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in form.errors.items())
        raise Refused(400, problems)
    try:
        case = case_actions.case_register(
            actor=user,
            intake=form.intake(channel=Channel.OPEN311),
            submission_key=form.cleaned_data["submission_key"],
        )
    except DomainError as error:
        raise Refused(400, str(error)) from error
    notice = f"已受理，编号 {case.number}"
    return render(
        [{"service_request_id": case.number, "service_notice": notice, "account_id": None}],
        root="service_requests",
        fmt=fmt,
        status=201,
    )


@require_GET
@_answer
def request_detail(request: HttpRequest, fmt: str, number: str) -> HttpResponse:
    case = _one(_account(_params(request), Scope.CASES_READ), number)
    if case is None:
        raise Refused(404, f"service_request_id {number} not found")
    return render([_request_out(case)], root="service_requests", fmt=fmt)


@require_GET
@_answer
def token(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    """A request is registered at once, so its token is its number."""
    case = _one(_account(_params(request), Scope.CASES_READ), token)
    if case is None:
        raise Refused(404, f"token {token} not found")
    return render(
        [{"service_request_id": case.number, "token": token}], root="service_requests", fmt=fmt
    )


def root(request: HttpRequest) -> HttpResponse:
    return HttpResponse(status=204)
