"""doudi import FILE: cases from a CSV or XLSX file (docs/import.md), with a progress bar.

doudi import transfers.xlsx --centre SFQ --user taskforce --source 12345 --mode good
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from doudi.accounts.models import User
from doudi.core.errors import DomainError
from doudi.directory.models import Centre
from doudi.imports.actions import import_request, import_run, report_path
from doudi.imports.models import ImportJob, ImportMode, ImportStatus


class Command(BaseCommand):
    help = "从 CSV 或 XLSX 文件导入案件 / import cases from a CSV or XLSX file"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="CSV 或 XLSX 文件 / the file")
        parser.add_argument("--centre", required=True, help="导入到的中心编码 / the centre's code")
        parser.add_argument(
            "--user", required=True, help="以哪个账号导入（专班或管理员）/ importing account"
        )
        parser.add_argument(
            "--source",
            default="12345",
            help="来源名称，与来源编号一起防止重复导入 / source name (default 12345)",
        )
        parser.add_argument(
            "--mode",
            choices=ImportMode.values,
            default=ImportMode.ALL_OR_NOTHING,
            help="all：全部正确才导入；good：只导入正确的行 / all or nothing, or good rows only",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"找不到用户 / no such active user: {options['user']}")
        centre = Centre.objects.filter(code=options["centre"]).first()
        if centre is None:
            raise CommandError(f"找不到中心 / no such centre: {options['centre']}")
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"无法读取 / cannot read {path}: {error}") from error
        try:
            job = import_request(
                actor=user,
                name=path.name,
                data=data,
                centre_id=centre.pk,
                source=options["source"],
                mode=options["mode"],
                enqueue=False,
            )
        except DomainError as error:
            raise CommandError(str(error)) from error
        with tqdm(total=job.total * 2, unit="行", desc="检查/check", disable=None) as bar:

            def progress(job: ImportJob) -> None:
                if job.status == ImportStatus.IMPORTING:
                    bar.set_description("导入/import")
                bar.update(job.checked + job.loaded - bar.n)

            job = import_run(job.pk, progress=progress)
        self._summary(job)

    def _summary(self, job: ImportJob) -> None:
        self.stdout.write(
            f"{job.get_status_display()}：共 {job.total} 行，导入 {job.imported}，"
            f"已存在跳过 {job.skipped}，有错误 {job.bad_rows} / {job.status}: "
            f"{job.total} rows, {job.imported} imported, {job.skipped} skipped, "
            f"{job.bad_rows} with errors"
        )
        for number, column, message in job.report.get("errors", [])[:20]:
            self.stdout.write(f"  第 {number} 行 / row {number}，{column}：{message}")
        if job.bad_rows:
            self.stdout.write(f"全部问题 / every problem: {report_path(job)}")
        ignored = job.report.get("ignored_headers")
        if ignored:
            self.stdout.write(f"未使用的列 / columns not read: {'、'.join(ignored)}")
        if job.status in (ImportStatus.FAILED, ImportStatus.REFUSED):
            raise CommandError(job.error or job.get_status_display())
