"""Writes to the search index: one case's row (from the case's save, in its transaction) and
the bulk rebuild for databases loaded past the actions."""

from __future__ import annotations

import atexit
import logging
import multiprocessing
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from itertools import chain
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction

from doudi.cases.access import case_reach
from doudi.cases.models import Case
from doudi.core.bulk import column, insert_rows, upsert_rows
from doudi.lib.cjk import document_tokens, many_tokens, with_terms
from doudi.search.models import TEXT_FIELDS, CaseIndex, Term, index_key
from doudi.workorders.models import CaseRecipient

logger = logging.getLogger(__name__)

# The fields a case's index row is made from.
INDEXED_FIELDS = frozenset(
    {*TEXT_FIELDS, "centre", "centre_id", "registered_at", "service_item", "service_item_id"}
)

BATCH = 5000

# Terms held by fewer cases than this are counted by every write of the index (``Term``);
# the commoner ones only by a rebuild. Similar cases look for candidates with terms below it.
COUNTED_BELOW = 20_000

# The database objects that the migration creates next to the table (0001_initial), dropped
# and made again around a bulk rebuild: loading a million rows past triggers and into a
# fresh index is many times faster than through them.
SQLITE_TRIGGERS = (
    """CREATE TRIGGER search_caseindex_ai AFTER INSERT ON search_caseindex BEGIN
        INSERT INTO search_casefts(rowid, tokens, reach) VALUES (new.id, new.tokens, new.reach);
    END""",
    """CREATE TRIGGER search_caseindex_ad AFTER DELETE ON search_caseindex BEGIN
        INSERT INTO search_casefts(search_casefts, rowid, tokens, reach)
        VALUES ('delete', old.id, old.tokens, old.reach);
    END""",
    # The FTS5 table indexes the reach's marks beside the tokens (migration 0006).
    """CREATE TRIGGER search_caseindex_au AFTER UPDATE OF tokens, reach ON search_caseindex
    BEGIN
        INSERT INTO search_casefts(search_casefts, rowid, tokens, reach)
        VALUES ('delete', old.id, old.tokens, old.reach);
        INSERT INTO search_casefts(rowid, tokens, reach) VALUES (new.id, new.tokens, new.reach);
    END""",
)
SQLITE_TRIGGER_NAMES = ("search_caseindex_ai", "search_caseindex_ad", "search_caseindex_au")
# The GIN index of the stored terms and marks (migrations 0004, 0005), dropped and made again
# by a rebuild.
POSTGRES_INDEX = "CREATE INDEX search_caseindex_terms ON search_caseindex USING gin (terms)"


def case_tokens(values: dict[str, Any]) -> str:
    return document_tokens(*(values.get(name) or "" for name in TEXT_FIELDS))


# A case's text but its number: what a bulk load can make the tokens of before the cases are
# numbered (``BackgroundTokens``).
PROSE_FIELDS = tuple(name for name in TEXT_FIELDS if name != "number")


