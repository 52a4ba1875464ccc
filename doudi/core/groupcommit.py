"""Group commit: writes that arrive together in a process, made by one thread in one
transaction.

Under load most of a registration's cost is per statement and per commit, not per row: the
number's UPDATE, six INSERTs and a COMMIT whose flush of the WAL it waits for. A process's
request threads hand their writes to a ``GroupCommit``. The first thread that finds no write
in progress leads: it takes what is waiting (its own job included, in order of arrival, at
most ``most``), writes it with one call of ``write`` (one statement per table, one commit) on
its own connection, and hands each waiting thread its result. Those that came while it wrote
wait; when it is done, one of them leads the next group. Nobody waits for a group to fill: a
thread alone writes its job alone, at once, so a quiet process behaves as before.

- An error in one job must not fail the others: when a group's write fails, each of its jobs
  is written again alone, and only the failing one gets the error (raised in its own thread).
- Nothing is answered before it is committed: a thread returns once its group's transaction
  has committed, so a crash loses only writes nobody was told of.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

J = TypeVar("J")
R = TypeVar("R")


@dataclass(eq=False)
class _Ticket(Generic[J, R]):
    job: J
    done: bool = False
    result: R | None = None
    error: BaseException | None = None


class GroupCommit(Generic[J, R]):
    """``run(job)`` writes the job with others that wait at the same time:
    ``write(jobs) -> results`` (a result per job, in order) must write them all in one
    transaction of its own, or none."""

    def __init__(self, write: Callable[[Sequence[J]], Sequence[R]], *, most: int) -> None:
        self._write = write
        self._most = most
        self._lock = threading.Condition()
        self._waiting: list[_Ticket[J, R]] = []
        self._writing = False

    def run(self, job: J) -> R:
        ticket: _Ticket[J, R] = _Ticket(job)
        with self._lock:
            self._waiting.append(ticket)
            while not ticket.done:
                if self._writing:
                    self._lock.wait()
                    continue
                # Lead: the oldest waiting jobs (this one among them, or in a later group).
                self._writing = True
                group = self._waiting[: self._most]
                del self._waiting[: self._most]
                self._lock.release()
                try:
                    self._write_group(group)
                finally:
                    self._lock.acquire()
                    self._writing = False
                    self._lock.notify_all()
        if ticket.error is not None:
            raise ticket.error
        return ticket.result  # type: ignore[return-value]

    def _write_group(self, group: list[_Ticket[J, R]]) -> None:
        try:
            self._settle(group)
        except BaseException as interrupted:  # the waiting threads must learn of it too
            for ticket in group:
                if ticket.result is None and ticket.error is None:
                    ticket.error = interrupted
            raise
        finally:
            with self._lock:
                for ticket in group:
                    ticket.done = True

    def _settle(self, group: list[_Ticket[J, R]]) -> None:
        try:
            results = self._write([ticket.job for ticket in group])
        except Exception as error:
            if len(group) == 1:
                group[0].error = error
                return
            # Which job failed is not known: each alone, so that only that one fails.
            for ticket in group:
                self._settle([ticket])
            return
        for ticket, result in zip(group, results, strict=True):
            ticket.result = result

    def pending(self) -> int:
        """How many jobs wait for a thread to write them."""
        with self._lock:
            return len(self._waiting)
