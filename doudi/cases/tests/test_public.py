"""The reporter's pages: the window's QR page, the online form, tracking, adding, withdrawing."""

from __future__ import annotations

import time_machine
from django.test import Client

from doudi.cases.models import Case, CaseEvent
from doudi.cases.tests.conftest import intake_post
from doudi.conftest import Org, Personas, at


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


def test_the_receipt_names_the_next_working_day(client: Client, org: Org) -> None:
    # Friday 2026-02-13: the next working day is the make-up Saturday before the Spring Festival.
    with time_machine.travel(at("2026-02-13 16:00"), tick=False):
        response = report(client, org)
        html = client.get(response["Location"]).content.decode()
    assert "工作专班在下一个工作日（2月14日，星期六）12:00前完成分类" in html


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
    # The task force's steps in the reporter's words, not its own ("转专班分拣 → 待分拣").
    assert "<strong>转交工作专班</strong> → 工作专班处理中" in html
    assert '<strong data-testid="public-state">工作专班处理中</strong>' in html
    assert "待分拣" not in html
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
    assert "请15分钟后再试" in response.content.decode()  # the address's limit, per 15 minutes
    assert client.get(f"/track/{case.number}/")["Location"] == f"/track/?number={case.number}"


def test_the_tracking_page_needs_the_code_first(client: Client, make_case) -> None:
    case = make_case()
    for path in (f"/track/{case.number}/", f"/report/done/{case.number}/"):
        response = client.get(path, follow=True)
        # Back to the form, the number filled in, the code asked for; nothing of the case.
        assert response.redirect_chain == [(f"/track/?number={case.number}", 302)]
        html = response.content.decode()
        assert "请输入查询码查看案件" in html
        assert f'value="{case.number}"' in html
        assert case.title not in html
    # The same answer for a case that does not exist: nothing to learn from the difference.
    response = client.get("/track/SFQ-20200101-0001/")
    assert response["Location"] == "/track/?number=SFQ-20200101-0001"
    response = client.post(f"/track/{case.number}/info/", {"text": "补充"})
    assert response["Location"] == f"/track/?number={case.number}"
    assert not CaseEvent.objects.filter(case=case, kind="info_added").exists()


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


def test_a_mistyped_occurrence_date_is_an_error_on_the_form_not_a_server_error(
    client: Client, org: Org
) -> None:
    # Year 1 in this time zone is not a date the database can hold: it crashed the page.
    for typed, error in (
        ("0001-01-01T07:00", "发生时间不能早于 2000 年"),
        ("2999-05-01T09:00", "发生时间不能晚于现在"),
    ):
        response = report(client, org, occurred_at=typed)
        assert response.status_code == 200
        html = response.content.decode()
        assert error in html
        assert "失业金申领被要求补交证明" in html  # what was typed is kept
    assert not Case.objects.exists()
    report(client, org, occurred_at="2026-01-05T09:30")
    assert Case.objects.get().occurred_at is not None


def test_after_an_error_the_form_lists_the_errors_at_the_top_and_asks_for_the_files_again(
    client: Client, org: Org
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from doudi.cases.tests.conftest import png_bytes

    photo = SimpleUploadedFile("证明.png", png_bytes(), content_type="image/png")
    response = report(client, org, reporter_phone="12345", attachments=[photo])
    html = response.content.decode()
    summary = html[html.index('data-testid="form-errors"') : html.index("</ul>")]
    assert "联系电话" in summary
    assert 'href="#id_reporter_phone"' in summary
    # The browser does not keep the chosen file: the form says so, at the top and at the field.
    assert summary.count("重新选择附件") == 1
    assert html.count("重新选择附件") == 2
    assert not Case.objects.exists()
    # Without files, no word of them.
    html = report(client, org, reporter_phone="12345").content.decode()
    assert "重新选择附件" not in html


def test_an_expired_page_gets_a_chinese_answer_and_stores_nothing(org: Org) -> None:
    client = Client(enforce_csrf_checks=True)
    response = report(client, org)
    assert response.status_code == 403
    html = response.content.decode()
    assert "页面已过期，提交未成功" in html
    assert "DEBUG" not in html
    assert not Case.objects.exists()


def test_a_refused_addition_is_shown_at_its_form_with_what_was_typed(
    client: Client, make_case
) -> None:
    case = make_case()
    client.post("/track/", {"number": case.number, "code": case.query_code})
    response = client.post(f"/track/{case.number}/info/", {"text": ""})
    assert response.status_code == 400
    assert "请填写补充内容或选择文件" in response.content.decode()
    too_long = "单位注销证明" * 400
    response = client.post(f"/track/{case.number}/info/", {"text": too_long})
    assert response.status_code == 400
    html = response.content.decode()
    assert too_long in html
    assert 'class="form-control"' in html
    assert not CaseEvent.objects.filter(case=case, kind="info_added").exists()
    response = client.post(f"/track/{case.number}/info/", {"text": "补充"})
    assert response["Location"] == f"/track/{case.number}/#top"
    assert CaseEvent.objects.filter(case=case, kind="info_added").exists()


def test_a_refused_message_is_drawn_as_an_error(client: Client, make_case) -> None:
    case = make_case()
    client.post("/track/", {"number": case.number, "code": case.query_code})
    response = client.post(f"/track/{case.number}/withdraw/", {"reason": ""}, follow=True)
    assert '<div class="alert alert-danger" role="alert">请填写撤回原因。</div>' in (
        response.content.decode()
    )


def test_the_public_form_names_each_window_s_centre_and_refuses_another_centre_s(
    client: Client, org: Org
) -> None:
    html = client.get("/report/").content.decode()
    assert f"乙区政务服务中心 · {org.window_b_y}" in html
    assert "请选择受理中心" in html
    # Needed unless anonymous: starred like the required fields.
    assert 'for="id_reporter_phone">联系电话 <span class="text-danger">*</span>' in html
    response = report(client, org, windows=[org.window_b_y.pk])  # the form's centre is A
    assert "所选窗口不属于所选受理中心" in response.content.decode()
    assert not Case.objects.exists()
    report(client, org, windows=[org.window_a_x.pk])
    assert list(Case.objects.get().windows.all()) == [org.window_a_x]


def test_a_service_item_typed_out_by_its_catalogue_name_is_found(client: Client, org: Org) -> None:
    report(client, org, service_item=f" {org.item_x.name} ")
    assert Case.objects.get().service_item == org.item_x
    html = report(client, org, service_item="没有这个事项").content.decode()
    assert "找不到事项" in html


def test_django_s_own_messages_read_as_plain_chinese(client: Client, org: Org) -> None:
    # doudi/locale/zh_Hans replaces Django's wording ("确保该变量包含不超过 100 字符").
    html = report(client, org, title="很" * 120, reporter_email="not-an-address").content.decode()
    assert "最多 100 个字，现在有 120 个。" in html
    assert "请填写有效的电子邮箱地址。" in html
    assert "确保该变量" not in html
