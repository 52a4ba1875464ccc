from __future__ import annotations

import os
import sys
from typing import Any

from django.core.management.base import BaseCommand

from doudi import config


class Command(BaseCommand):
    help = "以 gunicorn 启动 Web 服务 / Start the web server (gunicorn)."

    def handle(self, *args: Any, **options: Any) -> None:
        host = config.env_str("DOUDI_HOST", "127.0.0.1")
        port = config.env_int("PORT", 8000, minimum=1)
        workers = config.env_int("DOUDI_WEB_WORKERS", 2, minimum=1)
        threads = config.env_int("DOUDI_WEB_THREADS", 4, minimum=1)
        argv = [
            sys.executable, "-m", "gunicorn", "doudi.wsgi:application",
            "--bind", f"{host}:{port}",
            "--workers", str(workers),
            "--threads", str(threads),
            "--access-logfile", "-",
            "--graceful-timeout", "10",
        ]  # fmt: skip
        os.execv(sys.executable, argv)  # noqa: S606 - replaces this process with gunicorn
