"""The machinery of the access matrix (the table is in ``test_access_matrix.py``): every URL
pattern of the site, a world of three halves with one of every object each, and one cell's
request and checks."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlsplit

import time_machine
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Model
from django.http import HttpResponseBase, StreamingHttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from PIL import Image

from doudi.conftest import Personas, at, build_org, build_people

SUCCESS = {"200", "201", "204"}
Values = dict[str, Any]
# The halves of the world: the actors' own (centre A, department X), another centre's (B, with
# department Y), and another department's in the same centre (A, Y).
SIDES = ("in", "out", "oth")
DEPARTMENT_ACTORS = ("handler", "leadx")  # of department X


# --- The table's rows -------------------------------------------------------------------------
@dataclass(frozen=True)
class Row:
    key: str  # the URL name ("namespace:name"), or the route of a pattern without one
    method: str
    obj: str  # what fills its parameters; "-" or "-…": none or fixed ones, one cell per actor
    cells: dict[str, tuple[str, ...]]  # actor -> a code per side (one, without an object)

    @property
    def scoped(self) -> bool:
        return not self.obj.startswith("-")

    @property
    def kind(self) -> str:
        if self.key.startswith(("api:", "^api/")):
            return "api"
        return "open311" if self.key.startswith("open311:") else "html"

    def expected(self) -> Iterator[tuple[str, str, str]]:
        """(actor, side, code) of each cell of the row."""
        for actor, codes in self.cells.items():
            if codes[0] == "·":
                continue
            for side, code in zip(SIDES, codes, strict=False):
                yield actor, side, code


def parse(table: str, actors: tuple[str, ...]) -> list[Row]:
    """The rows of a table: a URL name, a method, an object, then one code per actor."""
    rows = []
    for line in table.strip().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        key, method, obj, *codes = line.split()
        assert len(codes) == len(actors), f"{key}: {len(codes)} cells, not {len(actors)}"
        cells = {}
        for actor, code in zip(actors, codes, strict=True):
            sides = tuple(code.split("/"))
            if obj.startswith("-"):
                assert len(sides) == 1, f"{key} {actor}: in/out/oth on a row without an object"
            elif len(sides) == 1:  # one code for every side
                sides = sides * len(SIDES)
            assert len(sides) in (1, len(SIDES)), f"{key} {actor}: one code, or in/out/oth"
            cells[actor] = sides
        rows.append(Row(key, method, obj, cells))
    return rows


def cells_of(rows: list[Row]) -> int:
    return sum(1 for row in rows for _cell in row.expected())


# --- Every URL pattern ------------------------------------------------------------------------
@dataclass(frozen=True)
class Pattern:
    key: str
    route: str
    params: tuple[str, ...]
    named: bool


def _walk(patterns: list[Any], route: str = "", namespace: str = "") -> Iterator[Pattern]:
    """Every pattern under ``patterns``, with its namespaced name and all its parameters."""
    for entry in patterns:
        pattern = entry.pattern
        here = route + str(pattern)
        params = tuple(getattr(pattern, "converters", {})) or tuple(pattern.regex.groupindex)
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            for found in _walk(entry.url_patterns, here, inner):
                yield Pattern(found.key, found.route, params + found.params, found.named)
        else:
            assert isinstance(entry, URLPattern)
            if entry.name:
                key = f"{namespace}:{entry.name}" if namespace else entry.name
                yield Pattern(key, here, params, True)
            else:
                yield Pattern(here, here, params, False)


def all_patterns() -> tuple[dict[str, Pattern], dict[str, Pattern]]:
    """Every pattern of the site by key: the admin's, and all the others."""
    admin: dict[str, Pattern] = {}
    others: dict[str, Pattern] = {}
    for found in _walk(get_resolver().url_patterns):
        into = admin if found.route.startswith("admin/") else others
        assert found.key not in into, f"two patterns with the key {found.key}"
        into[found.key] = found
    return admin, others


