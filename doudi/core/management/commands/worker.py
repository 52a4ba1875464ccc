from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "启动后台任务进程（Huey，含定时任务）/ Start the task worker (Huey, with periodic tasks)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("run_huey")
