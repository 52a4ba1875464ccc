"""A fast, realistic generator of a large case history, for the benchmarks.

``generate(n)`` adds ``n`` cases over the three years up to now to the demo district (which
must be loaded), with what their lives leave behind: the events, the triage record, work
orders with their events and contacts, the clocks (triage, sign-for, answer, return visit),
the return visit and its rating, and window ratings (one for every three cases, 3% 差评).

The mix follows the demo: about 40% resolved on the spot, a quarter answered through work
orders, the rest out of scope, transferred, withdrawn or merged, and the cases of the last
weeks still open. Of the work orders, 5% are disputed (退单) and go to another department,
6% of the answers are returned for rework, 3% get an approved extension; every 差评 window
rating opens its rectification case (channel 差评) with its verify and fix clocks.
Rows are written with COPY on PostgreSQL and executemany on SQLite, with ids given here so
that no row needs a round trip; personal data is encrypted once per value of a small pool (the
ciphertexts repeat, which a benchmark does not mind).

Steps: read the directory; plan each case from ``random.Random(seed)``, in the order of
registration (as a real history is written, which keeps a month's rows together on disk);
write the tables in batches of 20,000 cases, parents before children; finally update the
sequences (PostgreSQL) and gather the planners' statistics.
"""

from __future__ import annotations

import json
import random
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from casetext import CaseText

BATCH = 20_000
YEARS = 3


def generate(n: int, *, seed: int = 1, now: datetime | None = None, log: Any = print) -> float:
    """Add ``n`` cases; returns the seconds it took."""
    from django.db import connection, transaction
    from django.utils import timezone

    started = time.perf_counter()
    now = now or timezone.now()
    world = _World.load(seed)
    writer = _Writer(connection)
    ids = _Ids(connection)
    done = 0
    span = timedelta(days=YEARS * 365)
    while done < n:
        size = min(BATCH, n - done)
        rows = _Rows()
        for k in range(done, done + size):
            # In the order they were registered, as a real history is written.
            _plan_case(world, rows, ids, now, now - span + span * (k / n))
        with transaction.atomic():
            rows.write(writer)
        done += size
        log(f"  {done:,} cases ({time.perf_counter() - started:.0f} s)")
    writer.finish(ids)
    # The departments each case was sent to (its work orders'), which the department readers'
    # scope reads: written by work_order_create, so filled here in one statement.
    from doudi.workorders.actions import case_recipients_fill

    case_recipients_fill()
    return time.perf_counter() - started


class _World:
    """The directory the cases refer to, and the pools of encrypted values."""

    @classmethod
    def load(cls, seed: int) -> _World:
        from doudi.accounts.models import User
        from doudi.core.crypto import encrypt, lookup_hash
        from doudi.directory.models import Centre, Department, ServiceItem, Staff, Window
        from doudi.lib.masking import mask_name, mask_phone
        from doudi.triage.models import Cause

        self = cls()
        self.rng = random.Random(seed)
        self.centres = list(Centre.objects.values_list("pk", flat=True))
        self.centre_weights = [6 if i == 0 else 2 for i in range(len(self.centres))]
        self.windows: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for pk, centre_id, department_id in Window.objects.values_list(
            "pk", "centre_id", "department_id"
        ):
            self.windows[centre_id].append((pk, department_id))
        self.staff: dict[int, list[int]] = defaultdict(list)
        for pk, window_id in Staff.objects.filter(window__isnull=False).values_list(
            "pk", "window_id"
        ):
            self.staff[window_id].append(pk)
        self.items = list(ServiceItem.objects.values_list("pk", "department_id", "name"))
        self.departments = list(Department.objects.values_list("pk", flat=True))
        self.causes = list(Cause.objects.filter(parent__isnull=False).values_list("pk", flat=True))
        self.users = {u.username: u.pk for u in User.objects.all()}
        phones = [f"139{self.rng.randrange(10**8):08d}" for _ in range(500)]
        self.phones = [(encrypt(p), lookup_hash(p, purpose="phone"), mask_phone(p)) for p in phones]
        names = ("张伟", "王芳", "李娜", "刘洋", "陈静")
        self.names = [(encrypt(name), mask_name(name)) for name in names]
        self.codes = [encrypt(f"BENCH{i:03d}") for i in range(200)]
        self.titles = [f"{name}被要求补交证明材料" for _, _, name in self.items[:60]] or ["测试"]
        # Realistic text for the search benchmark, from its own random stream.
        self.text = CaseText(seed + 1)
        return self


