"""A per-process map whose entries live a few seconds.

For reads that every request repeats and that change rarely (the token behind a bearer
string, the directory's centres and items): a hit costs a dictionary look-up where a read costs
an ORM query (1–3 ms of CPU each). The price is staleness: a change made in this process clears
the map at once (the caller's receivers), one made in another process is seen after at most
``ttl`` seconds. Threads may race to load the same key; both loads are right, one is kept.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class TtlCache(Generic[K, V]):
    def __init__(self, limit: int = 10_000) -> None:
        self._entries: dict[K, tuple[float, V]] = {}
        self.limit = limit

    def get(self, key: K, load: Callable[[], V | None], ttl: float) -> V | None:
        """The value kept for ``key`` if younger than ``ttl`` seconds, else ``load()`` (kept
        unless None: what is not there yet may be made in another process any moment). A ttl
        of 0 keeps nothing."""
        if ttl <= 0:
            return load()
        now = time.monotonic()
        entry = self._entries.get(key)
        if entry is not None and entry[0] > now:
            return entry[1]
        value = load()
        if value is not None:
            if len(self._entries) >= self.limit:  # a bound, not an eviction policy
                self._entries.clear()
            self._entries[key] = (now + ttl, value)
        return value

    def clear(self) -> None:
        self._entries.clear()
