"""Every change to a case: registration, each workflow move, information added, unmasking.

Each action is atomic, locks the case row it changes, saves only the fields it changes, writes
a CaseEvent in the same transaction, and leaves notices in the outbox, which delivers them only
after the transaction commits.
"""

from __future__ import annotations

import hashlib
import secrets
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from doudi.accounts.roles import Capability, capabilities_of
from doudi.audit.actions import audit_record
from doudi.cases.models import (
    Attachment,
    Case,
    CaseEvent,
    CaseNumberCounter,
    ReporterKind,
    masked_reporter,
    registration_fields,
)
from doudi.cases.selectors import cases_past_retention, visible_cases
from doudi.cases.signals import case_left_workflow, case_moved, cases_anonymised
from doudi.cases.workflow import DomainError, State, guard
from doudi.core.bulk import insert_new, insert_objects, save_new
from doudi.core.crypto import lookup_hash
from doudi.core.errors import InvalidInput
from doudi.core.groupcommit import GroupCommit
from doudi.core.writeturn import writer_turn
from doudi.deadlines.actions import clocks_cancel, triage_clock_start
from doudi.lib.idcard import normalise_id_number
from doudi.lib.masking import scrub_text
from doudi.lib.phone import normalise_phone
from doudi.lib.uploads import sniff
from doudi.notify.actions import Notice, notifications_enqueue, notifications_forget_cases
from doudi.workcal.selectors import work_calendar

if TYPE_CHECKING:
    from doudi.accounts.models import User
    from doudi.directory.models import Centre, ServiceItem, Staff, Window

QUERY_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read out by phone
QUERY_CODE_LENGTH = 8
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_UPLOADS = 5


@dataclass(frozen=True)
class Reporter:
    kind: str = ReporterKind.PERSON
    anonymous: bool = False
    confidential: bool = False
    name: str = ""
    phone: str = ""
    id_number: str = ""
    email: str = ""
    company_name: str = ""
    credit_code: str = ""


@dataclass(frozen=True)
class Upload:
    name: str
    data: bytes


@dataclass
class Intake:
    centre: Centre
    channel: str
    title: str
    description: str
    reporter: Reporter = field(default_factory=Reporter)
    request: str = ""
    service_item: ServiceItem | None = None
    matter_text: str = ""
    windows: list[Window] = field(default_factory=list)
    staff: list[Staff] = field(default_factory=list)
    visits: int = 1
    urgency: str = "normal"
    occurred_at: datetime | None = None


def phone_lookup_hash(phone: str) -> str:
    return lookup_hash(normalise_phone(phone).replace("-", ""), purpose="phone") if phone else ""


def id_lookup_hash(id_number: str) -> str:
    return lookup_hash(normalise_id_number(id_number), purpose="id") if id_number else ""


def _reserve_numbers(centre: Centre, day: date, count: int = 1) -> list[str]:
    """The next ``count`` case numbers of this centre and day, e.g. SFQ-20261126-0007.

    The counter row is moved on with one UPDATE, which locks it until the transaction ends,
    so two registrations at once get different numbers; the UPDATE returns the new value
    (``RETURNING``: PostgreSQL, SQLite 3.35+), so the row is not read again.
    """
    last = _counter_add(centre, day, count)
    if last is None:
        try:
            with transaction.atomic():
                CaseNumberCounter.objects.create(centre=centre, day=day, last=count)
            last = count
        except IntegrityError:  # created by a concurrent registration
            last = _counter_add(centre, day, count)
    if last is None:  # pragma: no cover - the row exists by now
        raise RuntimeError("case number counter missing")
    return [f"{centre.code}-{day:%Y%m%d}-{seq:04d}" for seq in range(last - count + 1, last + 1)]


