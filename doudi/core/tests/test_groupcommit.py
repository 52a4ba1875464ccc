"""Group commit without a database: who writes which jobs together, and who gets which result."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence

import pytest

from doudi.core.groupcommit import GroupCommit


class Writes:
    """A ``write`` that records its groups; the first one waits at a gate, so that jobs pile up
    behind it, and a job named "bad" fails the group it is in."""

    def __init__(self) -> None:
        self.groups: list[list[str]] = []
        self.gate = threading.Event()
        self.writing = threading.Event()
        self.lock = threading.Lock()

    def __call__(self, jobs: Sequence[str]) -> list[str]:
        with self.lock:
            first = not self.groups
            self.groups.append(list(jobs))
        if first:
            self.writing.set()
            assert self.gate.wait(timeout=10)
        if "bad" in jobs:
            raise ValueError("a bad job")
        return [job.upper() for job in jobs]


def behind_a_write(later: Sequence[str], *, most: int = 8) -> tuple[Writes, dict[str, str]]:
    """Job "a" is written first, alone, and held at the gate; the ``later`` jobs arrive one
    after another (so that their order is known) while it is written; then the gate opens.
    The groups written, and each job's result (or error) in its own thread."""
    writes = Writes()
    commit: GroupCommit[str, str] = GroupCommit(writes, most=most)
    outcomes: dict[str, str] = {}

    def run(job: str) -> None:
        try:
            outcomes[job] = commit.run(job)
        except ValueError as error:
            outcomes[job] = f"error: {error}"

    threads = [threading.Thread(target=run, args=(job,)) for job in ["a", *later]]
    threads[0].start()
    assert writes.writing.wait(timeout=10)
    for waiting, thread in enumerate(threads[1:], 1):
        thread.start()
        when(lambda: commit.pending() == waiting)  # noqa: B023 - called before the next loop
    writes.gate.set()
    for thread in threads:
        thread.join(timeout=10)
    return writes, outcomes


def when(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 10
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def test_a_job_alone_is_written_at_once_by_its_own_thread() -> None:
    writers: list[threading.Thread] = []

    def write(jobs: Sequence[str]) -> list[str]:
        writers.append(threading.current_thread())
        return [job.upper() for job in jobs]

    commit: GroupCommit[str, str] = GroupCommit(write, most=8)
    assert commit.run("a") == "A"
    assert commit.run("b") == "B"
    assert writers == [threading.current_thread()] * 2


def test_jobs_that_arrive_during_a_write_are_written_together_next() -> None:
    writes, outcomes = behind_a_write(["b", "c", "d"])
    assert writes.groups[0] == ["a"]
    assert len(writes.groups) == 2
    assert writes.groups[1] == ["b", "c", "d"]
    # Each thread gets its own job's result, whoever wrote it.
    assert outcomes == {"a": "A", "b": "B", "c": "C", "d": "D"}


def test_a_group_is_at_most_most_jobs_and_keeps_the_order_of_arrival() -> None:
    writes, _ = behind_a_write(["b", "c", "d"], most=2)
    assert writes.groups == [["a"], ["b", "c"], ["d"]]


def test_a_failing_job_fails_alone_and_the_others_of_its_group_are_written() -> None:
    writes, outcomes = behind_a_write(["b", "bad", "c"])
    assert outcomes == {
        "a": "A",
        "b": "B",
        "c": "C",
        "bad": "error: a bad job",
    }
    # The group failed, then each of its jobs was written again alone.
    assert writes.groups[1] == ["b", "bad", "c"]
    assert writes.groups[2:] == [["b"], ["bad"], ["c"]]


def test_an_error_alone_is_raised_in_the_caller_s_thread() -> None:
    def write(jobs: Sequence[str]) -> list[str]:
        if "a" in jobs:
            raise ValueError("refused")
        return [job.upper() for job in jobs]

    commit: GroupCommit[str, str] = GroupCommit(write, most=8)
    with pytest.raises(ValueError, match="refused"):
        commit.run("a")
    # The process goes on: the next job is written.
    assert commit.run("b") == "B"