class _Ids:
    """The next free id of each table (ids are given by the generator)."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.next: dict[str, int] = {}

    def take(self, model: Any) -> int:
        table = model._meta.db_table
        if table not in self.next:
            self.next[table] = (
                model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            ) + 1
        value = self.next[table]
        self.next[table] += 1
        return value


class _Rows:
    def __init__(self) -> None:
        self.tables: dict[Any, list[dict[str, Any]]] = defaultdict(list)

    def add(self, model: Any, **values: Any) -> None:
        self.tables[model].append(values)

    def write(self, writer: _Writer) -> None:
        from doudi.cases.models import Case, CaseEvent
        from doudi.deadlines.models import Clock
        from doudi.feedback.models import Rating, ReturnVisit
        from doudi.triage.models import Triage
        from doudi.workorders.models import Contact, Extension, WorkOrder, WorkOrderEvent

        order = [
            Case,
            Case.windows.through,
            Case.staff.through,
            CaseEvent,
            Triage,
            WorkOrder,
            WorkOrderEvent,
            Extension,
            Contact,
            Clock,
            ReturnVisit,
            Rating,
        ]
        for model in order:
            if self.tables.get(model):
                writer.insert(model, self.tables[model])


class _Writer:
    """Inserts rows of a model, filling every column the row does not name with its default."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.columns: dict[Any, list[Any]] = {}

    def _fields(self, model: Any) -> list[Any]:
        if model not in self.columns:
            self.columns[model] = list(model._meta.concrete_fields)
        return self.columns[model]

    def insert(self, model: Any, rows: Sequence[dict[str, Any]]) -> None:
        from django.db import models

        fields = self._fields(model)
        ops = self.connection.ops
        converters = []
        for field in fields:
            if isinstance(field, models.DateTimeField):
                converters.append(ops.adapt_datetimefield_value)
            elif isinstance(field, models.DateField):
                converters.append(ops.adapt_datefield_value)
            elif isinstance(field, models.JSONField):
                converters.append(json.dumps)
            else:
                converters.append(None)
        defaults = [
            field.get_default() if field.has_default() else (None if field.null else "")
            for field in fields
        ]
        names = [field.attname for field in fields]
        data = (
            tuple(
                (conv(row[name]) if conv and row.get(name) is not None else row[name])
                if name in row
                else (conv(default) if conv and default is not None else default)
                for name, conv, default in zip(names, converters, defaults, strict=True)
            )
            for row in rows
        )
        table = model._meta.db_table
        columns = ", ".join(f'"{field.column}"' for field in fields)
        if self.connection.vendor == "postgresql":
            self.connection.ensure_connection()
            with self.connection.connection.cursor() as cursor:  # noqa: SIM117
                with cursor.copy(f'COPY "{table}" ({columns}) FROM STDIN') as copy:
                    for row in data:
                        copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(fields))
            with self.connection.cursor() as cursor:
                # Table and column names come from the models, never from input.
                sql = f'INSERT INTO "{table}" ({columns}) VALUES ({marks})'  # noqa: S608
                cursor.executemany(sql, data)

    def finish(self, ids: _Ids) -> None:
        with self.connection.cursor() as cursor:
            # Statistics for the planners, as after any bulk load (the tables written only: a
            # bare ANALYZE would lock the shared catalogues until the caller's transaction ends).
            for table in ids.next:
                cursor.execute(f'ANALYZE "{table}"')
        if self.connection.vendor != "postgresql":
            return
        with self.connection.cursor() as cursor:
            for table in ids.next:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "  # noqa: S608
                    f'(SELECT MAX(id) FROM "{table}"))'
                )


# --- one case ---------------------------------------------------------------------------------

