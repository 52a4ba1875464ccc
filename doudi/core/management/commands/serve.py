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
    help = "以 gunicorn 启动 Web 服务 / Start the web server (gunicorn)."

    def handle(self, *args: Any, **options: Any) -> None:
        host = config.env_str("DOUDI_HOST", "127.0.0.1")
        port = config.env_int("PORT", 8000, minimum=1)
        workers = config.env_int("DOUDI_WEB_WORKERS", WEB_WORKERS, minimum=1)
        threads = config.env_int("DOUDI_WEB_THREADS", WEB_THREADS, minimum=1)
        argv = [
            sys.executable, "-m", "gunicorn", "doudi.wsgi:application",
            "--bind", f"{host}:{port}",
            "--workers", str(workers),
            "--threads", str(threads),
            # Each process listens on a socket of its own (SO_REUSEPORT), and the kernel spreads
            # new connections over them. On one shared socket, the process that woke first took
            # most of a client's keep-alive connections: in one run of bench/api_load.py, all
            # sixteen, which left the other process idle and halved the throughput.
            "--reuse-port",
            "--access-logfile", "-",
            "--graceful-timeout", "10",
        ]  # fmt: skip
        os.execv(sys.executable, argv)  # noqa: S606 - replaces this process with gunicorn
