"""doudi export KIND --user USERNAME: a list as a file, as the list's 导出 button makes it.

doudi export cases --user leader --format xlsx --filter state=closed --filter q=社保
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from doudi.accounts.models import User
from doudi.core.errors import DomainError
from doudi.exports.actions import export_dir, export_request, export_run
from doudi.exports.models import ExportFormat, ExportStatus
from doudi.exports.sources import SOURCES


class Command(BaseCommand):
    help = "导出列表为 CSV 或 XLSX（与页面导出相同，记入审计）/ export a list as CSV or XLSX"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=sorted(SOURCES), help="列表 / the list")
        parser.add_argument("--user", required=True, help="以谁的权限导出 / whose view")
        parser.add_argument("--format", choices=ExportFormat.values, default=ExportFormat.CSV)
        parser.add_argument(
            "--filter",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="列表的筛选条件，如 state=closed、q=社保 / the list's filters",
        )
        parser.add_argument(
            "--unmask", action="store_true", help="含完整个人信息（需权限）/ full personal data"
        )
        parser.add_argument("-o", "--output", type=Path, help="文件 / output file")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"找不到用户 / no such active user: {options['user']}")
        try:
            params = dict(item.split("=", 1) for item in options["filter"])
        except ValueError as error:
            raise CommandError("--filter KEY=VALUE") from error
        try:
            job = export_request(
                actor=user,
                kind=options["kind"],
                params=params,
                fmt=options["format"],
                unmask=options["unmask"],
                enqueue=False,
            )
        except DomainError as error:
            raise CommandError(str(error)) from error
        job = export_run(job.pk)
        if job.status != ExportStatus.DONE:
            raise CommandError(job.error or job.get_status_display())
        target = options["output"] or Path(job.filename)
        shutil.copyfile(export_dir() / job.file, target)
        self.stdout.write(f"{job.written} 行 / rows → {target}")
