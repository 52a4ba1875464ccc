"""Weekly and monthly reports: made from the figures, kept, drawn, scoped; the public page."""

from __future__ import annotations

import io
from datetime import date

import time_machine
from django.test import Client
from openpyxl import load_workbook

from doudi.analytics.tests.test_metrics import MARCH, march  # noqa: F401  (the hand-made month)
from doudi.cases.models import Case
from doudi.conftest import Org, Personas, at
from doudi.reports.actions import report_make, reports_dir, reports_make_due
from doudi.reports.models import Report, ReportKind


def _figure(report: Report, key: str) -> dict[str, object]:
    return next(f for f in report.data["figures"] if f["key"] == key)


def test_the_month_report_holds_the_hand_counted_figures_and_its_files(
    march: dict[str, Case],  # noqa: F811
    org: Org,
) -> None:
    with time_machine.travel(at("2026-04-01 01:15"), tick=False):
        report = report_make(centre=org.centre_a, kind=ReportKind.MONTH, day=date(2026, 3, 15))
    assert (report.start, report.end) == (MARCH.start, MARCH.end)
    assert _figure(report, "received")["shown"] == "5"
    assert _figure(report, "on_the_spot_rate")["shown"] == "20.0%"
    assert _figure(report, "dispute_rate")["numerator"] == 1
    assert _figure(report, "received")["previous"] == "1"  # C0, in February
    pdf = (reports_dir() / report.pdf).read_bytes()
    assert pdf.startswith(b"%PDF")
    book = load_workbook(io.BytesIO((reports_dir() / report.xlsx).read_bytes()))
    assert book.sheetnames[:3] == ["主要指标", "趋势", "原因"]
    rows = {row[0]: row for row in book["主要指标"].iter_rows(min_row=3, values_only=True)}
    assert rows["受理"][1] == "5"
    assert len(book["趋势"]._charts) == 1  # a native Excel chart, not a picture
    again = report_make(centre=org.centre_a, kind=ReportKind.MONTH, day=date(2026, 3, 1))
    assert again.pk == report.pk  # made again: replaced, not doubled


def test_the_nightly_task_makes_last_week_and_month_once(
    march: dict[str, Case],  # noqa: F811
    org: Org,
) -> None:
    with time_machine.travel(at("2026-04-06 01:15"), tick=False):  # a Monday
        made = reports_make_due(today=date(2026, 4, 6))
        again = reports_make_due(today=date(2026, 4, 6))
    kinds = {(r.centre.code, r.kind, r.start) for r in made}
    assert (org.centre_a.code, ReportKind.WEEK, date(2026, 3, 30)) in kinds
    assert (org.centre_a.code, ReportKind.MONTH, date(2026, 3, 1)) in kinds
    assert again == []


def test_reports_are_read_within_their_centre_only(
    march: dict[str, Case],  # noqa: F811
    org: Org,
    people: Personas,
    client_for,
) -> None:
    report = report_make(centre=org.centre_a, kind=ReportKind.MONTH, day=date(2026, 3, 1))
    leader = client_for(people.leader_a)
    page = leader.get(f"/reports/{report.pk}/")
    assert page.status_code == 200
    assert 'data-testid="report-received">5<' in page.content.decode()
    pdf = leader.get(f"/reports/{report.pk}/file.pdf")
    assert pdf.status_code == 200
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]
    assert leader.get(f"/reports/{report.pk}/file.exe").status_code == 404
    assert str(report.pk) in leader.get("/reports/").content.decode()
    # Another centre's clerk, a department's leader, nobody signed in: not this report.
    assert client_for(people.clerk_b).get(f"/reports/{report.pk}/").status_code == 404
    assert client_for(people.leader_x).get(f"/reports/{report.pk}/").status_code == 404
    assert Client().get(f"/reports/{report.pk}/").status_code == 302


def test_the_public_page_shows_anonymised_monthly_figures(
    march: dict[str, Case],  # noqa: F811
    org: Org,
) -> None:
    report_make(centre=org.centre_a, kind=ReportKind.MONTH, day=date(2026, 3, 1))
    html = Client().get(f"/figures/{org.centre_a.code}/").content.decode()
    assert 'data-testid="public-received">5<' in html
    assert march["c2"].number not in html  # no case, no name, no window ranking
    assert org.window_a_x.name not in html
    assert Client().get("/figures/NOPE/").status_code == 404


def test_names_with_markup_characters_are_text_in_the_pdf(
    march: dict[str, Case],  # noqa: F811
    org: Org,
) -> None:
    org.window_a_x.name = "综合<b>窗口 & 咨询"
    org.window_a_x.save()
    report = report_make(centre=org.centre_a, kind=ReportKind.MONTH, day=date(2026, 3, 1))
    assert report.data["window_ranking"][0]["name"] == "综合<b>窗口 & 咨询"
    assert (reports_dir() / report.pdf).read_bytes().startswith(b"%PDF")