def path_of(pattern: Pattern, values: dict[str, Any]) -> str:
    kwargs = {name: values[name] for name in pattern.params}
    if pattern.named:
        return reverse(pattern.key, kwargs=kwargs)

    # A pattern without a name (the admin's redirects and catch-all, the API's catch-all).
    def value(match: re.Match[str]) -> str:
        return str(kwargs[match.group("name")])

    path = re.sub(r"<(?:\w+:)?(?P<name>\w+)>", value, pattern.route)
    path = re.sub(r"\(\?P<(?P<name>\w+)>[^)]*\)", value, path)
    return "/" + path.replace("^", "").replace("$", "").replace("\\", "")


# --- The world: three halves with one of every object each --------------------------------------
THINGS = (
    "case",
    "answered",
    "ready",
    "secret",
    "rectification",
    "rating",
    "finding",
    "issue",
    "window",
    "staff",
    "name",  # the reporters' names: masked everywhere, in full only through the logged reveal
    "secretname",  # the confidential case's reporter: for the task force and supervisors
)


@dataclass
class Half:
    """The objects of one half: centre A and department X (``in``), centre B and department Y
    (``out``), or centre A and department Y (``oth``)."""

    code: str
    centre: Any
    department: Any
    window: Any
    staff: Any
    item: Any
    phone: str
    word: str  # in its cases' titles, to search for (not a marker: a search page repeats it)
    case: Any = None  # in progress: its work order signed, an extension asked; an attachment
    answered: Any = None  # answered: its return visit open; a finding
    ready: Any = None  # triaged, its work orders not issued yet
    secret: Any = None  # its reporter asked for confidentiality (保密); registered only
    rectification: Any = None  # the case a 差评 of the window opened
    attachment: Any = None
    order: Any = None
    extension: Any = None
    visit: Any = None
    rating: Any = None
    finding: Any = None
    issue: Any = None
    daily: Any = None
    report: Any = None
    import_job: Any = None
    markers: dict[str, list[str]] = field(default_factory=dict)  # thing -> strings


@dataclass
class World:
    halves: dict[str, Half]  # by side
    sessions: dict[str, str]  # actor -> session key (anon: a visitor's own session)
    tokens: dict[str, str]  # actor -> bearer token ("" for anon)
    users: dict[str, Any]  # actor -> account (web pages)
    exports: dict[str, Any]  # actor -> their own export; "other" -> someone else's
    rate_links: dict[str, str]  # side -> the reporter's signed link to rate its answered case


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="PNG")
    return buffer.getvalue()


PHONE = "13800001234"  # every reporter's: a look-up by phone finds the cases of every half
IMPORT_HEADER = "工单编号,标题,诉求内容,来电人,来电号码,事项编码,来电时间,状态,处理结果,办结时间\n"


def import_file(item_code: str) -> bytes:
    row = f"GD1,路灯,路灯不亮,孙大成,13800005678,{item_code},2026/11/20 9:30:00,,,\n"
    return (IMPORT_HEADER + row).encode("utf-8")


