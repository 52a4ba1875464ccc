from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from doudi.directory.actions import ImportFileError, directory_import
from doudi.directory.resources import RESOURCES


class Command(BaseCommand):
    help = (
        "从 CSV/XLSX 导入组织机构数据，全部成功才写入 / "
        "Import directory rows from CSV or XLSX, all or nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "kind", choices=sorted(RESOURCES), help="导入类型 / what the file holds"
        )
        parser.add_argument("file", type=Path, help="CSV 或 XLSX 文件 / a .csv or .xlsx file")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        file_format = path.suffix.lower().lstrip(".")
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"无法读取文件 / cannot read {path}: {exc.strerror}") from None
        try:
            report = directory_import(
                actor=None, kind=options["kind"], content=content, file_format=file_format
            )
        except ImportFileError as exc:
            raise CommandError(str(exc)) from None
        for error in report.errors:
            self.stderr.write(f"第 {error.line} 行 / line {error.line}: {error.message}")
        if not report.applied:
            raise CommandError(
                f"共 {report.rows} 行，{len(report.errors)} 处错误，未导入任何数据 / "
                f"{len(report.errors)} errors, nothing imported"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"已导入 {report.rows} 行：新增 {report.created}，更新 {report.updated}，"
                f"未变 {report.unchanged} / imported"
            )
        )