OUTCOMES = (  # (final path, weight)
    ("on_spot", 40),
    ("out_of_scope", 6),
    ("transferred", 5),
    ("withdrawn", 6),
    ("merged", 2),
    ("flow", 41),
)
CHANNELS = (("window", 40), ("hotline", 25), ("online", 20), ("qr", 10), ("12345", 5))


def _pick(rng: random.Random, table: Iterable[tuple[str, int]]) -> str:
    names, weights = zip(*table, strict=True)
    return rng.choices(names, weights=weights)[0]


def _plan_case(
    world: _World,
    rows: _Rows,
    ids: _Ids,
    now: datetime,
    moment: datetime,
    *,
    rectify: tuple[int, int, int] | None = None,
) -> int:
    """Plan one case and what its life leaves behind; returns its id. ``rectify`` is the
    (centre, window, window's department) of a 差评 that this case rectifies."""
    from django.utils import timezone

    from doudi.cases.models import Case, CaseEvent, registration_fields
    from doudi.feedback.models import Rating

    rng = world.rng
    # Office hours on the planned day.
    local = timezone.localtime(moment)
    registered = (
        local.replace(hour=rng.choice((9, 10, 10, 11, 14, 15, 16, 17)), minute=rng.randrange(60))
        if rectify is None
        else moment  # the moment of the 差评
    )
    if registered > now:
        registered = now - timedelta(minutes=rng.randrange(1, 60))
    age = now - registered
    centre = rng.choices(world.centres, weights=world.centre_weights)[0]
    item_id, department_id, item_name = rng.choice(world.items)
    windows = world.windows.get(centre) or []
    path = _pick(rng, OUTCOMES)
    channel = _pick(rng, CHANNELS)
    if rectify is not None:
        centre, rated_window, department_id = rectify
        windows = [(rated_window, department_id)]
        path, channel, item_id = "flow", "bad_review", None
    recent = age < timedelta(days=14)
    case_id = ids.take(Case)
    phone, phone_hash, phone_masked = rng.choice(world.phones)
    name, name_masked = rng.choice(world.names)
    state = {
        "on_spot": "resolved_on_spot",
        "out_of_scope": "out_of_scope",
        "transferred": "transferred",
        "withdrawn": "withdrawn",
        "merged": "withdrawn",  # the generator does not link merges: withdrawn stands in
        "flow": "closed",
    }[path]
    clerk = world.users.get("clerk")
    events: list[tuple[str, datetime, str, str]] = [("register", registered, "", "registered")]
    case = {
        "id": case_id,
        "number": f"BENCH-{case_id:09d}",
        "centre_id": centre,
        "channel": channel,
        "state": state,
        "reporter_kind": "person",
        "reporter_name": name,
        "reporter_phone": phone,
        "reporter_name_masked": name_masked,
        "reporter_phone_masked": phone_masked,
        "phone_hash": phone_hash,
        "service_item_id": item_id,
        "visits": rng.choice((1, 1, 2, 2, 3, 4)),
        # (The draw is kept so that the rest of the history stays as before the text source.)
        "title": rng.choice(world.titles) if rectify is None else "差评整改",
        "description": "窗口要求提供办事指南以外的证明材料，多次往返仍未办成。",
        "urgency": "normal",
        **registration_fields(registered),
        "registered_by_id": clerk,
        "query_code": rng.choice(world.codes),
        "submission_key": None,
        "outcome": "",
        "updated_at": registered,
        "reopen_count": 0,
    }
    if windows:
        window_id, _ = rng.choice(windows)
        rows.add(
            Case.windows.through,
            id=ids.take(Case.windows.through),
            case_id=case_id,
            window_id=window_id,
        )
        staff = world.staff.get(window_id)
        if staff and rng.random() < 0.6:
            rows.add(
                Case.staff.through,
                id=ids.take(Case.staff.through),
                case_id=case_id,
                staff_id=rng.choice(staff),
            )
    text = {"outcome": ""}
    if rectify is None:
        text = world.text.case(item_name, settled=path in ("on_spot", "out_of_scope", "flow"))
        case.update(title=text["title"], description=text["description"], request=text["request"])
    if path != "flow":
        moment = registered + timedelta(minutes=rng.randrange(5, 90))
        move = {"on_spot": "resolve_on_spot", "merged": "withdraw"}.get(path, path)
        if move in ("withdrawn",):
            move = "withdraw"
        events.append((move, moment, "registered", state))
        case["outcome"] = text["outcome"] if path in ("on_spot", "out_of_scope") else ""
    else:
        _plan_flow(world, rows, ids, now, case, events, department_id, recent)
        if case["outcome"] and text["outcome"]:
            case["outcome"] = text["outcome"]
    rows.add(Case, **case)
    for kind, at, from_state, to_state in events:
        rows.add(
            CaseEvent,
            id=ids.take(CaseEvent),
            case_id=case_id,
            kind=kind,
            at=at,
            from_state=from_state,
            to_state=to_state,
            payload={},
            public=True,
        )
    # One window rating for every three cases, at the case's centre; a 差评 opens a case.
    if windows and rectify is None and rng.random() < 0.33:
        window_id, window_department = rng.choice(windows)
        level = rng.choices((5, 4, 3, 2, 1), weights=(60, 25, 12, 2, 1))[0]
        rated = registered + timedelta(minutes=5)
        rectification = (
            _plan_case(world, rows, ids, now, rated, rectify=(centre, window_id, window_department))
            if level <= 2
            else None
        )
        rows.add(
            Rating,
            id=ids.take(Rating),
            source="window",
            centre_id=centre,
            window_id=window_id,
            level=level,
            comment="",
            callback_phone="",
            event_key=f"bench:w:{case_id}",
            state="valid" if level > 2 else "confirmed",
            rated_at=rated,
            rectification_id=rectification,
        )
    return case_id