def _fill(
    half: Half,
    *,
    registrar: Any,
    clerk: Any,
    taskforce: Any,
    handler: Any,
    supervisor: Any,
    also_involved: Any = (),
) -> None:
    """Every object of one half through the actions, on the official 2026 calendar."""
    from doudi.accountability.actions import finding_record
    from doudi.cases.actions import Intake, Reporter, Upload, case_register, case_send_to_triage
    from doudi.feedback.actions import Scores, rating_submit
    from doudi.feedback.models import ReturnVisit
    from doudi.imports.actions import import_request, report_path
    from doudi.policy.actions import policy_issue_promote
    from doudi.reports.actions import report_make
    from doudi.reports.models import Report
    from doudi.triage.actions import triage_case, work_orders_issue
    from doudi.triage.models import Cause
    from doudi.workorders import actions as orders
    from doudi.workorders.models import WorkOrder

    half.markers = {thing: [f"mk-{half.code}-{thing}"] for thing in THINGS}
    for thing in ("window", "staff"):  # their names carry their markers
        obj = getattr(half, thing)
        obj.name = f"{obj.name} {half.markers[thing][0]}"
        obj.save(update_fields=["name"])

    def register(actor: Any, thing: str, *, staff: Any = (), **more: Any) -> Any:
        confidential = thing == "secret"
        name = half.markers["secretname" if confidential else "name"][0]
        intake = Intake(
            centre=half.centre,
            channel="api" if actor != clerk else "window",
            title=f"{half.word} {half.markers[thing][0]}",
            description=f"材料齐全仍被退回 {half.markers[thing][0]}",
            reporter=Reporter(name=f"赵{name}", phone=half.phone, confidential=confidential),
            service_item=half.item,
            windows=[half.window],
            staff=[half.staff, *staff],
        )
        return case_register(actor=actor, intake=intake, **more)

    cause = Cause.objects.get(code="HARD-MATERIALS")
    with time_machine.travel(at("2026-02-12 15:00"), tick=False):
        half.case = register(registrar, "case", uploads=[Upload("photo.png", png())])
        half.answered = register(clerk, "answered", staff=also_involved)
        half.ready = register(clerk, "ready")
        half.secret = register(clerk, "secret")
        for case in (half.case, half.answered, half.ready):
            case_send_to_triage(actor=clerk, case_id=case.pk)
            triage_case(
                actor=taskforce,
                case_id=case.pk,
                cause=cause,
                tier="general",
                departments=[half.department],
                mode="parallel",
            )
    with time_machine.travel(at("2026-02-12 16:00"), tick=False):
        work_orders_issue(actor=taskforce, case_ids=[half.case.pk, half.answered.pk])
    half.order = WorkOrder.objects.get(case=half.case)
    answered = WorkOrder.objects.get(case=half.answered)
    with time_machine.travel(at("2026-02-13 09:00"), tick=False):
        orders.work_order_sign(actor=handler, work_order_id=half.order.pk)
        orders.work_order_sign(actor=handler, work_order_id=answered.pk)
        half.extension = orders.work_order_request_extension(
            actor=handler, work_order_id=half.order.pk, working_days=3, reason="需与原单位核实"
        )
    with time_machine.travel(at("2026-02-24 10:00"), tick=False):
        orders.work_order_submit(
            actor=handler,
            work_order_id=answered.pk,
            result_kind="solved",
            result="以注销证明替代，已办结",
        )
    with time_machine.travel(at("2026-02-24 15:00"), tick=False):
        orders.case_review(actor=taskforce, case_id=half.answered.pk, accept=True)
        half.finding = finding_record(
            actor=supervisor,
            case_id=half.answered.pk,
            kind="shifting",
            evidence=half.markers["finding"][0],
            staff=half.staff,
        )
        half.rating = rating_submit(
            window=half.window,
            event_key=f"matrix-{half.code}",
            scores=Scores(2),
            comment=half.markers["rating"][0],
        )
        half.issue = policy_issue_promote(
            actor=taskforce,
            centre=half.centre,
            title=f"证明难开 {half.markers['issue'][0]}",
            case_ids=[half.case.pk, half.answered.pk],
            owner_department=half.department,
        )
    half.report = Report.objects.filter(centre=half.centre).first()  # one per centre
    if half.report is None:
        with time_machine.travel(at("2026-03-02 01:15"), tick=False):
            half.report = report_make(centre=half.centre, kind="month", day=date(2026, 2, 15))
    half.import_job = import_request(
        actor=taskforce,
        name="t.csv",
        data=import_file(half.item.code),
        centre_id=half.centre.pk,
        source="12345",
        mode="all",
        enqueue=False,
    )
    report_path(half.import_job).write_text("行,列,问题\n", encoding="utf-8")
    half.visit = ReturnVisit.objects.get(case=half.answered)
    half.attachment = half.case.attachments.get()
    half.rectification = half.rating.rectification
    for thing in ("case", "answered", "ready", "secret", "rectification"):
        case = getattr(half, thing)
        case.refresh_from_db()
        half.markers[thing].append(case.number)


