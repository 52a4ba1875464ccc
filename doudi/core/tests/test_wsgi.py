"""The WSGI application a worker process loads."""

from __future__ import annotations

import os
import subprocess
import sys

from django.conf import settings


def test_the_worker_loads_every_view_and_keeps_the_started_heap_out_of_the_collector() -> None:
    # In a process of its own: freezing would keep this test process's objects for good.
    probe = (
        "import gc, sys\n"
        "before = gc.get_freeze_count()\n"
        "import doudi.wsgi\n"
        "print(before, gc.get_freeze_count(), 'doudi.api.api' in sys.modules)\n"
    )
    done = subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", probe],
        env=os.environ.copy(),
        cwd=settings.BASE_DIR.parent,
        capture_output=True,
        text=True,
        check=True,
    )
    before, frozen, views_loaded = done.stdout.split()
    assert before == "0"
    # The views (the API's among them) are loaded before the freeze, not by a first request.
    assert views_loaded == "True"
    # Django, the project's modules and the views: far more than a bare interpreter's objects.
    assert int(frozen) > 50_000