class BackgroundTokens:
    """Cases' search tokens made in a second process while this one writes: a bulk load's
    own process is busy with the cases (checks, encryption, SQLite's inserts), and the tokens
    are a fifth of its time, which the second core can take.

    ``start`` sends a batch's texts (``PROSE_FIELDS``) and returns what gives their tokens,
    in order, once needed: the second process's answer or, if that process is gone (killed,
    out of memory), the same tokens made here. The process is started through a fork server
    that loads only ``doudi.lib.cjk`` (no Django, no database connection copied)."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["doudi.lib.cjk"])
        self._pool = ProcessPoolExecutor(max_workers=1, mp_context=context)

    def start(self, texts: Sequence[dict[str, str]]) -> Callable[[], list[str]]:
        fields = [tuple(values.get(name) or "" for name in PROSE_FIELDS) for values in texts]
        try:
            future: Future[list[str]] | None = self._pool.submit(many_tokens, fields)
        except RuntimeError:  # the pool is broken or shut down
            future = None

        def tokens() -> list[str]:
            if future is not None:
                try:
                    return future.result()
                except Exception:
                    logger.warning("the search tokens' process failed; made here instead")
            return many_tokens(fields)

        return tokens

    def close(self) -> None:
        self._pool.shutdown(cancel_futures=True)


# Starting the second process takes about 0.2 s; a row's tokens take about 0.1 ms.
BACKGROUND_FROM = 4000


@contextmanager
def background_tokens(rows: int) -> Iterator[BackgroundTokens | None]:
    """A ``BackgroundTokens`` for a load of ``rows`` rows, or None for a load too small to pay
    for the second process (fewer than ``BACKGROUND_FROM``)."""
    if rows < BACKGROUND_FROM:
        yield None
        return
    background = BackgroundTokens()
    try:
        yield background
    finally:
        background.close()


def index_case(case: Case, *, created: bool = False) -> None:
    """Write the case's row (insert or update) in the caller's transaction, so that the case
    is found at once; count the terms it gains or loses once that transaction commits.

    The counts are shared rows that every intake of similar text updates: counted inside the
    transaction, they stayed locked until its commit and registrations queued behind each
    other. Counted after it (``queue_terms``), a second's cases are written together; similar
    cases read counts a little behind (a crash in between leaves them a little off, which the
    next ``doudi search rebuild`` recounts)."""
    if created:
        index_registered([case])
        return
    tokens = case_tokens({name: getattr(case, name) for name in TEXT_FIELDS})
    old = CaseIndex.objects.filter(case_id=case.pk).values_list("tokens", flat=True).first()
    upsert_rows(
        CaseIndex,
        [
            {
                "id": index_key(case.pk, case.registered_at),
                "case": case.pk,
                "centre": case.centre_id,
                "tokens": tokens,
                "reach": case_reach(
                    case.service_item_id, _recipients(case_id=case.pk).get(case.pk, [])
                ),
            }
        ],
        unique=["case"],
        update=["tokens", "centre", "reach"],
    )
    if old != tokens:
        changed = partial(count_terms, set((old or "").split()), set(tokens.split()))
        transaction.on_commit(partial(_unless_recounted, _rebuilds(), changed), robust=True)


def _recipients(**where: Any) -> dict[int, list[int]]:
    """The departments each case was sent to, for the cases of ``CaseRecipient``'s filter."""
    recipients: dict[int, list[int]] = {}
    for case_id, department_id in CaseRecipient.objects.filter(**where).values_list(
        "case_id", "department_id"
    ):
        recipients.setdefault(case_id, []).append(department_id)
    return recipients


def reach_refresh(case_ids: Sequence[int]) -> int:
    """Write the reach of the cases' index rows again where it changed, in the caller's
    transaction, in batches: after a work order sent a case to a department (the department
    finds it at once; ``work_order_create``'s callers hold the case's row lock, so that two
    work orders of one case written at once cannot each leave out the other's department),
    or after a bulk load's recipients. Cases not indexed yet are left to the rebuild. The
    number of rows written."""
    table = CaseIndex._meta.db_table
    written = 0
    unique = sorted(set(case_ids))
    for start in range(0, len(unique), BATCH):
        chunk = unique[start : start + BATCH]
        current = dict(CaseIndex.objects.filter(case_id__in=chunk).values_list("case", "reach"))
        if not current:
            continue
        items = dict(Case.objects.filter(pk__in=list(current)).values_list("pk", "service_item_id"))
        recipients = _recipients(case_id__in=list(current))
        changed = []
        for case_id, reach in current.items():
            fresh = case_reach(items.get(case_id), recipients.get(case_id, []))
            if fresh != reach:
                changed.append((fresh, case_id))
        if changed:
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"UPDATE {table} SET {column(CaseIndex, 'reach')} = %s "  # noqa: S608
                    f"WHERE {column(CaseIndex, 'case')} = %s",
                    changed,
                )
        written += len(changed)
    return written


def _rebuilds() -> int:
    """How many rebuilds this connection has run: a rebuild recounts every term in its
    transaction, so the counts queued before it (on the same connection) are in it already."""
    return int(getattr(connection, "doudi_search_rebuilds", 0))


def _unless_recounted(generation: int, count: Callable[[], None]) -> None:
    if _rebuilds() == generation:
        count()


def count_terms(old: set[str], new: set[str]) -> None:
    """Add one case to the count of each term in ``new`` only, take it from those in ``old``
    only."""
    queue_terms(dict.fromkeys(new - old, 1) | dict.fromkeys(old - new, -1))


@dataclass
class _Queue:
    """The term changes of this process not yet written, and since when they wait."""

    deltas: Counter[str] = field(default_factory=Counter)
    since: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)


