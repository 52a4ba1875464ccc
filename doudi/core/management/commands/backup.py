"""doudi backup [--to DIR] [--include-keys]: the database and the attachments in one file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from doudi.core.backup import backup
from doudi.core.errors import DomainError


class Command(BaseCommand):
    help = "备份数据库和附件 / back up the database and the attachments"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--to",
            type=Path,
            default=None,
            help="备份目录（默认 数据目录/backups）/ directory (default DATA_DIR/backups)",
        )
        parser.add_argument(
            "--include-keys",
            action="store_true",
            help="连同加密密钥一起备份（请妥善保管）/ include the encryption keys",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        directory = options["to"] or Path(settings.DATA_DIR) / "backups"
        try:
            result = backup(directory, include_keys=options["include_keys"], progress=self._say)
        except DomainError as error:
            raise CommandError(str(error)) from error
        counts = result.manifest["counts"]
        self.stdout.write(
            f"已备份 / backed up: {counts['cases']} 件案件 cases, {counts['attachments']} 个附件 "
            f"attachments, {result.path.stat().st_size / 2**20:.1f} MB, {result.seconds:.1f} s"
        )
        if not result.manifest["keys"]:
            self.stdout.write(
                "备份不含加密密钥：恢复到新机器时需要原来的密钥 / the keys are not in the backup: "
                "keep them apart (DOUDI_FIELD_KEYS, DOUDI_HASH_KEY, SECRET_KEY)"
            )
        self.stdout.write(str(result.path))

    def _say(self, text: str) -> None:
        self.stderr.write(text)