def _counter_add(centre: Centre, day: date, count: int) -> int | None:
    """Add ``count`` to the counter of this centre and day; its new value, or None when the
    row does not exist yet."""
    connection = transaction.get_connection(CaseNumberCounter.objects.db)
    meta = CaseNumberCounter._meta
    quote = connection.ops.quote_name
    last = quote(meta.get_field("last").column)
    if not connection.features.can_return_columns_from_insert:  # SQLite before 3.35
        counters = CaseNumberCounter.objects.filter(centre=centre, day=day)
        if not counters.update(last=F("last") + count):
            return None
        return counters.values_list("last", flat=True).get()
    # PostgreSQL, the UPDATE committing by itself: its commit does not wait for the WAL to
    # reach the disk (synchronous_commit off for this statement's transaction only). Every
    # registration at the centre that day updates this row, and each held its lock through
    # that wait. Nothing durable is lost: the case that takes the number commits later,
    # waiting for the WAL up to its own commit, which includes this one; a crash can only
    # lose a counter step whose case never committed, and the number is then unused.
    asynchronous = connection.vendor == "postgresql" and not connection.in_atomic_block
    no_wait = "FROM (SELECT set_config('synchronous_commit', 'off', true)) AS async_commit "
    sql = (
        f"UPDATE {quote(meta.db_table)} SET {last} = {last} + %s "  # noqa: S608 - names from the model
        f"{no_wait if asynchronous else ''}"
        f"WHERE {quote(meta.get_field('centre').column)} = %s "
        f"AND {quote(meta.get_field('day').column)} = %s RETURNING {last}"
    )
    day_value = meta.get_field("day").get_db_prep_value(day, connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, [count, centre.pk, day_value])
        row = cursor.fetchone()
    return None if row is None else int(row[0])


def case_event(
    case: Case,
    kind: str,
    *,
    actor: User | None,
    by_reporter: bool = False,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    payload: dict[str, Any] | None = None,
    public: bool = True,
    at: datetime | None = None,
) -> CaseEvent:
    return save_new(
        CaseEvent(
            case=case,
            at=at or timezone.now(),
            kind=kind,
            actor=actor,
            by_reporter=by_reporter,
            from_state=from_state,
            to_state=to_state,
            reason=reason,
            payload=payload or {},
            public=public,
        )
    )


@dataclass(frozen=True)
class _CheckedUpload:
    upload: Upload
    content_type: str
    extension: str


def check_uploads(uploads: Sequence[Upload]) -> list[_CheckedUpload]:
    """Refuse too many, too large or disguised files, judged by content, before anything is
    stored."""
    if len(uploads) > MAX_UPLOADS:
        raise DomainError(_("一次最多上传 %(n)s 个文件。") % {"n": MAX_UPLOADS})
    checked = []
    for upload in uploads:
        if len(upload.data) > MAX_UPLOAD_BYTES:
            raise DomainError(_("文件“%(name)s”超过 10 MB。") % {"name": upload.name})
        kind = sniff(upload.data)
        if kind is None:
            raise DomainError(
                _("文件“%(name)s”不是有效的图片（JPG、PNG、WebP）或 PDF。") % {"name": upload.name}
            )
        checked.append(_CheckedUpload(upload, *kind))
    return checked


def store_uploads(
    case: Case,
    event: CaseEvent,
    uploads: list[_CheckedUpload],
    *,
    actor: User | None,
) -> None:
    for item in uploads:
        attachment = Attachment(
            case=case,
            event=event,
            original_name=item.upload.name[:200],
            content_type=item.content_type,
            size=len(item.upload.data),
            sha256=hashlib.sha256(item.upload.data).hexdigest(),
            by_reporter=actor is None,
            uploaded_by=actor,
        )
        # A random name under the private attachments directory; the original name is kept
        # only as data.
        attachment.file.save(f"upload{item.extension}", ContentFile(item.upload.data), save=False)
        attachment.save()


def _track_url(case: Case) -> str:
    return f"{settings.DOUDI_PUBLIC_URL.rstrip('/')}/track/?number={case.number}"


