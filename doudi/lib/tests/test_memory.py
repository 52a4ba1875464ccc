from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from doudi.lib.memory import release_free_memory

STATUS = Path("/proc/self/status")


def resident_mb() -> int:
    line = next(x for x in STATUS.read_text().splitlines() if x.startswith("VmRSS"))
    return int(line.split()[1]) // 1024


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc and /proc only")
def test_freed_heap_memory_goes_back_to_the_system() -> None:
    # 2,000 arrays of 64 KB (under glibc's mmap threshold, so on the heap), each followed by a
    # small one that stays: free() cannot shrink a heap whose free pages lie between live
    # blocks (the clustering's many mid-sized arrays among the objects that outlive them).
    chunks, kept = [], []
    for _ in range(2000):
        chunks.append(np.ones(8000))
        kept.append(np.ones(100))
    del chunks
    freed = resident_mb()
    assert release_free_memory()
    assert resident_mb() < freed - 60
    assert sum(k.sum() for k in kept) == 200_000
