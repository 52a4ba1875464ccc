from __future__ import annotations

import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from honcho.manager import Manager

from doudi import config
from doudi.core.actions import DEMO_PASSWORD
from doudi.directory.demo_data import DEMO_USERS


class Command(BaseCommand):
    help = (
        "同时启动 Web 服务与后台任务进程，Ctrl-C 一并停止 / "
        "Start the web server and the task worker together; one Ctrl-C stops both."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        port = config.env_int("PORT", 8000, minimum=1)
        host = config.env_str("DOUDI_HOST", "127.0.0.1")
        # A wildcard bind is reachable on loopback; print that, not the wildcard.
        shown = "127.0.0.1" if host in {"0.0.0.0", "::"} else host  # noqa: S104
        queue = "Redis" if settings.REDIS_URL else "SQLite"
        database = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(f"兜底 Doudi 已启动 / running at: http://{shown}:{port}")
        )
        self.stdout.write(f"数据库 database: {database} · 任务队列 queue: {queue}")
        self.stdout.write(
            f"演示账号（密码均为 {DEMO_PASSWORD}）/ demo logins (password {DEMO_PASSWORD}):"
        )
        self.stdout.write("  " + "  ".join(user[0] for user in DEMO_USERS))
        self.stdout.write("按 Ctrl-C 停止 / press Ctrl-C to stop")
        self.stdout.write("")
        self.stdout.flush()
        manager = Manager()
        manager.add_process("web", f"{sys.executable} -m doudi serve", quiet=False)
        manager.add_process("worker", f"{sys.executable} -m doudi worker", quiet=False)
        manager.loop()
        sys.exit(manager.returncode)