def notify_reporter(case: Case, template: str, **context: Any) -> None:
    """Leave the reporter's notice in the outbox (sent after commit), by SMS and e-mail."""
    notifications_enqueue(_reporter_notices(case, template, **context))


def _reporter_notices(case: Case, template: str, **context: Any) -> list[Notice]:
    context = {
        "case_number": case.number,
        "centre_name": case.centre.name,
        "track_url": _track_url(case),
        **context,
    }
    return [
        Notice("sms", case.reporter_phone, template, context, case_id=case.pk),
        Notice("email", case.reporter_email, template, context, case_id=case.pk),
    ]


@dataclass(frozen=True)
class _Registration:
    actor: User | None
    intake: Intake
    uploads: list[_CheckedUpload]
    submission_key: str
    at: datetime


def case_register(
    *,
    actor: User | None,
    intake: Intake,
    uploads: Sequence[Upload] = (),
    submission_key: str = "",
) -> Case:
    """Register a case; ``actor`` None means the reporter on a public form.

    A second call by the same actor with the same ``submission_key`` (a form sent twice, a
    retried request) returns the case of the first call and changes nothing: the key is
    unique, so its insert fails and its transaction is rolled back (not looked up first: a
    second call is rare, and every first call would pay for the look-up). Another actor's key
    is refused, so that nobody reaches a case by replaying someone else's key.

    Registrations that arrive at the same time in a process are written together, in one
    transaction (``_registrations``); the call returns once its case is committed. One made
    inside a caller's transaction, or with files, is written alone.

    Numbers are unique and increasing at a centre on a day, but not gapless: a registration
    that fails after taking its number (a database error, a form sent twice at once, a group
    written again case by case) leaves that number unused.
    """
    guard("register", "", capabilities=capabilities_of(actor.role) if actor else None)
    if any(window.centre_id != intake.centre.pk for window in intake.windows):
        raise InvalidInput(_("所选窗口不属于所选受理中心，请重新选择。"), field="windows")
    registration = _Registration(
        actor=actor,
        intake=intake,
        uploads=check_uploads(uploads),
        submission_key=submission_key,
        at=timezone.now(),
    )
    try:
        # Files are stored as their rows are written: a group written again case by case would
        # store them twice. A caller's transaction is not ours to commit for others.
        if registration.uploads or transaction.get_connection().in_atomic_block:
            return _register_in_turn([registration])[0]
        return _registrations.run(registration)
    except IntegrityError:
        if submission_key:  # the same form sent twice (one after the other, or at once)
            existing = _registered_with(submission_key, actor)
            if existing is not None:
                return existing
            if Case.objects.filter(submission_key=submission_key).exists():
                raise DomainError(_("该提交标识已被使用，请重新提交。")) from None
        raise


def _register_in_turn(registrations: Sequence[_Registration]) -> list[Case]:
    """``_register_together`` in the writers' turn: on SQLite, the processes' writes take
    turns on a file lock rather than in SQLite's busy handler, whose sleeps made the embedded
    default's tail (core.writeturn)."""
    with writer_turn():
        return _register_together(registrations)


