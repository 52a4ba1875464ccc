"""SQLite: writers that take turns across processes, queued by the kernel.

SQLite lets one connection write at a time. The others wait in its busy handler, which sleeps
and tries again, up to 100 ms between tries. Under load, a process that writes groups of
registrations back to back (core.groupcommit) takes the write lock again before the other
process's sleeping writer wakes, and that writer sleeps on: in the embedded default, a
registration's p99 was about a second at 16 clients while its p50 was 45 ms
(docs/benchmarks.md, seventh session). A writer that first takes its turn here waits on a file
lock (flock) instead: the kernel wakes it as soon as the lock is free.

PostgreSQL locks rows and needs no turns; an in-memory SQLite database (the tests') is one
process's. There, and inside a transaction (which may hold SQLite's lock already: waiting for
a turn could then wait for a writer that waits for it), ``writer_turn`` does nothing.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

_local = threading.local()


def _lock_path() -> str | None:
    if connection.vendor != "sqlite" or connection.is_in_memory_db():  # type: ignore[attr-defined]
        return None
    return f"{connection.settings_dict['NAME']}-writers.lock"


@contextmanager
def writer_turn() -> Iterator[None]:
    """Hold the database's writers' turn (SQLite) for the block: one block at a time, across
    the threads and processes that use it; a waiting one goes as soon as the turn is free."""
    path = _lock_path()
    if path is None or connection.in_atomic_block:
        yield
        return
    # A descriptor per thread: flock excludes other descriptors, so threads of one process
    # take turns with each other as well as with other processes.
    files: dict[str, int] = _local.__dict__.setdefault("files", {})
    fd = files.get(path)
    if fd is None:
        fd = files[path] = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
