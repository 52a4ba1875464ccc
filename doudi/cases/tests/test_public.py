"""The reporter's pages: the window's QR page, the online form, tracking, adding, withdrawing."""

from __future__ import annotations

from django.test import Client

from doudi.cases.models import Case, CaseEvent
from doudi.cases.tests.conftest import intake_post
from doudi.conftest import Org, Personas


def report(client: Client, org: Org, **overrides: object):  # type: ignore[no-untyped-def]
    post = intake_post(org, **overrides)
    post.pop("urgency")
    return client.post("/report/", post)


def test_the_window_page_offers_reporting_and_rating(client: Client, org: Org) -> None:
    html = client.get(f"/r/{org.window_a_x.code}").content.decode()
    assert "社保窗口" in html
    assert f"/report/?window={org.window_a_x.code}" in html
    assert "评价本窗口" in html
    assert client.get("/r/NOPE-99").status_code == 404


def test_a_reporter_submits_online_and_gets_a_receipt(client: Client, org: Org) -> None:
    response = report(client, org)
    case = Case.objects.get()
    assert response["Location"] == f"/report/done/{case.number}/"
    assert (case.channel, case.registered_by) == ("online", None)
    assert CaseEvent.objects.get(case=case).by_reporter
    html = client.get(response["Location"]).content.decode()
    assert case.query_code in html
    assert "下一个工作日12:00前" in html


def test_a_report_through_the_window_code_records_the_qr_channel(client: Client, org: Org) -> None:
    client.post(
        f"/report/?window={org.window_a_x.code}",
        {**intake_post(org), "windows": [org.window_a_x.pk]},
    )
    case = Case.objects.get()
    assert case.channel == "qr"
    assert list(case.windows.all()) == [org.window_a_x]


def test_a_bot_filling_the_hidden_field_is_refused(client: Client, org: Org) -> None:
    report(client, org, website="http://spam.example")
    assert Case.objects.count() == 0


def test_tracking_with_the_query_code_shows_a_public_safe_timeline(
    client_for, make_case, people: Personas
) -> None:
    case = make_case()
    staff_client = client_for(people.clerk_a)
    staff_client.post(
        f"/cases/{case.pk}/act/send_to_triage/", {"send_to_triage-note": "内部备注：需协调"}
    )
    reporter = Client()
    response = reporter.post("/track/", {"number": case.number, "code": case.query_code.lower()})
    assert response["Location"] == f"/track/{case.number}/"
    html = reporter.get(response["Location"]).content.decode()
    assert "待分拣" in html
    assert "工作人员" in html
    assert people.clerk_a.username not in html
    assert "内部备注" not in html


def test_a_wrong_code_reveals_nothing_and_is_rate_limited(client: Client, make_case) -> None:
    case = make_case()
    for _ in range(5):
        response = client.post("/track/", {"number": case.number, "code": "WRONG123"})
        assert "案件编号或查询码不正确" in response.content.decode()
    response = client.post("/track/", {"number": case.number, "code": case.query_code})
    assert response.status_code == 429
    assert client.get(f"/track/{case.number}/").status_code == 404


def test_the_tracking_page_needs_the_code_first(client: Client, make_case) -> None:
    case = make_case()
    assert client.get(f"/track/{case.number}/").status_code == 404


def test_the_reporter_adds_information_and_withdraws(client: Client, make_case) -> None:
    case = make_case()
    client.post("/track/", {"number": case.number, "code": case.query_code})
    client.post(f"/track/{case.number}/info/", {"text": "补充：单位注销证明已找到复印件"})
    event = CaseEvent.objects.get(case=case, kind="info_added")
    assert event.by_reporter
    assert event.reason.startswith("补充")
    client.post(f"/track/{case.number}/withdraw/", {"reason": "已经办好了"})
    case.refresh_from_db()
    assert case.state == "withdrawn"
    assert CaseEvent.objects.get(case=case, kind="withdraw").by_reporter
