"""doudi retention: anonymise the cases past their retention period now, or count them."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from doudi.cases.actions import cases_anonymise_expired
from doudi.cases.selectors import cases_past_retention


class Command(BaseCommand):
    help = (
        "保存期限：删除期满案件中的反映人个人信息（每晚自动运行）"
        " / retention: anonymise the cases past their retention period (runs nightly)"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="只统计，不修改 / count only, change nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        days = settings.DOUDI_RETENTION_DAYS
        if options["dry_run"]:
            due = cases_past_retention(timezone.now()).count()
            self.stdout.write(f"期满待匿名化 / due (retention {days} days): {due}")
            return
        done = cases_anonymise_expired()
        self.stdout.write(f"已匿名化 / anonymised (retention {days} days): {done}")