def build_world() -> World:
    from doudi.accounts.actions import user_create
    from doudi.accounts.models import User
    from doudi.accounts.roles import Role
    from doudi.api.actions import integration_token_create, token_create, token_revoke
    from doudi.cases.public import SESSION_KEY
    from doudi.deadlines.actions import sweep
    from doudi.directory.models import Staff
    from doudi.exports.actions import export_request, export_run
    from doudi.feedback import tokens
    from doudi.triage.actions import daily_summary_make

    org = build_org()
    people: Personas = build_people(org)

    def make(name: str, role: Role, **scope: Any) -> User:
        return user_create(actor=None, username=name, password=None, role=role, **scope)

    taskforce_b = make("taskforce_b", Role.TASKFORCE, scope_centre=org.centre_b)
    supervisor_b = make("supervisor_b", Role.SUPERVISOR, scope_centre=org.centre_b)
    off = make("off_a", Role.CLERK, scope_centre=org.centre_a)
    integration = integration_token_create(actor=None, name="matrix", centre=org.centre_a)

    inside = Half(
        "A",
        org.centre_a,
        org.dept_x,
        org.window_a_x,
        org.staff_a_x,
        org.item_x,
        phone=PHONE,
        word="甲区证明",
    )
    outside = Half(
        "B",
        org.centre_b,
        org.dept_y,
        org.window_b_y,
        org.staff_b_y,
        org.item_y,
        phone=PHONE,
        word="乙区执照",
    )
    other = Half(
        "AY",
        org.centre_a,
        org.dept_y,
        org.window_a_y,
        Staff.objects.create(
            employee_no="E5", name="孙七", window=org.window_a_y, department=org.dept_y
        ),
        org.item_y,
        phone=PHONE,
        word="甲区执照",
    )
    _fill(
        inside,
        registrar=integration.token.user,
        clerk=people.clerk_a,
        taskforce=people.taskforce_a,
        handler=people.handler_x,
        supervisor=people.supervisor_a,
    )
    # B's answered case names A's staff member too: A sees that person's record, not the case.
    _fill(
        outside,
        registrar=people.clerk_b,
        clerk=people.clerk_b,
        taskforce=taskforce_b,
        handler=people.handler_y,
        supervisor=supervisor_b,
        also_involved=[org.staff_a_x],
    )
    _fill(
        other,
        registrar=people.clerk_a,
        clerk=people.clerk_a,
        taskforce=people.taskforce_a,
        handler=people.handler_y,
        supervisor=people.supervisor_a,
    )
    with time_machine.travel(at("2026-02-13 12:00"), tick=False):
        made = {summary.centre_id: summary for summary in daily_summary_make(day=date(2026, 2, 12))}
    inside.daily = other.daily = made[org.centre_a.pk]
    outside.daily = made[org.centre_b.pk]
    with time_machine.travel(at("2026-03-20 09:00"), tick=False):
        sweep()  # every clock overdue: supervision items (督办) in every half
    User.objects.filter(pk=off.pk).update(is_active=False)
    off.refresh_from_db()

    users = {
        "off": off,
        "clerk": people.clerk_a,
        "tforce": people.taskforce_a,
        "handler": people.handler_x,
        "superv": people.supervisor_a,
        "leader": people.leader_a,
        "leadx": people.leader_x,
        "admin": people.admin,
    }
    exports = {}
    for actor, user in [*users.items(), ("other", people.clerk_b)]:
        if actor != "off":
            job = export_request(actor=user, kind="cases", params={}, fmt="csv", enqueue=False)
            exports[actor] = export_run(job.pk)
    bearer = {"anon": "", "integ": integration.secret}
    for actor, user in users.items():
        if actor != "off":
            bearer[actor] = token_create(actor=None, user=user, name=f"matrix {actor}").secret
    revoked = token_create(actor=None, user=people.clerk_a, name="matrix revoked")
    token_revoke(actor=None, prefix=revoked.token.prefix)
    bearer["off"] = revoked.secret

    # The sessions in real time (they expire after 30 minutes), each having proved case ``in``.
    sessions = {}
    for actor in ("anon", *users):
        client = Client()
        if actor in users:
            client.force_login(users[actor], backend="django.contrib.auth.backends.ModelBackend")
        session = client.session
        session[SESSION_KEY] = [inside.case.pk]
        session.save()
        sessions[actor] = session.session_key or ""
    return World(
        halves={"in": inside, "out": outside, "oth": other},
        sessions=sessions,
        tokens=bearer,
        users=users,
        exports=exports,
        rate_links={
            side: tokens.case_link_token(half.answered.pk, half.visit.round)
            for side, half in (("in", inside), ("oth", other))
        },
    )


