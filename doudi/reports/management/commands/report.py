from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from doudi.directory.models import Centre
from doudi.reports.actions import report_make, reports_dir, reports_make_due
from doudi.reports.models import ReportKind


class Command(BaseCommand):
    help = (
        "周报与月报：make 生成某中心含某日的一周或一月的报告（PDF、Excel 与网页）；due 补齐上周与"
        "上月尚未生成的报告 / Weekly and monthly reports: make the report of the week or month "
        "holding a day for a centre (PDF, Excel and the web page); due: make last week's and "
        "last month's reports that are missing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        make = sub.add_parser("make", help="生成一份报告 / make one report")
        make.add_argument("--centre", required=True, metavar="CODE", help="中心编码 / centre code")
        make.add_argument("--kind", choices=ReportKind.values, default=ReportKind.MONTH)
        make.add_argument(
            "--day",
            type=date.fromisoformat,
            help="该周/月中的任一天，默认今天 / any day of the week or month (default: today)",
        )
        sub.add_parser("due", help="补齐上周与上月的报告 / last week's and month's, if missing")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "due":
            made = reports_make_due(today=timezone.localdate())
        else:
            centre = Centre.objects.filter(code=options["centre"]).first()
            if centre is None:
                raise CommandError(f"没有编码为 {options['centre']} 的中心 / no such centre")
            day = options["day"] or timezone.localdate()
            made = [report_make(centre=centre, kind=options["kind"], day=day)]
        for report in made:
            self.stdout.write(
                f"{report}: {reports_dir() / report.pdf}, {reports_dir() / report.xlsx}"
            )
        if not made:
            self.stdout.write("无需生成 / nothing to make")
