from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from doudi.analytics import rollup


class Command(BaseCommand):
    help = (
        "统计汇总表：apply 应用待处理的变更；rebuild 从全部案件重算（批量导入后使用） / "
        "The figures' roll-up: apply the pending changes; rebuild it from every case "
        "(after a bulk load)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["apply", "rebuild"])

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        if options["action"] == "apply":
            n = rollup.apply_marks()
        else:

            def progress(done: int, total: int) -> None:
                sys.stderr.write(f"\r  {done:,} / {total:,}")
                if done == total:
                    sys.stderr.write("\n")

            n = rollup.rebuild(progress=progress)
        seconds = time.monotonic() - started
        self.stdout.write(f"{n:,} 个来源 / sources, {seconds:.1f} s")