_queue = _Queue()


def queue_terms(deltas: dict[str, int]) -> None:
    """Add the changes to the process's queue and write the queue when its oldest change has
    waited ``DOUDI_SEARCH_TERMS_SECONDS``: one upsert of a hundred shared rows for every case
    cost a registration more than its own insert (on PostgreSQL, docs/benchmarks.md); merged,
    a second's cases cost one. The queue is written by the call that finds it due, so the last
    changes before a quiet spell wait for the process's next one (or its exit): a writer thread
    of its own measured a fifth fewer registrations a second (bench/api_load.py). What is
    queued when a process is killed is lost (counts a little low until the next rebuild); a
    process that ends normally writes it first."""
    wait = settings.DOUDI_SEARCH_TERMS_SECONDS
    with _queue.lock:
        if not _queue.deltas:
            _queue.since = time.monotonic()
        _queue.deltas.update(deltas)
        if time.monotonic() - _queue.since < wait:
            return
    flush_terms()


def flush_terms() -> None:
    """Write what the queue holds now."""
    with _queue.lock:
        due, _queue.deltas = _queue.deltas, Counter()
    if due:
        add_to_terms({term: delta for term, delta in due.items() if delta})


def _flush_at_exit() -> None:
    try:
        flush_terms()
    except DatabaseError:  # the database is gone too: the next rebuild recounts
        logger.warning("search: term counts not written at exit", exc_info=True)


atexit.register(_flush_at_exit)


