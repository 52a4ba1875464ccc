from __future__ import annotations

import subprocess
import sys

import pytest

# Run in a fresh interpreter: a long test process's heap (and glibc's adaptive mmap threshold)
# depends on every test before it.
SCRIPT = """
import numpy as np
from doudi.lib.memory import release_free_memory

def resident_mb():
    with open("/proc/self/status") as status:
        line = next(x for x in status if x.startswith("VmRSS"))
    return int(line.split()[1]) // 1024

# 2,000 arrays of 64 KB (under glibc's mmap threshold, so on the heap), each followed by a
# small one that stays: free() cannot shrink a heap whose free pages lie between live blocks
# (the clustering's many mid-sized arrays among the objects that outlive them).
chunks, kept = [], []
for _ in range(2000):
    chunks.append(np.ones(8000))
    kept.append(np.ones(100))
del chunks
freed = resident_mb()
released = release_free_memory()
print(freed, resident_mb(), released, len(kept))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc and /proc only")
def test_freed_heap_memory_goes_back_to_the_system() -> None:
    result = subprocess.run(  # noqa: S603  (this interpreter, the test's own script)
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60, check=True
    )
    freed, after, released, kept = result.stdout.split()
    assert released == "True"
    assert kept == "2000"
    assert int(after) < int(freed) - 60, result.stdout
