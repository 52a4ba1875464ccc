"""The hot path's writes (``core.bulk``): ``save_new`` writes what ``save()`` writes, sends its
signals and sets the primary key; ``upsert_rows`` inserts or updates by a unique key."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.db.models.signals import post_save, pre_save
from django.utils import timezone

from doudi.accounts.models import User
from doudi.analytics.models import DirtySource
from doudi.audit.models import AuditEntry
from doudi.cases.actions import Intake, Reporter, _new_case
from doudi.cases.models import Case, CaseEvent
from doudi.conftest import Org, Personas
from doudi.core import bulk
from doudi.core.bulk import save_new, upsert_rows


def _stored(case: Case) -> dict[str, Any]:
    row = Case.objects.get(pk=case.pk)  # read back: encrypted fields decrypted again
    different = {"id", "number", "query_code", "submission_key", "updated_at"}
    return {
        f.attname: getattr(row, f.attname)
        for f in Case._meta.concrete_fields
        if f.attname not in different
    }


def test_save_new_writes_what_save_writes_and_sends_its_signals(org: Org, people: Personas) -> None:
    intake = Intake(
        centre=org.centre_a,
        channel="window",
        title="失业金申领被要求原单位证明",
        description="原单位已注销。",
        reporter=Reporter(name="赵铁柱", phone="13800001234", id_number="11010519491231002X"),
        service_item=org.item_x,
    )
    now = timezone.now()
    by_save = _new_case(intake, actor=people.clerk_a, number="A-1", registered_at=now)
    by_save.save()
    sent: list[tuple[str, bool]] = []

    def seen(signal: str) -> Any:
        return lambda sender, instance, **kw: sent.append((signal, kw.get("created", False)))

    pre, post = seen("pre"), seen("post")
    pre_save.connect(pre, sender=Case)
    post_save.connect(post, sender=Case)
    try:
        by_new = save_new(_new_case(intake, actor=people.clerk_a, number="A-2", registered_at=now))
    finally:
        pre_save.disconnect(pre, sender=Case)
        post_save.disconnect(post, sender=Case)
    assert sent == [("pre", False), ("post", True)]
    assert by_new.pk is not None
    assert not by_new._state.adding
    assert _stored(by_new) == _stored(by_save)
    assert Case.objects.get(pk=by_new.pk).updated_at >= by_save.updated_at  # auto_now, as save()
    assert Case.objects.get(pk=by_new.pk).reporter_phone == "13800001234"  # encrypted, read back

    # The receivers of save() run: an event is audited as one saved the ORM's way.
    before = AuditEntry.objects.count()
    event = save_new(CaseEvent(case=by_new, at=now, kind="note", actor=people.clerk_a))
    entry = AuditEntry.objects.order_by("-id").first()
    assert AuditEntry.objects.count() == before + 1
    assert entry is not None
    assert entry.detail == {"event": event.pk}


def test_save_new_refuses_a_saved_row_or_a_model_with_its_own_save(
    org: Org, people: Personas
) -> None:
    with pytest.raises(ValueError, match="primary key"):
        save_new(people.clerk_a)
    with pytest.raises(TypeError, match="save"):
        save_new(User(username="x"))


def test_upsert_rows_inserts_then_updates_by_the_unique_key(db: None) -> None:
    first, later = timezone.now(), timezone.now() + timedelta(minutes=5)
    upsert_rows(
        DirtySource,
        [{"key": "c1", "marked_at": first}, {"key": "c2", "marked_at": first}],
        unique=["key"],
        update=["marked_at"],
    )
    upsert_rows(
        DirtySource, [{"key": "c1", "marked_at": later}], unique=["key"], update=["marked_at"]
    )
    upsert_rows(DirtySource, [], unique=["key"], update=["marked_at"])
    assert dict(DirtySource.objects.values_list("key", "marked_at")) == {"c1": later, "c2": first}


@pytest.mark.parametrize("grouped", [False, True])
def test_insert_rows_writes_every_row_in_statements_of_a_few_rows_or_one_each(
    db: None, monkeypatch: pytest.MonkeyPatch, grouped: bool
) -> None:
    monkeypatch.setattr(bulk, "GROUPED_ROWS", 2)  # 5 rows: statements of 2, 2 and 1
    at = connection.ops.adapt_datetimefield_value(timezone.now())
    rows = ((f"case:{n}", at) for n in range(5))  # a generator, as the callers pass
    bulk.insert_rows(DirtySource, ("key", "marked_at"), rows, grouped=grouped)
    assert sorted(DirtySource.objects.values_list("key", flat=True)) == [
        f"case:{n}" for n in range(5)
    ]