def _register_together(registrations: Sequence[_Registration]) -> list[Case]:
    """Write registrations in one transaction, all or none: one INSERT per table (the cases,
    their events, their outbox rows, and through ``rows_created`` their search rows, figures'
    marks and audit entries), and one commit.

    The numbers are taken first, in a transaction of their own (unless the caller holds one
    open): the counter row is written by every registration at the centre that day, and locked
    until the registration committed, it made them wait one behind the other (on PostgreSQL at
    40 cases/s, half the request threads waited on it)."""
    numbers = _numbers([(r.intake.centre, timezone.localdate(r.at)) for r in registrations])
    with transaction.atomic():
        cases = insert_new(
            [
                _new_case(
                    r.intake,
                    actor=r.actor,
                    number=number,
                    registered_at=r.at,
                    submission_key=r.submission_key,
                )
                for r, number in zip(registrations, numbers, strict=True)
            ]
        )
        _link_named(cases, [r.intake for r in registrations])
        events = insert_new(
            [
                CaseEvent(
                    case=case,
                    at=r.at,
                    kind="register",
                    actor=r.actor,
                    by_reporter=r.actor is None,
                    to_state=State.REGISTERED,
                    payload={"channel": r.intake.channel},
                )
                for r, case in zip(registrations, cases, strict=True)
            ]
        )
        for r, case, event in zip(registrations, cases, events, strict=True):
            store_uploads(case, event, r.uploads, actor=r.actor)
        notifications_enqueue(
            notice
            for case in cases
            for notice in _reporter_notices(
                case, "case_registered", query_code=case.query_code, expected_by=""
            )
        )
    return cases


# Registrations arriving together in a process, written by one of their threads in one
# transaction (core.groupcommit). A process serves a few request threads (DOUDI_WEB_THREADS), so a
# group is seldom larger than that; the bound keeps a group's statements small.
_registrations: GroupCommit[_Registration, Case] = GroupCommit(_register_in_turn, most=32)


def _numbers(days: Sequence[tuple[Centre, date]]) -> list[str]:
    """A new number for each (centre, day), in order: one counter step per centre and day."""
    centres = {centre.pk: centre for centre, _day in days}
    counts = Counter((centre.pk, day) for centre, day in days)
    reserved = {  # popped from the end: reversed, so that the numbers keep the given order
        (centre_id, day): _reserve_numbers(centres[centre_id], day, count)[::-1]
        for (centre_id, day), count in sorted(counts.items())
    }
    return [reserved[(centre.pk, day)].pop() for centre, day in days]


def _link_named(cases: Sequence[Case], intakes: Sequence[Intake]) -> None:
    """The windows and staff that new cases name, one INSERT per kind (a new case names none
    yet; ``rows_created`` has marked the cases for the figures)."""
    for name in ("windows", "staff"):
        relation = getattr(Case, name)
        through = relation.through
        own, other = relation.field.m2m_field_name(), relation.field.m2m_reverse_field_name()
        rows = [
            through(**{own: case, other: named})
            for case, intake in zip(cases, intakes, strict=True)
            for named in getattr(intake, name)
        ]
        if rows:
            through.objects.bulk_create(rows)


def _query_code() -> str:
    """Eight characters of the 32-letter alphabet from one read of the system's random source
    (each random byte modulo 32 is uniform: 256 is a multiple of 32)."""
    return "".join(QUERY_CODE_ALPHABET[b % 32] for b in secrets.token_bytes(QUERY_CODE_LENGTH))


def _new_case(
    intake: Intake,
    *,
    actor: User | None,
    number: str,
    registered_at: datetime,
    submission_key: str = "",
    source_ref: str | None = None,
) -> Case:
    """The unsaved case of an intake: personal data encrypted, masked and hashed."""
    reporter = intake.reporter
    phone = normalise_phone(reporter.phone) if reporter.phone else ""
    return Case(
        number=number,
        centre=intake.centre,
        channel=intake.channel,
        state=State.REGISTERED,
        reporter_kind=reporter.kind,
        is_anonymous=reporter.anonymous,
        is_confidential=reporter.confidential,
        reporter_name=reporter.name,
        reporter_phone=phone,
        **masked_reporter(reporter.name, phone),
        reporter_id_number=normalise_id_number(reporter.id_number),
        reporter_email=reporter.email,
        company_name=reporter.company_name,
        company_credit_code=reporter.credit_code.upper(),
        phone_hash=phone_lookup_hash(reporter.phone),
        id_hash=id_lookup_hash(reporter.id_number),
        service_item=intake.service_item,
        matter_text=intake.matter_text,
        visits=intake.visits,
        title=intake.title,
        description=intake.description,
        request=intake.request,
        urgency=intake.urgency,
        occurred_at=intake.occurred_at,
        **registration_fields(registered_at),
        registered_by=actor,
        query_code=_query_code(),
        submission_key=submission_key or None,
        source_ref=source_ref,
    )