# --- One cell ---------------------------------------------------------------------------------
def sees(actor: str) -> set[tuple[str, str]]:
    """The things (half, thing) whose data ``actor`` may see."""
    # A reporter's name in full is no page's: only a reveal's answer (a cell's target).
    every = {(side, thing) for side in SIDES for thing in THINGS if "name" not in thing}
    # Windows and their staff are on the public pages (the report form, a window's QR page).
    public = {(side, thing) for side, thing in every if thing in ("window", "staff")}
    if actor == "admin":
        return every
    if actor in ("anon", "off"):
        return public
    if actor == "integ":  # an integration: the case it registered, and its centre's directory
        return {("in", "case")} | {(side, thing) for side, thing in public if side != "out"}
    if actor in DEPARTMENT_ACTORS:
        return {(side, thing) for side, thing in every if side == "in"}
    return {(side, thing) for side, thing in every if side != "out"}


def outcome(response: HttpResponseBase) -> str:
    if response.status_code in (301, 302):
        where = urlsplit(response["Location"]).path
        if where == reverse("accounts:login"):
            return "login"
        if where == reverse("admin:login"):
            return "alogin"
        return "302"
    return str(response.status_code)


def _fingerprint_sql() -> str:
    """One query: the row counts and states of everything a move, an act or a job changes."""
    from doudi.accountability.models import Finding, FindingEvent
    from doudi.audit.models import AuditEntry
    from doudi.cases.models import Attachment, Case, CaseEvent
    from doudi.exports.models import ExportJob
    from doudi.feedback.models import Rating, RatingEvent, ReturnVisit, VisitAttempt
    from doudi.imports.models import ImportJob
    from doudi.notify.models import Notification
    from doudi.policy.models import PolicyIssue, PolicyIssueCase, PolicyIssueEvent
    from doudi.triage.models import Triage
    from doudi.workorders.models import Contact, Extension, WorkOrder, WorkOrderEvent

    counted: list[type[Model]] = [
        CaseEvent,
        Attachment,
        Triage,
        WorkOrderEvent,
        Contact,
        RatingEvent,
        VisitAttempt,
        FindingEvent,
        PolicyIssueCase,
        PolicyIssueEvent,
        ExportJob,
        ImportJob,
        Notification,
        AuditEntry,
    ]
    columns: list[tuple[type[Model], str]] = [
        (Case, "state"),
        (WorkOrder, "state"),
        (WorkOrder, "version"),
        (Extension, "decision"),
        (Rating, "state"),
        (Finding, "state"),
        (PolicyIssue, "state"),
        (PolicyIssue, "title"),
        (ReturnVisit, "outcome"),
    ]
    # Table and column names from the models, no input: nothing to inject.
    tables = [m._meta.db_table for m in counted]
    parts = [f"SELECT '{table}', COUNT(*), '' FROM {table}" for table in tables]  # noqa: S608
    parts += [
        f"SELECT '{m._meta.db_table}.{column}', id, CAST({column} AS TEXT) FROM {m._meta.db_table}"  # noqa: S608
        for m, column in columns
    ]
    return " UNION ALL ".join(parts)


