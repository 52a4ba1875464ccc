from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from doudi.search.actions import search_rebuild


class Command(BaseCommand):
    help = (
        "全文检索索引：rebuild 从全部案件重建（批量导入或升级后使用） / "
        "The full-text search index: rebuild it from every case (after a bulk load or an "
        "upgrade)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["rebuild"])

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()

        def progress(done: int, total: int) -> None:
            sys.stderr.write(f"\r  {done:,} / {total:,}")
            if done == total:
                sys.stderr.write("\n")

        n = search_rebuild(progress=progress)
        seconds = time.monotonic() - started
        self.stdout.write(f"{n:,} 件案件 / cases, {seconds:.1f} s")