@dataclass(frozen=True)
class Imported:
    """A case of an import: its intake, when the source registered it, its source reference,
    and for a settled case of the past its outcome and when it was answered."""

    intake: Intake
    registered_at: datetime
    source_ref: str
    outcome: str = ""
    answered_at: datetime | None = None


def cases_register_imported(*, actor: User, rows: Sequence[Imported], job_id: int) -> list[Case]:
    """Register a batch of imported cases at once, in the caller's transaction.

    Each case is what ``case_register`` makes — numbered in its centre and day of registration,
    personal data encrypted, a register event — written with bulk inserts (``core.bulk``; the
    cases' ids are read back by their unique source reference). A row with an
    outcome is a settled case of the past: stored closed, with the outcome and a close event.
    No notice goes out (the source has told the reporter) and no signal is sent: the caller
    (``imports.actions``) updates the search index and the figures' marks for the batch.
    """
    if Capability.CASE_IMPORT not in capabilities_of(actor.role):
        raise DomainError(_("您的角色不能导入案件。"))
    numbers = _numbers([(r.intake.centre, timezone.localdate(r.registered_at)) for r in rows])
    calendar = work_calendar()
    cases = []
    for row, number in zip(rows, numbers, strict=True):
        case = _new_case(
            row.intake,
            actor=actor,
            number=number,
            registered_at=row.registered_at,
            source_ref=row.source_ref,
        )
        if row.outcome:
            case.state = State.CLOSED
            case.outcome = row.outcome
            case.answered_at = row.answered_at or row.registered_at
            # As the task force's acceptance counts it, so that the leaders' averages hold them.
            case.answer_working_days = calendar.working_days_between(
                timezone.localdate(case.registered_at), timezone.localdate(case.answered_at)
            )
        cases.append(case)
    insert_objects(Case, cases)
    ids = dict(
        Case.objects.filter(source_ref__in=[case.source_ref for case in cases]).values_list(
            "source_ref", "id"
        )
    )
    for case in cases:
        case.pk = ids[case.source_ref]
        case._state.adding = False
    events = []
    for case in cases:
        payload = {"channel": case.channel, "import": job_id, "source": case.source_ref}
        events.append(
            CaseEvent(
                case=case,
                kind="register",
                at=case.registered_at,
                actor=actor,
                to_state=State.REGISTERED,
                payload=payload,
            )
        )
        if case.state == State.CLOSED:
            events.append(
                CaseEvent(
                    case=case,
                    kind="imported_closed",
                    at=case.answered_at or case.registered_at,
                    actor=actor,
                    from_state=State.REGISTERED,
                    to_state=State.CLOSED,
                    reason=case.outcome[:500],
                    payload={"import": job_id},
                )
            )
    insert_objects(CaseEvent, events)
    return cases


def _registered_with(submission_key: str, actor: User | None) -> Case | None:
    """The case this actor registered with this key (the public: a case with no staff actor)."""
    cases = Case.objects.filter(submission_key=submission_key)
    if actor is None:
        return cases.filter(registered_by__isnull=True).first()
    return cases.filter(registered_by=actor).first()


