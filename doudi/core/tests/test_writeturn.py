"""Writers' turns on a SQLite file (core.writeturn)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from django.db import transaction

from doudi.core import writeturn


@pytest.fixture
def lock_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "doudi.sqlite3-writers.lock"
    monkeypatch.setattr(writeturn, "_lock_path", lambda: str(path))
    return path


def test_a_writer_waits_for_the_turn_and_goes_when_it_is_free(lock_file: Path) -> None:
    order: list[str] = []
    asked = threading.Event()

    def second() -> None:
        asked.set()
        with writeturn.writer_turn():
            order.append("second")

    with writeturn.writer_turn():
        thread = threading.Thread(target=second)
        thread.start()
        asked.wait(5)
        # The other writer has asked and is kept out while this one holds the turn.
        thread.join(0.3)
        assert thread.is_alive()
        order.append("first")
    thread.join(5)
    assert order == ["first", "second"]
    assert lock_file.exists()


@pytest.mark.django_db(transaction=True)
def test_no_turn_is_taken_inside_a_transaction(lock_file: Path) -> None:
    # A transaction may hold SQLite's own lock already: waiting for a turn could wait for a
    # writer that waits for it. So a block inside one takes no turn, even while another holds it.
    entered = threading.Event()
    release = threading.Event()
    kept: list[bool] = []

    def holder() -> None:
        with writeturn.writer_turn():
            entered.set()
            # Released by the block below while still held; had that block waited for the
            # turn, this wait would have run out first.
            kept.append(release.wait(10))

    thread = threading.Thread(target=holder)
    thread.start()
    entered.wait(5)
    try:
        with transaction.atomic(), writeturn.writer_turn():
            release.set()
    finally:
        release.set()
        thread.join(15)
    assert kept == [True]


@pytest.mark.django_db
def test_the_tests_in_memory_database_and_postgresql_take_no_turns() -> None:
    assert writeturn._lock_path() is None
