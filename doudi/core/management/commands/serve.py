from __future__ import annotations

import os
import sys
from typing import Any

from django.core.management.base import BaseCommand

from doudi import config

# Two processes of eight threads. A process's registrations are written together (a group per
# commit, cases.actions._registrations), so more threads a process make larger groups: with 16
# clients, eight threads a process measured 15% less CPU per case than four
# (docs/benchmarks.md, sixth session).
WEB_WORKERS = 2
WEB_THREADS = 8


class Command(BaseCommand):
    help = "以 Granian 启动 Web 服务 / Start the web server (Granian)."

    def handle(self, *args: Any, **options: Any) -> None:
        host = config.env_str("DOUDI_HOST", "127.0.0.1")
        port = config.env_int("PORT", 8000, minimum=1)
        workers = config.env_int("DOUDI_WEB_WORKERS", WEB_WORKERS, minimum=1)
        threads = config.env_int("DOUDI_WEB_THREADS", WEB_THREADS, minimum=1)
        # Granian parses HTTP and keeps the connections in Rust; each process runs the WSGI
        # application in `threads` Python threads. Against gunicorn (2 × 8 threads, a socket a
        # process) it measured 15-30% more API creates a second on this kind of machine
        # (docs/benchmarks.md, seventh session). At start it warns that eight threads are many
        # for two cores: they are meant, since most of a request's time is spent waiting for
        # the database, and the registrations that wait together are written together.
        argv = [
            sys.executable, "-m", "granian", "doudi.wsgi:application",
            "--interface", "wsgi",
            "--host", host,
            "--port", str(port),
            "--workers", str(workers),
            "--blocking-threads", str(threads),
            "--no-ws",
            "--access-log",
            # A process that dies is started again (as gunicorn did); one that is stopped gets
            # ten seconds to finish its requests.
            "--respawn-failed-workers",
            "--workers-kill-timeout", "10",
        ]  # fmt: skip
        os.execv(sys.executable, argv)  # noqa: S606 - replaces this process with the server