def case_move(
    *,
    case_id: int,
    move_name: str,
    actor: User | None,
    by_reporter: bool = False,
    by_system: bool = False,
    reason: str = "",
    payload: dict[str, Any] | None = None,
    updates: dict[str, Any] | None = None,
    notice: dict[str, Any] | None = None,
) -> Case:
    """Move a case along the workflow table. ``actor`` None is the reporter, unless
    ``by_system`` says that a rule of Doudi makes the move (a bad review becoming a case)."""
    if by_system:
        capabilities: frozenset[Capability] | None = frozenset(Capability)
    elif by_reporter or actor is None:
        capabilities = None
    else:
        capabilities = capabilities_of(actor.role)
    with transaction.atomic():
        case = Case.objects.select_for_update().select_related("centre").get(pk=case_id)
        move = guard(move_name, case.state, capabilities=capabilities)
        from_state = case.state
        case.state = move.target
        for name, value in (updates or {}).items():
            setattr(case, name, value)
        case.save(update_fields=["state", "updated_at", *(updates or {})])
        case_event(
            case,
            move_name,
            actor=actor,
            by_reporter=by_reporter,
            from_state=from_state,
            to_state=move.target,
            reason=reason,
            payload=payload,
        )
        if move.ends_work:
            # Out of the workflow: its clocks stop and its open work orders are withdrawn.
            clocks_cancel(case=case)
            case_left_workflow.send(sender=Case, case=case, actor=actor)
        case_moved.send(sender=Case, case=case, move=move_name, actor=actor)
        if move.notice:
            notify_reporter(case, move.notice, **(notice or {}))
    return case


def _required(value: str, label: str) -> str:
    value = value.strip()
    if not value:
        raise InvalidInput(_("请填写%(label)s。") % {"label": label})
    return value


def case_resolve_on_spot(*, actor: User, case_id: int, result: str) -> Case:
    result = _required(result, _("办理结果"))
    return case_move(
        case_id=case_id,
        move_name="resolve_on_spot",
        actor=actor,
        reason=result,
        updates={"outcome": result},
        notice={"result": result},
    )


def case_mark_out_of_scope(
    *, actor: User, case_id: int, explanation: str, where_to_go: str
) -> Case:
    explanation = _required(explanation, _("一次性告知内容"))
    where_to_go = _required(where_to_go, _("办理途径"))
    return case_move(
        case_id=case_id,
        move_name="out_of_scope",
        actor=actor,
        reason=explanation,
        payload={"where_to_go": where_to_go},
        updates={"outcome": f"{explanation}\n{_('办理途径')}：{where_to_go}"},
        notice={"explanation": explanation, "where_to_go": where_to_go},
    )


def case_transfer(*, actor: User, case_id: int, receiver: str, reference: str) -> Case:
    receiver = _required(receiver, _("接收渠道"))
    reference = reference.strip()
    return case_move(
        case_id=case_id,
        move_name="transfer",
        actor=actor,
        payload={"receiver": receiver, "reference": reference},
        updates={"outcome": f"{_('已转')}{receiver} {reference}".strip()},
        notice={"receiver": receiver, "reference": reference},
    )


def case_send_to_triage(*, actor: User, case_id: int, note: str = "") -> Case:
    with transaction.atomic():
        case = case_move(
            case_id=case_id,
            move_name="send_to_triage",
            actor=actor,
            reason=note.strip(),
            notice={"expected_by": ""},
        )
        triage_clock_start(case=case, counted_from=case.registered_at)
    return case


def case_withdraw(*, actor: User | None, case_id: int, reason: str) -> Case:
    """Withdraw a case: by staff on the reporter's word, or by the reporter (actor None)."""
    return case_move(
        case_id=case_id,
        move_name="withdraw",
        actor=actor,
        by_reporter=actor is None,
        reason=_required(reason, _("撤回原因")),
    )