def fingerprint() -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(_fingerprint_sql())
        return sorted(cursor.fetchall())


_CLIENT = Client()


def fresh_client(session: str = "") -> Client:
    """The one test client, with no cookie but the session given: a new client would load
    the middleware again on its first request."""
    _CLIENT.cookies = SimpleCookie()
    if session:
        _CLIENT.cookies[settings.SESSION_COOKIE_NAME] = session
    return _CLIENT


def send(w: World, row: Row, actor: str, path: str, values: Values) -> Any:
    """The response (the test client's, with ``content`` or ``streaming_content``)."""
    client = fresh_client()
    query: dict[str, Any] = dict(values.get("query", {}))
    body: dict[str, Any] = dict(values.get("body", {}))
    if row.kind == "html":
        client = fresh_client(w.sessions[actor])
        if row.method == "GET":
            return client.get(path, query)
        return client.post(path, body)
    token = w.tokens[actor]
    if row.kind == "api":
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if row.method == "GET":
            return client.get(path, query, headers=headers)
        return client.post(path, body, content_type="application/json", headers=headers)
    key = {"api_key": token} if token else {}
    if row.method == "GET":
        return client.get(path, {**query, **key})
    return client.post(path, {**body, **key})


def run_cell(
    w: World,
    row: Row,
    pattern: Pattern,
    actor: str,
    side: str,
    code: str,
    values: Values,
    *,
    public: bool,
) -> str:
    """What is wrong with the cell, or "" when it answers as the table says: its status, the
    rows it changed (or did not), the data it showed that ``actor`` may not see."""
    path = path_of(pattern, values)
    changes = code.endswith("+")
    code = code.rstrip("+")
    problems = []
    with transaction.atomic():
        before = fingerprint()
        try:
            response = send(w, row, actor, path, values)
        except Exception as error:  # a crash is an answer too: a 500
            response = None
            problems.append(f"500 {type(error).__name__}: {error}")
        changed = fingerprint() != before
        transaction.set_rollback(True)
    if changed != changes and response is not None:
        problems.append("it changed rows" if changed else "it changed nothing")
    if response is None:
        return "; ".join(problems)
    got = outcome(response)
    if got != code:
        problems.insert(0, f"{got}, not {code}")
    if isinstance(response, StreamingHttpResponse):
        # Read to the end, the test client closes it (as a server would: closing it again
        # would fire request_finished, which closes an old database connection).
        content = b"".join(response.streaming_content)  # type: ignore[arg-type]
        if not response.get("Content-Type", "").startswith("text/"):
            return "; ".join(problems)  # a PDF, a workbook, a picture: not searched
        text = content.decode("utf-8-sig", "replace")
    else:
        text = response.content.decode("utf-8", "replace")
    allowed = sees(actor) | (sees("anon") if public else set())
    if code in SUCCESS:  # the cell's own object, when the table says the actor may see it
        allowed |= set(values.get("target", []))
    # (An error message may repeat what was asked: that is no leak.)
    asked = f"{path} {values.get('query', '')} {values.get('body', '')}"
    shown = [marker for marker in leaks(w, text, allowed) if marker not in asked]
    if shown:
        problems.append(f"shows {', '.join(shown)}")
    return "; ".join(problems)


def leaks(w: World, text: str, allowed: set[tuple[str, str]]) -> list[str]:
    """The markers in ``text`` of things not ``allowed``."""
    return [
        marker
        for side, half in w.halves.items()
        for thing, markers in half.markers.items()
        if (side, thing) not in allowed
        for marker in markers
        if marker in text
    ]
