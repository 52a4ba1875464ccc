"""Rotating the personal-data keys: every encrypted value ends under the new first key, the
old key can then go, and a rotation that stopped goes on from its checkpoint."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.db import connection
from django.test import override_settings

from doudi.cases.actions import Intake, Reporter, case_register
from doudi.cases.models import Case
from doudi.conftest import Org, Personas
from doudi.core import keys
from doudi.core.crypto import PREFIX, _fernet
from doudi.core.errors import DomainError
from doudi.core.models import KeyRotation


def stored(case: Case) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reporter_phone FROM cases_case WHERE id = %s", [case.pk])
        return str(cursor.fetchone()[0])


def readable_with(key: str, token: str) -> bool:
    try:
        Fernet(key.encode()).decrypt(token.removeprefix(PREFIX).encode())
    except Exception:
        return False
    return True


@pytest.fixture
def cases(org: Org, people: Personas) -> list[Case]:
    return [
        case_register(
            actor=people.clerk_a,
            intake=Intake(
                centre=org.centre_a,
                channel="window",
                title=f"案件{n}",
                description="经过",
                reporter=Reporter(name="赵铁柱", phone=f"1380000{n:04d}"),
            ),
        )
        for n in range(7)
    ]


def test_rotation_moves_every_value_to_the_new_key(
    cases: list[Case], settings, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    old = settings.FIELD_ENCRYPTION_KEYS[0]
    new = keys.new_key()
    assert readable_with(old, stored(cases[0]))
    monkeypatch.setattr(keys, "BATCH", 3)
    with override_settings(FIELD_ENCRYPTION_KEYS=[new, old]):
        _fernet.cache_clear()
        done = {r.model: r.rows for r in keys.rotate()}
        assert done["cases.Case"] == 7
    with override_settings(FIELD_ENCRYPTION_KEYS=[new]):  # the old key dropped
        _fernet.cache_clear()
        assert all(readable_with(new, stored(case)) for case in cases)
        assert [c.reporter_phone for c in Case.objects.order_by("pk")] == [
            f"1380000{n:04d}" for n in range(7)
        ]
    _fernet.cache_clear()


def test_a_stopped_rotation_goes_on_from_its_checkpoint(
    cases: list[Case], settings, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    old, new = settings.FIELD_ENCRYPTION_KEYS[0], keys.new_key()
    monkeypatch.setattr(keys, "BATCH", 3)
    with override_settings(FIELD_ENCRYPTION_KEYS=[new, old]):
        _fernet.cache_clear()
        calls = []

        def stop_after_first_batch(label: str, rows: int) -> None:
            calls.append(label)
            if label == "cases.Case":
                raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            keys.rotate(progress=stop_after_first_batch)
        checkpoint = KeyRotation.objects.get(model="cases.Case")
        assert (checkpoint.rows, checkpoint.finished_at) == (3, None)
        assert [readable_with(new, stored(c)) for c in cases] == [True] * 3 + [False] * 4
        keys.rotate()
        assert KeyRotation.objects.get(model="cases.Case").rows == 7
        assert all(readable_with(new, stored(case)) for case in cases)
    _fernet.cache_clear()


def test_adding_a_key_to_the_key_file(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("DOUDI_FIELD_KEYS", raising=False)
    first = keys.new_key()
    (tmp_path / "field_key").write_text(first)
    second = keys.new_key()
    assert keys.add_key(tmp_path, second) == [second, first]
    assert (tmp_path / "field_key").read_text() == f"{second},{first}"
    with pytest.raises(DomainError, match="not a Fernet key"):
        keys.add_key(tmp_path, "not a key")
    monkeypatch.setenv("DOUDI_FIELD_KEYS", first)
    with pytest.raises(DomainError, match="DOUDI_FIELD_KEYS"):
        keys.add_key(tmp_path, second)