def case_merge(*, actor: User, case_id: int, into_case_id: int, reason: str = "") -> Case:
    """Merge a case into another (a duplicate). Both keep their events; the target's timeline
    shows the merged case's history too."""
    if case_id == into_case_id:
        raise DomainError(_("不能合并到案件自身。"))
    with transaction.atomic():
        # Lock both rows in id order so that two opposite merges cannot deadlock.
        locked = {
            c.pk: c
            for c in Case.objects.select_for_update()
            .filter(pk__in=sorted([case_id, into_case_id]))
            .order_by("pk")
        }
        target = locked[into_case_id]
        if not target.is_open:
            raise DomainError(_("目标案件已不在办理中，不能合并进去。"))
        case = case_move(
            case_id=case_id,
            move_name="merge",
            actor=actor,
            reason=reason.strip(),
            payload={"into": target.number, "into_id": target.pk},
            updates={"merged_into": target},
            notice={"target_number": target.number},
        )
        case_event(
            target, "merged_in", actor=actor, payload={"source": case.number, "source_id": case.pk}
        )
    return case


def case_add_info(
    *, case_id: int, text: str, uploads: Sequence[Upload] = (), actor: User | None = None
) -> CaseEvent:
    """More information or files for a case, from the reporter (actor None) or from staff."""
    text = text.strip()
    if not text and not uploads:
        raise DomainError(_("请填写补充内容或选择文件。"))
    checked = check_uploads(uploads)
    with transaction.atomic():
        case = Case.objects.select_for_update().select_related("centre").get(pk=case_id)
        if case.state in {State.WITHDRAWN, State.MERGED, State.CLOSED}:
            raise DomainError(
                _("案件已%(state)s，不能再补充材料。") % {"state": case.get_state_display()}
            )
        event = case_event(
            case,
            "info_added",
            actor=actor,
            by_reporter=actor is None,
            reason=text,
            payload={"files": len(uploads)},
        )
        store_uploads(case, event, checked, actor=actor)
        if actor is None:
            notify_reporter(case, "case_info_added")
    return event


def case_reveal_personal_data(*, actor: User, case: Case) -> dict[str, str]:
    """The reporter's full personal data, for a user the access layer allowed; logged."""
    audit_record(
        actor=actor,
        action="personal_data.unmask",
        object_type="case",
        object_id=case.pk,
        detail={"number": case.number},
    )
    return {
        "name": case.reporter_name,
        "phone": case.reporter_phone,
        "id_number": case.reporter_id_number,
        "email": case.reporter_email,
    }


def _merge(user: User, case: Case, data: dict[str, Any]) -> object:
    target = visible_cases(user).filter(number=data["into"].strip()).first()
    if target is None:
        raise InvalidInput(_("找不到案件 %(number)s。") % {"number": data["into"]})
    return case_merge(actor=user, case_id=case.pk, into_case_id=target.pk, reason=data["reason"])


# Each move's form data, handed to its action.
_MOVE_HANDLERS: dict[str, Callable[[User, Case, dict[str, Any]], object]] = {
    "resolve_on_spot": lambda user, case, data: case_resolve_on_spot(
        actor=user, case_id=case.pk, result=data["result"]
    ),
    "out_of_scope": lambda user, case, data: case_mark_out_of_scope(
        actor=user,
        case_id=case.pk,
        explanation=data["explanation"],
        where_to_go=data["where_to_go"],
    ),
    "transfer": lambda user, case, data: case_transfer(
        actor=user, case_id=case.pk, receiver=data["receiver"], reference=data["reference"]
    ),
    "send_to_triage": lambda user, case, data: case_send_to_triage(
        actor=user, case_id=case.pk, note=data["note"]
    ),
    "withdraw": lambda user, case, data: case_withdraw(
        actor=user, case_id=case.pk, reason=data["reason"]
    ),
    "merge": _merge,
}


def case_act(*, actor: User, case: Case, move: str, data: dict[str, Any]) -> object:
    """A move offered on the case page, by name, with its form's cleaned data: the page and the
    API call this one function."""
    handler = _MOVE_HANDLERS.get(move)
    if handler is None:
        raise DomainError(_("没有这个操作：%(move)s") % {"move": move})
    return handler(actor, case, data)