def add_to_terms(deltas: dict[str, int]) -> None:
    """Change the terms' counts by their deltas, except those of ``COUNTED_BELOW`` cases or
    more, which are left as they are. Terms in order (two writers lock shared rows in the
    same order), 400 to a statement."""
    if not deltas:
        return
    common = set(
        Term.objects.filter(term__in=list(deltas), docs__gte=COUNTED_BELOW).values_list(
            "term", flat=True
        )
    )
    rows = sorted((term, delta) for term, delta in deltas.items() if term not in common)
    table = Term._meta.db_table
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 400):
            chunk = rows[start : start + 400]
            marks = ", ".join(["(%s, %s)"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {table} (term, docs) VALUES {marks} ON CONFLICT (term)"  # noqa: S608
                f" DO UPDATE SET docs = {table}.docs + excluded.docs",
                [value for row in chunk for value in row],
            )


TERMS_COUNT = {
    # From the FTS5 vocabulary (each term's number of rows), read once; not the reach's
    # marks ("@…", which no text holds).
    "sqlite": (
        "INSERT INTO search_term (term, docs) SELECT term, doc FROM search_casevocab"
        " WHERE term NOT LIKE '@%'",
    ),
    "postgresql": (
        "SET LOCAL work_mem = '256MB'",
        "INSERT INTO search_term (term, docs) SELECT term, count(*)"
        " FROM search_caseindex, unnest(string_to_array(tokens, ' ')) AS term"
        " WHERE term <> '' GROUP BY term",
    ),
}


def terms_recount() -> None:
    """Count every term's cases again (in the caller's transaction)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {Term._meta.db_table}")  # noqa: S608 - a model's table
        for sql in TERMS_COUNT[connection.vendor]:
            cursor.execute(sql)


def index_new_cases(cases: Sequence[Case], *, tokens: Sequence[str] | None = None) -> None:
    """Write the rows of cases created past ``post_save`` (a bulk import) in one insert, and
    count their terms. ``tokens``, when given, are each case's tokens of ``PROSE_FIELDS``
    (``BackgroundTokens``): its number's terms are added to them here."""
    if tokens is None:
        rows = [_new_row(case) for case in cases]
    else:
        rows = [
            _new_row(case, with_terms(prose, case.number))
            for case, prose in zip(cases, tokens, strict=True)
        ]
    # Grouped: on SQLite a trigger fills the FTS5 table (``SQLITE_TRIGGERS``).
    insert_rows(CaseIndex, ("id", "case_id", "centre_id", "tokens", "reach"), rows, grouped=True)
    # A row's tokens are distinct already; counted in C, not term by term in Python.
    add_to_terms(dict(Counter(chain.from_iterable(row[3].split() for row in rows))))


def index_registered(cases: Sequence[Case]) -> None:
    """Write the rows of new cases (registered together: ``core.bulk.insert_new``; or one
    saved) in their transaction, with one statement; count their terms once it commits, as
    ``index_case`` counts a changed case's."""
    rows = [_new_row(case) for case in cases]
    upsert_rows(
        CaseIndex,
        [dict(zip(("id", "case", "centre", "tokens", "reach"), row, strict=True)) for row in rows],
        unique=["case"],
        update=["tokens", "centre", "reach"],
    )
    terms = dict(Counter(chain.from_iterable(row[3].split() for row in rows)))
    count = partial(queue_terms, terms)
    transaction.on_commit(partial(_unless_recounted, _rebuilds(), count), robust=True)


def _new_row(case: Case, tokens: str | None = None) -> tuple[Any, ...]:
    """A new case's index row: id, case, centre, tokens and reach (sent nowhere yet)."""
    if tokens is None:
        tokens = case_tokens({name: getattr(case, name) for name in TEXT_FIELDS})
    return (
        index_key(case.pk, case.registered_at),
        case.pk,
        case.centre_id,
        tokens,
        case_reach(case.service_item_id, []),
    )


def _batches(progress: Callable[[int, int], None] | None) -> Iterator[list[tuple[Any, ...]]]:
    """Every case's row, a batch at a time in id order (each batch read in full before it is
    written: PostgreSQL's connection cannot read while a COPY is open)."""
    total = Case.objects.count()
    cases = Case.objects.order_by("pk").values(
        "id", "centre_id", "registered_at", "service_item_id", *TEXT_FIELDS
    )
    done, last = 0, 0
    while batch := list(cases.filter(pk__gt=last)[:BATCH]):
        first, last = batch[0]["id"], batch[-1]["id"]
        recipients = _recipients(case_id__gte=first, case_id__lte=last)
        yield [
            (
                index_key(values["id"], values["registered_at"]),
                values["id"],
                values["centre_id"],
                case_tokens(values),
                case_reach(values["service_item_id"], recipients.get(values["id"], [])),
            )
            for values in batch
        ]
        done += len(batch)
        if progress and (done // BATCH % 20 == 0 or done == total):
            progress(done, total)


def search_rebuild(*, progress: Callable[[int, int], None] | None = None) -> int:
    """Index every case again, in one transaction: on SQLite (WAL) searches read the old index
    until it commits; on PostgreSQL they wait for it (the index is dropped and made again).

    Steps: drop the triggers (SQLite) or the GIN index (PostgreSQL); empty the table; insert
    every case's row (executemany / COPY); rebuild the FTS5 table from it and make the
    triggers again (SQLite) or make the GIN index (PostgreSQL)."""
    table = CaseIndex._meta.db_table
    columns = '"id", "case_id", "centre_id", "tokens", "reach"'
    done = 0
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Index DDL cannot run with deferred foreign-key checks pending (the caller's
            # writes, or the rows copied below): check them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("DROP INDEX IF EXISTS search_caseindex_terms")
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - a model's table
            for batch in _batches(progress):
                with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in batch:
                        copy.write_row(row)
                done += len(batch)
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            cursor.execute(POSTGRES_INDEX)
            cursor.execute(f"ANALYZE {table}")
            terms_recount()
        else:
            for name in SQLITE_TRIGGER_NAMES:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - a model's table
            sql = f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s)"  # noqa: S608
            for batch in _batches(progress):
                cursor.executemany(sql, batch)
                done += len(batch)
            cursor.execute("INSERT INTO search_casefts(search_casefts) VALUES ('rebuild')")
            for statement in SQLITE_TRIGGERS:
                cursor.execute(statement)
            terms_recount()
    # The counts queued before this rebuild are in its recount: they are not added again.
    connection.doudi_search_rebuilds = _rebuilds() + 1  # type: ignore[attr-defined]
    with _queue.lock:
        _queue.deltas.clear()
    return done


def index_size() -> int:
    """Bytes on disk of the table and its full-text index (for the benchmark's record)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_total_relation_size('search_caseindex')")
            return int(cursor.fetchone()[0])
        try:
            cursor.execute(
                "SELECT SUM(pgsize) FROM dbstat WHERE name = 'search_caseindex' "
                "OR name LIKE 'search_casefts%%' OR name LIKE 'sqlite_autoindex_search_%%'"
            )
        except DatabaseError:  # dbstat is an optional part of SQLite
            return 0
        return int(cursor.fetchone()[0] or 0)
