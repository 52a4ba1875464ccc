"""The audit log's hash chain: sealed after commit, verified from the start; an entry edited,
deleted, reordered, cut from the end or slipped in by hand with direct database access is
named by ``doudi audit verify``, which then exits non-zero."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

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