# The case texts that may quote the reporter, scrubbed when the case is anonymised.
_FREE_TEXT = ("title", "description", "request", "outcome", "matter_text")
_PERSONAL = ("reporter_name", "reporter_phone", "reporter_id_number", "reporter_email")
_DERIVED = ("reporter_name_masked", "reporter_phone_masked", "phone_hash", "id_hash")


def cases_anonymise_expired(*, now: datetime | None = None, batch: int = 500) -> int:
    """Remove the reporters' personal data from cases settled before the retention period.

    Which cases are due: ``selectors.cases_past_retention``. The case, its timeline and
    its figures stay; the reporter's name, phone, ID number and e-mail are erased, their
    masked copies and lookup hashes with them, names, phones, ID numbers and e-mail addresses
    written into the texts are masked, the files the reporter uploaded are deleted, and the
    messages sent about the case are forgotten. Other apps scrub what they hold through the
    ``cases_anonymised`` signal. Runs in batches, each one transaction with one audit entry;
    returns the number of cases anonymised.
    """
    now = now or timezone.now()
    days = settings.DOUDI_RETENTION_DAYS
    expired = cases_past_retention(now)
    done = 0
    while ids := list(expired.values_list("pk", flat=True)[:batch]):
        with transaction.atomic():
            names: dict[int, tuple[str, ...]] = {}
            for case in expired.select_for_update().filter(pk__in=ids):
                names[case.pk] = _anonymise(case, now, days)
            notifications_forget_cases(list(names))
            cases_anonymised.send(sender=Case, names=names)
            audit_record(
                actor=None,
                action="cases.anonymise",
                object_type="case",
                object_id=f"{ids[0]}-{ids[-1]}",
                detail={"cases": len(names), "retention_days": days},
            )
        done += len(names)
    return done


def _anonymise(case: Case, now: datetime, days: int) -> tuple[str, ...]:
    """Erase one case's personal data (see ``cases_anonymise_expired``); its names, to scrub."""
    names = tuple(n for n in (case.reporter_name,) if n)
    for name in _FREE_TEXT:
        setattr(case, name, scrub_text(getattr(case, name), names))
    for name in (*_PERSONAL, *_DERIVED):
        setattr(case, name, "")
    case.anonymised_at = now
    case.save(update_fields=[*_FREE_TEXT, *_PERSONAL, *_DERIVED, "anonymised_at", "updated_at"])
    for event in case.events.exclude(reason=""):
        scrubbed = scrub_text(event.reason, names)
        if scrubbed != event.reason:
            event.reason = scrubbed
            event.save(update_fields=["reason"])
    files = list(case.attachments.filter(by_reporter=True))
    for attachment in files:
        attachment.delete()
        # The file goes once the deletion of its row is committed: a rollback keeps both.
        transaction.on_commit(partial(attachment.file.delete, save=False))
    case_event(
        case,
        "anonymised",
        actor=None,
        public=False,
        reason=_("保存期限届满，已删除反映人个人信息"),
        payload={"retention_days": days, "files_deleted": len(files)},
        at=now,
    )
    return names


def scrub_rows_of_cases(
    rows: QuerySet[Any],
    *,
    case_path: str,
    names: dict[int, tuple[str, ...]],
    texts: tuple[str, ...],
    erase: tuple[str, ...] = (),
) -> None:
    """Another app's rows about anonymised cases: mask ``texts``, empty ``erase``.

    ``case_path`` leads from a row to its case's id ("case_id", "work_order__case_id");
    ``names`` are the reporters' names by case, as ``cases_anonymised`` sends them.
    """
    for row in rows.filter(**{f"{case_path}__in": list(names)}).annotate(_case=F(case_path)):
        changed = [name for name in erase if getattr(row, name)]
        for name in changed:
            setattr(row, name, "")
        for name in texts:
            scrubbed = scrub_text(getattr(row, name), names[row._case])
            if scrubbed != getattr(row, name):
                setattr(row, name, scrubbed)
                changed.append(name)
        if changed:
            row.save(update_fields=changed)
