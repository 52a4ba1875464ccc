"""``doudi calendar``: working days from the command line.

doudi calendar due 2026-02-12 5          → 2026-02-26
doudi calendar due 2027-03-01 5          → 2027-03-08 provisional
doudi calendar import 2027.csv           (or .json; one year per file)
doudi calendar seed
doudi calendar show 2026
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from doudi.workcal.actions import calendar_import, calendar_seed_from_library
from doudi.workcal.files import FORMATS, parse_date
from doudi.workcal.selectors import work_calendar, year_view
from doudi.workcal.sources import MAKEUP

WEEKDAYS = "一二三四五六日"


def _date(text: str) -> date:
    day = parse_date(text)
    if day is None:
        raise CommandError(f"无法识别的日期 / not a date (YYYY-MM-DD): {text}")
    return day


class Command(BaseCommand):
    help = (
        "工作日历：计算截止日、导入年度安排、从内置库补充、查看某年 / "
        "Working-day calendar: due dates, import a year's arrangement, seed, show a year."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        due = sub.add_parser(
            "due",
            help="收到日之后第 N 个工作日 / the N-th working day after DATE",
            description=(
                "打印截止日 YYYY-MM-DD；所在年度没有正式安排时后跟 provisional / "
                "Print the due date; followed by 'provisional' when a year has no arrangement."
            ),
        )
        due.add_argument("date", help="收到日 / receipt day, YYYY-MM-DD")
        due.add_argument("n", type=int, help="工作日数 / number of working days")
        due.add_argument(
            "--count-start",
            action="store_true",
            help="收到日是工作日时算作第 1 天 / the receipt day counts as day 1",
        )
        due.add_argument(
            "--inclusive-end",
            action="store_true",
            help="截止日后紧接的休息日也计入 / the days off right after the due day count too",
        )
        imp = sub.add_parser(
            "import",
            help="导入一年的国务院安排（CSV/JSON）/ import a year's arrangement (CSV or JSON)",
        )
        imp.add_argument("file", type=Path, help=".csv 或 .json 文件 / a .csv or .json file")
        imp.add_argument("--note", default="", help="备注 / a note, e.g. the notice's title")
        sub.add_parser(
            "seed", help="从 chinese-calendar 补充已知年度 / add the years the library knows"
        )
        show = sub.add_parser("show", help="列出某年的放假与调休 / list a year's special days")
        show.add_argument("year", type=int, help="年份 / year")

    def handle(self, *args: Any, **options: Any) -> None:
        handler = getattr(self, f"handle_{options['subcommand']}")
        handler(**options)

    def handle_due(self, **options: Any) -> None:
        start = _date(options["date"])
        if options["n"] < 0:
            raise CommandError("工作日数不能为负 / N must not be negative")
        calendar = work_calendar()
        due = calendar.add_working_days(
            start,
            options["n"],
            count_start=options["count_start"],
            inclusive_end=options["inclusive_end"],
        )
        provisional = calendar.is_provisional(start, due)
        self.stdout.write(f"{due.isoformat()} provisional" if provisional else due.isoformat())

    def handle_import(self, **options: Any) -> None:
        path: Path = options["file"]
        file_format = path.suffix.lower().lstrip(".")
        if file_format not in FORMATS:
            raise CommandError("文件须为 .csv 或 .json / the file must be .csv or .json")
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"无法读取文件 / cannot read {path}: {exc.strerror}") from None
        report = calendar_import(
            actor=None, content=content, file_format=file_format, note=options["note"]
        )
        for error in report.errors:
            self.stderr.write(f"第 {error.line} 行 / line {error.line}: {error.message}")
        if not report.applied:
            raise CommandError(
                f"{len(report.errors)} 处错误，未导入任何数据 / "
                f"{len(report.errors)} errors, nothing imported"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"已导入 {report.year} 年：放假 {report.holidays} 天，调休上班 "
                f"{report.makeup_days} 天 / imported {report.year}"
            )
        )

    def handle_seed(self, **options: Any) -> None:
        years = calendar_seed_from_library(actor=None)
        if years:
            listed = ", ".join(str(year) for year in years)
            self.stdout.write(self.style.SUCCESS(f"已补充 / seeded: {listed}"))
        else:
            self.stdout.write("已是最新 / nothing to seed")

    def handle_show(self, **options: Any) -> None:
        view = year_view(options["year"])
        if view.official:
            self.stdout.write(f"{view.year} 正式安排 / official ({view.source})")
        else:
            self.stdout.write(
                f"{view.year} 无正式安排，仅法定节假日（暂定） / "
                "no arrangement: statutory holidays only, provisional"
            )
        for row in view.days:
            kind = "班 makeup " if row.kind == MAKEUP else "休 holiday"
            weekday = WEEKDAYS[row.day.weekday()]
            self.stdout.write(f"{row.day.isoformat()} 周{weekday} {kind} {row.name}".rstrip())
