"""The audit log's hash chain: sealed after commit, verified from the start; an entry edited,
deleted, reordered, cut from the end or slipped in by hand with direct database access is
named by ``doudi audit verify``, which then exits non-zero."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from doudi.audit import actions, tasks
from doudi.audit.actions import audit_record, verify
from doudi.audit.models import AuditEntry, AuditHead


@pytest.fixture
def chain(db: None, django_capture_on_commit_callbacks) -> list[AuditEntry]:  # type: ignore[no-untyped-def]
    """Five entries, each sealed when its transaction commits."""
    entries = []
    for n in range(5):
        with django_capture_on_commit_callbacks(execute=True):
            entries.append(audit_record(actor=None, action="test", object_id=n, detail={"n": n}))
    return entries


def sql(statement: str, *params: object) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_entries_are_chained_in_order(chain: list[AuditEntry]) -> None:
    rows = list(AuditEntry.objects.order_by("seq").values_list("seq", "prev_hash", "hash"))
    assert [seq for seq, _, _ in rows] == [1, 2, 3, 4, 5]
    assert rows[0][1] == ""
    assert all(rows[i][1] == rows[i - 1][2] for i in range(1, 5))
    head = AuditHead.objects.get()
    assert (head.seq, head.hash) == (5, rows[-1][2])
    result = verify()
    assert (result.checked, result.problem) == (5, None)


def test_an_entry_recorded_in_a_rolled_back_transaction_leaves_no_gap(chain) -> None:  # type: ignore[no-untyped-def]
    AuditEntry.objects.create(action="later")  # committed by the test's end, sealed by verify
    assert verify().problem is None
    assert AuditEntry.objects.get(action="later").seq == 6


TAMPERING: dict[str, tuple[Callable[[list[AuditEntry]], None], int | None, str]] = {
    "edited": (
        lambda e: sql("UPDATE audit_auditentry SET detail = '{\"n\": 99}' WHERE id = %s", e[2].pk),
        2, "内容被修改",
    ),
    "actor changed": (
        lambda e: sql("UPDATE audit_auditentry SET action = 'other' WHERE id = %s", e[1].pk),
        1, "内容被修改",
    ),
    "deleted": (lambda e: sql("DELETE FROM audit_auditentry WHERE id = %s", e[2].pk), 3, "缺失"),
    "reordered": (
        lambda e: (
            sql("UPDATE audit_auditentry SET seq = -1 WHERE id = %s", e[1].pk),
            sql("UPDATE audit_auditentry SET seq = 2 WHERE id = %s", e[2].pk),
            sql("UPDATE audit_auditentry SET seq = 3 WHERE id = %s", e[1].pk),
        ),
        2, "前一条",
    ),
    "cut from the end": (
        lambda e: sql("DELETE FROM audit_auditentry WHERE id = %s", e[4].pk), None, "截断"
    ),
    "slipped in": (
        lambda e: sql(
            "INSERT INTO audit_auditentry (at, action, object_type, object_id, detail, prev_hash,"
            " hash, seq) VALUES (%s, 'forged', '', '', '{}', %s, %s, 6)",
            timezone.now(), AuditEntry.objects.get(pk=e[4].pk).hash, "0" * 64,
        ),
        None, "内容被修改",
    ),
}  # fmt: skip


@pytest.mark.parametrize("how", list(TAMPERING))
def test_tampering_is_found(chain: list[AuditEntry], how: str) -> None:
    tamper, bad_index, reason = TAMPERING[how]
    tamper(chain)
    problem = verify().problem
    assert problem is not None
    assert reason in problem.reason
    if bad_index is not None:
        assert problem.entry_id == chain[bad_index].pk
    with pytest.raises(CommandError, match="审计链校验失败"):
        call_command("audit", "verify")


def test_the_command_says_the_chain_verifies(chain: list[AuditEntry], capsys) -> None:  # type: ignore[no-untyped-def]
    call_command("audit", "verify")
    assert "审计链完好" in capsys.readouterr().out


@pytest.fixture
def sealing(settings: Any, monkeypatch: pytest.MonkeyPatch) -> tuple[list[float], list[float]]:
    """A process that seals at most every 250 ms, on a clock the test moves; the task worker's
    seals asked for, by their delay."""
    settings.DOUDI_AUDIT_SEAL_SECONDS = 0.25
    clock, asked = [100.0], []
    monkeypatch.setattr(actions.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(actions, "_sealing", actions._Sealing())
    monkeypatch.setattr(tasks.seal_audit_log, "schedule", lambda delay: asked.append(delay))
    return clock, asked


def _record(capture: Any, n: int) -> AuditEntry:
    with capture(execute=True):
        return audit_record(actor=None, action="test", object_id=n)


def test_a_process_seals_at_most_once_an_interval_and_leaves_the_rest_to_the_next_seal(
    db: None, django_capture_on_commit_callbacks: Any, sealing: Any
) -> None:
    clock, asked = sealing
    first = _record(django_capture_on_commit_callbacks, 1)
    first.refresh_from_db()
    assert first.seq == 1  # sealed at its commit
    clock[0] += 0.1
    second = _record(django_capture_on_commit_callbacks, 2)
    clock[0] += 0.1
    third = _record(django_capture_on_commit_callbacks, 3)
    # Within the interval: not sealed, and the task worker asked once, for when it is up.
    assert AuditEntry.objects.filter(seq__isnull=True).count() == 2
    assert asked == [0.25]
    clock[0] += 0.1  # 300 ms since the last seal: this commit's seal takes all three
    _record(django_capture_on_commit_callbacks, 4)
    assert not AuditEntry.objects.filter(seq__isnull=True).exists()
    second.refresh_from_db()
    third.refresh_from_db()
    assert (second.seq, third.seq) == (2, 3)
    assert verify().problem is None


def test_the_task_worker_s_seal_takes_what_the_interval_passed_over(
    db: None, django_capture_on_commit_callbacks: Any, sealing: Any
) -> None:
    clock, asked = sealing
    _record(django_capture_on_commit_callbacks, 1)
    clock[0] += 0.1
    _record(django_capture_on_commit_callbacks, 2)
    clock[0] += 0.1
    _record(django_capture_on_commit_callbacks, 3)
    assert asked == [0.25]  # at most one request a second
    tasks.seal_audit_log.call_local()
    assert not AuditEntry.objects.filter(seq__isnull=True).exists()
    assert verify().checked == 3
