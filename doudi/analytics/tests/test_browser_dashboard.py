"""In Chromium: the leader's dashboard shows every figure for the demo district and its charts,
and a number drills down to the cases behind it."""

from __future__ import annotations

import pytest

from doudi.analytics.selectors import SPECS
from doudi.conftest import shot, sign_in
from doudi.core.actions import demo_load

pytestmark = pytest.mark.browser


def test_the_leader_reads_the_figures_and_drills_down(
    browser, live_server, transactional_db
) -> None:
    demo_load()
    page = sign_in(browser, live_server.url, "leader")
    page.click("[data-testid=open-dashboard]")
    page.select_option("#id_preset", "quarter")
    page.click("[data-testid=filters] button")
    page.wait_for_selector("#chart-trend canvas")
    for spec in SPECS:
        text = page.inner_text(f"[data-testid=metric-{spec.key}]").strip()
        assert text, spec.key
    for chart in ("trend", "channels", "causes", "heatmap"):
        assert page.locator(f"#chart-{chart} canvas").count() >= 1, chart
    received = int(page.inner_text("[data-testid=metric-received]"))
    assert received > 50
    shot(page, "dashboard-leader")
    page.click("[data-testid=metric-received] a")
    page.wait_for_selector("[data-testid=drill-cases]")
    assert f"共 {received} 件" in page.inner_text("[data-testid=drill-cases]")
    shot(page, "dashboard-drill")
    page.go_back()
    page.click("[data-testid=open-rankings]")
    page.wait_for_selector("[data-testid=window-ranking]")
    assert page.locator("[data-testid=window-ranking] tbody tr").count() >= 5
    shot(page, "rankings")
    # Last month's report, made by the demo as the nightly task would: charts drawn, files.
    page.goto(f"{live_server.url}/reports/?kind=month")
    page.click("[data-testid=reports] tbody tr a")
    page.wait_for_selector("#chart-trend canvas")
    assert page.inner_text("[data-testid=report-received]").strip().isdigit()
    assert page.locator("a[href$='file.pdf']").count() == 1
    shot(page, "report-month")
