"""doudi restore FILE [--force]: put a backup back (stop the server and workers first)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from doudi.core.backup import restore
from doudi.core.errors import DomainError


class Command(BaseCommand):
    help = "从备份恢复（请先停止服务）/ restore a backup (stop the server and workers first)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="doudi backup 生成的文件 / a backup file")
        parser.add_argument(
            "--force",
            action="store_true",
            help="覆盖已有案件的数据库 / overwrite a database that holds cases",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = restore(options["file"], force=options["force"], progress=self.stderr.write)
        except DomainError as error:
            raise CommandError(str(error)) from error
        counts = result.manifest["counts"]
        self.stdout.write(
            f"已恢复 / restored: {counts['cases']} 件案件 cases, {counts['attachments']} 个附件 "
            f"attachments ({result.manifest['created_at']}), {result.seconds:.1f} s"
        )