def _plan_flow(
    world: _World,
    rows: _Rows,
    ids: _Ids,
    now: datetime,
    case: dict[str, Any],
    events: list[tuple[str, datetime, str, str]],
    department_id: int,
    recent: bool,
) -> None:
    from doudi.deadlines.models import Clock
    from doudi.feedback.models import Rating, ReturnVisit
    from doudi.triage.models import Triage
    from doudi.workorders.models import Contact, Extension, WorkOrder, WorkOrderEvent

    rng = world.rng
    registered: datetime = case["registered_at"]
    case_id = case["id"]
    day = timedelta(days=1)
    triaged = registered + timedelta(hours=rng.randrange(2, 20))
    issued = triaged + timedelta(hours=1)
    # 退单: the first department disputes within hours and the task force reassigns.
    disputed_by = rng.choice(world.departments) if rng.random() < 0.05 else None
    if disputed_by == department_id:
        disputed_by = None
    first_issued = issued
    if disputed_by is not None:
        issued = first_issued + timedelta(hours=rng.randrange(3, 24))
    signed = issued + timedelta(hours=rng.choice((2, 5, 18, 20, 30, 60)))
    extended = rng.random() < 0.03  # an extension asked the day after signing, approved
    submitted = signed + day * (rng.choice((1, 2, 3, 4, 6, 9)) + (7 if extended else 0))
    # Returned for rework: a first result two days before the one accepted.
    reworked_at = submitted - day * 2 if rng.random() < 0.06 else None
    accepted = submitted + timedelta(hours=rng.randrange(1, 20))
    visited = accepted + day * rng.choice((1, 1, 2, 3, 5))
    # How far the case got: the recent ones are still on their way.
    stage = 6
    for limit, reached in (
        (triaged, 1),
        (issued, 2),
        (signed, 3),
        (submitted, 4),
        (accepted, 5),
        (visited, 6),
    ):
        if limit > now:
            stage = reached - 1
            break
    state = ("triage", "triage", "dispatched", "in_progress", "review", "answered", "closed")[stage]
    case["state"] = state
    events.append(("send_to_triage", registered + timedelta(minutes=30), "registered", "triage"))
    force = world.users.get("taskforce")
    handler = world.users.get("handler")
    clocks: list[dict[str, Any]] = []

    def clock(
        kind: str, start: datetime, due: datetime, stop: datetime | None, **extra: Any
    ) -> None:
        late = stop is not None and stop > due
        clocks.append(
            {
                "id": ids.take(Clock),
                "kind": kind,
                "case_id": case_id,
                "counted_from": start,
                "working_days": 1,
                "due_at_noon": kind == "triage",
                "due_at": due,
                "soon_at": due - day,
                "provisional": False,
                "started_at": start,
                "stopped_at": stop,
                "state": "met" if stop else ("overdue" if due < now else "on_time"),
                "late_working_days": (stop - due).days + 1 if late else 0,
                "late_hours": int((stop - due).total_seconds() // 3600) if late else 0,
                **extra,
            }
        )

    clock("triage", registered, registered + day, first_issued if stage >= 2 else None)
    if case["channel"] == "bad_review":
        # Verified when triaged; fixed when the rectification is answered.
        clock("verify", registered, registered + day, triaged if stage >= 1 else None)
        clock("fix", registered, registered + day * 21, accepted if stage >= 5 else None)
    if stage >= 1:
        rows.add(
            Triage,
            id=ids.take(Triage),
            case_id=case_id,
            cause_id=rng.choice(world.causes),
            tier="general",
            working_days=5,
            mode="parallel",
            instructions="",
            triaged_by_id=force,
            triaged_at=triaged,
            issued_at=first_issued if stage >= 2 else None,
        )
    if stage >= 2:
        events.append(("dispatch", first_issued, "triage", "dispatched"))
        order_id = ids.take(WorkOrder)
        order_state = ("issued", "signed", "submitted", "accepted", "accepted")[min(stage - 2, 4)]
        answer_due = registered + day * 7
        if disputed_by is not None:
            _plan_disputed_order(
                world, rows, ids, case, disputed_by, first_issued, issued, order_id, clock
            )
        old_due = answer_due
        if extended and stage >= 3:
            answer_due = old_due + day * 7
            asked = signed + day
            rows.add(
                Extension,
                id=ids.take(Extension),
                work_order_id=order_id,
                requested_at=asked,
                requested_by_id=handler,
                working_days=5,
                reason="需要外省调取档案",
                old_due=old_due,
                new_due=answer_due,
                new_due_provisional=False,
                decision="approved",
                decided_at=asked + timedelta(hours=3),
                decided_by_id=force,
                decision_note="",
            )
        rows.add(
            WorkOrder,
            id=order_id,
            number=f"{case['number']}-1",
            case_id=case_id,
            department_id=department_id,
            role="lead",
            step=1,
            state=order_state,
            instructions="",
            issued_by_id=force,
            created_at=issued,
            issued_at=issued,
            answer_due=answer_due,
            answer_due_provisional=False,
            version=stage,
            signed_at=signed if stage >= 3 else None,
            signed_by_id=handler if stage >= 3 else None,
            submitted_at=submitted if stage >= 4 else None,
            result_kind="solved" if stage >= 4 else "",
            result="已按规定办理" if stage >= 4 else "",
            rework_count=int(reworked_at is not None and stage >= 4),
            dispute_reason="",
        )
        order_events = [
            ("issue", issued, 2),
            ("sign", signed, 3),
            ("submit", submitted, 4),
            ("accept", accepted, 5),
        ]
        if extended:
            order_events += [
                ("extension_requested", signed + day, 3),
                ("extension_approved", signed + day + timedelta(hours=3), 3),
            ]
        if reworked_at is not None:
            first_result = reworked_at - timedelta(hours=3)
            order_events += [("submit", first_result, 4), ("rework", reworked_at, 4)]
        for kind, at, reached_stage in order_events:
            if stage >= reached_stage:
                rows.add(
                    WorkOrderEvent,
                    id=ids.take(WorkOrderEvent),
                    work_order_id=order_id,
                    kind=kind,
                    at=at,
                    payload={},
                )
        if stage >= 3 and rng.random() < 0.85:
            rows.add(
                Contact,
                id=ids.take(Contact),
                work_order_id=order_id,
                at=signed + timedelta(hours=1),
                method="phone",
                reached=True,
                note="",
                by_id=handler,
            )
        clock("sign", issued, issued + day, signed if stage >= 3 else None, work_order_id=order_id)
        if reworked_at is None or stage < 4:
            clock(
                "answer",
                registered,
                answer_due,
                submitted if stage >= 4 else None,
                work_order_id=order_id,
            )
        else:  # the first answer clock stops at the first result; a rework starts a new one
            clock("answer", registered, answer_due, first_result, work_order_id=order_id)
            rework_due = reworked_at + day * 3
            clock("answer", reworked_at, rework_due, submitted, work_order_id=order_id)
    if stage >= 3:
        events.append(("start", signed, "dispatched", "in_progress"))
    if stage >= 4:
        if reworked_at is not None:
            events.append(("await_review", first_result, "in_progress", "review"))
            events.append(("rework", reworked_at, "review", "in_progress"))
        events.append(("await_review", submitted, "in_progress", "review"))
    if stage >= 5:
        events.append(("accept", accepted, "review", "answered"))
        case["answered_at"] = accepted
        case["answer_working_days"] = max(1, (accepted - registered).days * 5 // 7)
        case["outcome"] = "已按规定办理"
        visit_id = ids.take(ReturnVisit)
        clock("visit", accepted, accepted + day * 3, visited if stage >= 6 else None)
        if stage >= 6:
            solved = rng.random() < 0.9
            level = (
                rng.choices((5, 4, 3), weights=(60, 30, 10))[0] if solved else rng.choice((2, 3))
            )
            outcome = "closed" if solved and level >= 3 else "reopened"
            if outcome == "reopened":
                # The generator keeps reopened cases closed after their second round.
                case["reopen_count"] = 1
            rows.add(
                ReturnVisit,
                id=visit_id,
                case_id=case_id,
                round=1,
                opened_at=accepted,
                outcome=outcome,
                solved=solved,
                level=level,
                comment="",
                note="",
                concluded_at=visited,
                concluded_by_id=world.users.get("supervisor"),
                by_reporter=False,
            )
            rows.add(
                Rating,
                id=ids.take(Rating),
                source="visit",
                centre_id=case["centre_id"],
                case_id=case_id,
                level=level,
                comment="",
                callback_phone="",
                event_key=f"bench:c:{case_id}",
                state="valid",
                rated_at=visited,
            )
            events.append(("close", visited, "answered", "closed"))
        else:
            rows.add(
                ReturnVisit,
                id=visit_id,
                case_id=case_id,
                round=1,
                opened_at=accepted,
                outcome="",
                comment="",
                note="",
                by_reporter=False,
            )
    for values in clocks:
        rows.add(Clock, **values)


def _plan_disputed_order(
    world: _World,
    rows: _Rows,
    ids: _Ids,
    case: dict[str, Any],
    department_id: int,
    issued: datetime,
    reassigned: datetime,
    new_order_id: int,
    clock: Any,
) -> None:
    """The first work order of a disputed case: issued, disputed by its department, reassigned
    (to ``new_order_id``); its clocks cancelled."""
    from doudi.cases.models import CaseEvent
    from doudi.workorders.models import WorkOrder, WorkOrderEvent

    order_id = ids.take(WorkOrder)
    disputed = issued + (reassigned - issued) / 2
    force = world.users.get("taskforce")
    rows.add(
        WorkOrder,
        id=order_id,
        number=f"{case['number']}-0",
        case_id=case["id"],
        department_id=department_id,
        role="lead",
        step=1,
        state="reassigned",
        instructions="",
        issued_by_id=force,
        created_at=issued,
        issued_at=issued,
        answer_due=case["registered_at"] + timedelta(days=7),
        answer_due_provisional=False,
        version=3,
        dispute_reason="不属于本部门职责",
        reassigned_to_id=new_order_id,
        rework_count=0,
    )
    for kind, at in (("issue", issued), ("dispute", disputed), ("reassign", reassigned)):
        rows.add(
            WorkOrderEvent, id=ids.take(WorkOrderEvent), work_order_id=order_id, kind=kind,
            at=at, payload={},
        )  # fmt: skip
    rows.add(
        CaseEvent, id=ids.take(CaseEvent), case_id=case["id"], kind="work_order_disputed",
        at=disputed, from_state="", to_state="", payload={}, public=False,
    )  # fmt: skip
    for kind in ("sign", "answer"):
        clock(
            kind, issued, issued + timedelta(days=1), None, work_order_id=order_id,
            state="cancelled", stopped_at=disputed,
        )  # fmt: skip
