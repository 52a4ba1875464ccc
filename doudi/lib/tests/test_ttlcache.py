"""The per-process map of entries that live a few seconds."""

from __future__ import annotations

import pytest

from doudi.lib import ttlcache
from doudi.lib.ttlcache import TtlCache


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(ttlcache.time, "monotonic", clock)
    return clock


def test_a_value_is_kept_for_its_seconds_then_loaded_again(clock: Clock) -> None:
    cache: TtlCache[str, int] = TtlCache()
    loads = iter([1, 2, 3])
    assert cache.get("k", lambda: next(loads), ttl=5) == 1
    clock.now += 4.9
    assert cache.get("k", lambda: next(loads), ttl=5) == 1
    clock.now += 0.2
    assert cache.get("k", lambda: next(loads), ttl=5) == 2


def test_no_seconds_keep_nothing_and_none_is_never_kept(clock: Clock) -> None:
    cache: TtlCache[str, int] = TtlCache()
    loads = iter([1, 2])
    assert cache.get("k", lambda: next(loads), ttl=0) == 1
    assert cache.get("k", lambda: next(loads), ttl=0) == 2
    # What is not there yet may be made in another process any moment.
    missing = iter([None, 7])
    assert cache.get("m", lambda: next(missing), ttl=60) is None
    assert cache.get("m", lambda: next(missing), ttl=60) == 7


def test_clear_and_the_bound_drop_what_was_kept(clock: Clock) -> None:
    cache: TtlCache[int, int] = TtlCache(limit=2)
    cache.get(1, lambda: 10, ttl=60)
    cache.clear()
    assert cache.get(1, lambda: 11, ttl=60) == 11
    cache.get(2, lambda: 20, ttl=60)
    cache.get(3, lambda: 30, ttl=60)  # over the bound: the map starts again
    assert cache.get(1, lambda: 12, ttl=60) == 12
    assert cache.get(3, lambda: 31, ttl=60) == 30
