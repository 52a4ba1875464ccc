"""Writing the audit log, chaining it, and checking the chain.

``audit_record`` inserts an entry in the caller's transaction, unchained, and asks for a seal
once that transaction commits (``seal_soon``). ``seal`` (its own short transaction) locks the
chain's head and chains every committed unsealed entry in id order: place ``seq``, the previous
hash, and the entry's hash. Business transactions thus never wait on the chain; a seal that
finds the head locked leaves its entries to the sealer holding it, or to the sweep that runs
every minute. A process seals at most once every ``DOUDI_AUDIT_SEAL_MS``: under load one seal
chains the entries of many requests (a seal per request was a fifth of a registration's
work); a commit in between leaves its entries to the next seal, and asks the task worker for
one when the interval is up (at most once a second). ``verify`` seals what is waiting, then
walks the chain from the start.

What the chain cannot see: an entry is unchained from its insert until its seal (usually well
under a second, at most the sweep's minute), and a row slipped in by hand in that state is
chained like any other. The head can be rewritten by someone who also holds the key; keeping
the head's hash elsewhere (``doudi audit verify`` prints it) anchors the chain outside the
database.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Model
from django.db.models.signals import post_save
from django.utils import timezone

from doudi.audit.models import AuditEntry, AuditHead
from doudi.core.bulk import column, insert_new, rows_created

if TYPE_CHECKING:
    from doudi.accounts.models import User

SEAL_BATCH = 1000
# What ``verify`` says of the first bad entry (for operators: both languages).
MISSING = "第 {seq} 条缺失 / entry {seq} is missing"
PREVIOUS = "前一条的哈希不符（删除或调换）/ the previous hash does not match (deleted or reordered)"
CHANGED = "内容被修改 / the content was changed"
CUT = "链的末尾被截断 / entries were cut from the end"


def audit_record(
    *,
    actor: User | None,
    action: str,
    object_type: str = "",
    object_id: object = "",
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        detail=detail or {},
    )
    _keep([entry])
    return entry


def _keep(entries: list[AuditEntry]) -> None:
    """Write new entries in the caller's transaction; they are sealed into the chain after it
    commits."""
    insert_new(entries)
    transaction.on_commit(seal_soon, robust=True)


@dataclass
class _Sealing:
    """When this process last sealed, and when it may next ask the task worker to."""

    last: float = -math.inf
    next_task: float = -math.inf
    lock: threading.Lock = field(default_factory=threading.Lock)


_sealing = _Sealing()
# How often a process may ask the task worker for a seal.
TASK_EVERY = 1.0


def seal_soon() -> None:
    """Seal now, unless this process sealed less than ``DOUDI_AUDIT_SEAL_MS`` ago: then the
    next seal takes these entries, and the task worker is asked for one once the interval is
    up, in case no other commit comes."""
    every = settings.DOUDI_AUDIT_SEAL_SECONDS
    now = time.monotonic()
    with _sealing.lock:
        if now - _sealing.last >= every:
            _sealing.last = now
            later = False
        elif now >= _sealing.next_task:
            _sealing.next_task = now + max(every, TASK_EVERY)
            later = True
        else:
            return
    if not later:
        seal()
        return
    from doudi.audit.tasks import seal_audit_log

    seal_audit_log.schedule(delay=every)


def audit_events_of(model: type[Model], *, object_type: str, owner: str) -> None:
    """Record every event row ``model`` gets (a case's, a work order's…) in the audit log.

    The feature apps keep their own event tables as each object's history; calling this in an
    app's ``ready`` puts each new row in the chained log too, as ``<object_type>.<kind>`` by the
    event's actor, on the object ``owner`` names (the event's foreign key to it). The texts of
    an event (reasons, which may quote a reporter) stay in the event table.
    """

    def entry(instance: Any) -> AuditEntry:
        detail = {"event": instance.pk}
        if instance.from_state or instance.to_state:
            detail.update({"from": instance.from_state, "to": instance.to_state})
        return AuditEntry(
            actor=instance.actor,
            action=f"{object_type}.{instance.kind}"[:64],
            object_type=object_type,
            object_id=str(getattr(instance, f"{owner}_id")),
            detail=detail,
        )

    def record(sender: Any, instance: Any, created: bool, raw: bool = False, **kw: Any) -> None:
        if created and not raw:
            _keep([entry(instance)])

    def record_many(sender: Any, instances: list[Any], **kw: Any) -> None:
        _keep([entry(instance) for instance in instances])

    post_save.connect(record, sender=model, weak=False, dispatch_uid=f"audit-{model._meta.label}")
    rows_created.connect(
        record_many, sender=model, weak=False, dispatch_uid=f"audit-many-{model._meta.label}"
    )


def entry_hash(entry: AuditEntry, seq: int, prev_hash: str) -> str:
    """The keyed hash of an entry's content, its place and the previous entry's hash."""
    content = json.dumps(
        [
            seq,
            prev_hash,
            entry.id,
            entry.at.astimezone(UTC).isoformat(),
            entry.actor_id,
            entry.action,
            entry.object_type,
            entry.object_id,
            entry.detail,
        ],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    key = hashlib.sha256(f"audit:{settings.LOOKUP_HASH_KEY}".encode()).digest()
    return hmac.new(key, content.encode(), hashlib.sha256).hexdigest()


def seal(*, wait: bool = False) -> int:
    """Chain the committed unsealed entries; how many. Without ``wait``, return at once when
    another sealer holds the head (it, or the next sweep, seals these entries)."""
    sealed = 0
    while True:
        with transaction.atomic():
            AuditHead.objects.get_or_create(pk=1)
            heads = AuditHead.objects.select_for_update(skip_locked=not wait).filter(pk=1)
            head = heads.first()
            if head is None:
                return sealed
            batch = list(AuditEntry.objects.filter(seq__isnull=True).order_by("id")[:SEAL_BATCH])
            for entry in batch:
                entry.seq, entry.prev_hash = head.seq + 1, head.hash
                entry.hash = entry_hash(entry, entry.seq, entry.prev_hash)
                head.seq, head.hash = entry.seq, entry.hash
            if batch:
                _write_seals(batch)
                head.sealed_at = timezone.now()
                head.save()
        sealed += len(batch)
        if len(batch) < SEAL_BATCH:
            return sealed


def _write_seals(entries: list[AuditEntry]) -> None:
    """Each entry's place and hashes, in one statement run over them all (an ORM update per
    entry cost a millisecond of CPU each; a seal takes every entry of its interval)."""
    seq, prev, hashed, pk = (column(AuditEntry, f) for f in ("seq", "prev_hash", "hash", "id"))
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    sql = (
        f"UPDATE {table} SET {seq} = %s, {prev} = %s, {hashed} = %s "  # noqa: S608 - names from the model
        f"WHERE {pk} = %s AND {seq} IS NULL"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(e.seq, e.prev_hash, e.hash, e.pk) for e in entries])


@dataclass(frozen=True)
class Problem:
    entry_id: int | None
    seq: int | None
    reason: str


@dataclass(frozen=True)
class Verification:
    checked: int
    head_seq: int
    head_hash: str
    problem: Problem | None


def _sealed() -> Iterator[AuditEntry]:
    last = 0
    while True:
        batch = list(AuditEntry.objects.filter(seq__gt=last).order_by("seq")[:SEAL_BATCH])
        yield from batch
        if len(batch) < SEAL_BATCH:
            return
        last = batch[-1].seq or 0


def verify(progress: Callable[[int], None] | None = None) -> Verification:
    """Walk the chain from its first entry; the first problem found, if any."""
    seal(wait=True)
    head = AuditHead.objects.filter(pk=1).first() or AuditHead(seq=0, hash="")
    expected_seq, prev = 1, ""
    checked = 0

    def result(problem: Problem | None) -> Verification:
        return Verification(checked, head.seq, head.hash, problem)

    for entry in _sealed():
        if entry.seq != expected_seq:
            return result(Problem(entry.pk, expected_seq, MISSING.format(seq=expected_seq)))
        if entry.prev_hash != prev:
            return result(Problem(entry.pk, entry.seq, PREVIOUS))
        if not hmac.compare_digest(entry.hash, entry_hash(entry, entry.seq, prev)):
            return result(Problem(entry.pk, entry.seq, CHANGED))
        prev, expected_seq = entry.hash, expected_seq + 1
        checked += 1
        if progress and checked % 10_000 == 0:
            progress(checked)
    if checked != head.seq or prev != head.hash:
        return result(Problem(None, checked + 1, CUT))
    return result(None)
