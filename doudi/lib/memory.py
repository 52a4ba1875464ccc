"""Giving a long-lived process's freed memory back to the system."""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def _libc() -> Any:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    return libc if libc is not None and hasattr(libc, "malloc_trim") else None


def release_free_memory() -> bool:
    """Return the heap's free pages to the system (glibc's ``malloc_trim``); False where the C
    library has no such call. After a large computation (clustering a month of cases) the
    arrays are freed, but glibc keeps the pages of those under its mmap threshold, so the task
    worker's resident size stays at its peak until the next one."""
    libc = _libc()
    if libc is None:
        return False
    libc.malloc_trim(0)
    return True
