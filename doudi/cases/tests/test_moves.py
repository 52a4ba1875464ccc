"""Each move through its URL: the state changes, an event row is written, the reporter hears."""

from __future__ import annotations

import pytest

from doudi.cases.models import Case, CaseEvent
from doudi.conftest import Personas
from doudi.notify.models import Notification


def act(client, case: Case, move: str, **data: str):  # type: ignore[no-untyped-def]
    return client.post(f"/cases/{case.pk}/act/{move}/", {f"{move}-{k}": v for k, v in data.items()})


@pytest.mark.parametrize(
    ("move", "data", "state", "notice"),
    [
        (
            "resolve_on_spot",
            {"result": "当场告知替代材料并受理"},
            "resolved_on_spot",
            "case_resolved_on_spot",
        ),
        (
            "out_of_scope",
            {"explanation": "属于民事纠纷", "where_to_go": "区人民法院"},
            "out_of_scope",
            "case_out_of_scope",
        ),
        (
            "transfer",
            {"receiver": "12345", "reference": "GD2026112600123"},
            "transferred",
            "case_transferred",
        ),
        ("send_to_triage", {"note": "需多部门协调"}, "triage", "case_sent_to_triage"),
        ("withdraw", {"reason": "反映人表示已自行解决"}, "withdrawn", "case_withdrawn"),
    ],
)
def test_each_move_changes_state_writes_an_event_and_tells_the_reporter(
    client_for,
    make_case,
    people: Personas,
    move: str,
    data: dict[str, str],
    state: str,
    notice: str,
) -> None:
    case = make_case()
    response = act(client_for(people.clerk_a), case, move, **data)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == state
    event = CaseEvent.objects.filter(case=case).last()
    assert event is not None
    assert (event.kind, event.from_state, event.to_state, event.actor) == (
        move,
        "registered",
        state,
        people.clerk_a,
    )
    assert Notification.objects.filter(case_id=case.pk, template=notice).exists()


def test_a_move_from_the_wrong_state_changes_nothing(
    client_for, make_case, people: Personas
) -> None:
    case = make_case()
    client = client_for(people.clerk_a)
    act(client, case, "send_to_triage", note="")
    response = act(client, case, "resolve_on_spot", result="x")
    case.refresh_from_db()
    assert case.state == "triage"
    assert CaseEvent.objects.filter(case=case, kind="resolve_on_spot").count() == 0
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("不能" in m for m in messages)


def test_a_move_without_its_required_text_changes_nothing(
    client_for, make_case, people: Personas
) -> None:
    case = make_case()
    client = client_for(people.clerk_a)
    act(client, case, "out_of_scope", explanation="", where_to_go="")
    case.refresh_from_db()
    assert case.state == "registered"
    # The page says which field is missing, drawn as an error.
    html = client.get(f"/cases/{case.pk}/").content.decode()
    assert '<div class="alert alert-danger" role="alert">一次性告知内容：' in html
    assert "办理途径（去哪里办）：" in html
    # What was typed comes back in its form, opened, once.
    act(client, case, "out_of_scope", explanation="此事项属于市级权限", where_to_go="")
    html = client.get(f"/cases/{case.pk}/").content.decode()
    assert "此事项属于市级权限</textarea>" in html
    assert 'id="move-out_of_scope" class="accordion-collapse collapse show"' in html
    html = client.get(f"/cases/{case.pk}/").content.decode()
    assert "此事项属于市级权限" not in html


def test_a_leader_cannot_move_a_case(client_for, make_case, people: Personas) -> None:
    case = make_case()
    act(client_for(people.leader_a), case, "send_to_triage", note="")
    case.refresh_from_db()
    assert case.state == "registered"


def test_another_centre_s_case_is_404_for_reading_and_acting(
    client_for, make_case, people: Personas
) -> None:
    case = make_case()
    client = client_for(people.clerk_b)
    assert client.get(f"/cases/{case.pk}/").status_code == 404
    assert act(client, case, "withdraw", reason="x").status_code == 404
    assert client.get(f"/cases/{case.pk}/receipt/").status_code == 404
    case.refresh_from_db()
    assert case.state == "registered"


def test_a_handler_sees_only_cases_about_their_department(
    client_for, make_case, org, people: Personas
) -> None:
    about_x = make_case()
    about_y = make_case(service_item=org.item_y, title="个体户登记被拒")
    client = client_for(people.handler_x)
    assert client.get(f"/cases/{about_x.pk}/").status_code == 200
    assert client.get(f"/cases/{about_y.pk}/").status_code == 404
    listing = client.get("/cases/").content.decode()
    assert about_x.number in listing
    assert about_y.number not in listing


def test_merging_keeps_both_histories(client_for, make_case, people: Personas) -> None:
    target = make_case()
    duplicate = make_case(title="营业执照变更又被退回")
    client = client_for(people.clerk_a)
    act(client, duplicate, "merge", into=target.number, reason="同一事项")
    duplicate.refresh_from_db()
    assert duplicate.state == "merged"
    assert duplicate.merged_into == target
    assert CaseEvent.objects.filter(
        case=target, kind="merged_in", payload__source=duplicate.number
    ).exists()
    timeline = client.get(f"/cases/{target.pk}/").context["timeline"]
    kinds = [(entry.label, entry.other_case) for entry in timeline]
    assert ("登记", duplicate.number) in kinds  # the duplicate's own history shows on the target
    assert ("合并了重复案件", "") in kinds


def test_the_reporter_does_not_read_a_merged_in_case_s_history(
    client_for, make_case, people: Personas
) -> None:
    from django.test import Client

    from doudi.cases.actions import Reporter, case_add_info

    target = make_case()
    other = make_case(title="另一人反映", reporter=Reporter(name="王五", phone="13800005555"))
    case_add_info(case_id=other.pk, text="王五的补充：家庭住址某某路8号")
    act(client_for(people.clerk_a), other, "merge", into=target.number, reason="同一事项")
    public = Client()  # the target's reporter, with its query code
    public.post("/track/", {"number": target.number, "code": target.query_code})
    html = public.get(f"/track/{target.number}/").content.decode()
    assert f"案件 {other.number} 并入本案" in html  # that a duplicate came is said
    assert "王五的补充" not in html
    own = CaseEvent.objects.filter(case=target, public=True).count()
    assert html.count('<li class="list-group-item">') == own


def test_a_case_cannot_be_merged_into_itself_or_a_settled_case(
    client_for, make_case, people: Personas
) -> None:
    case = make_case()
    settled = make_case()
    client = client_for(people.clerk_a)
    act(client, case, "merge", into=case.number)
    act(client, settled, "resolve_on_spot", result="已办")
    act(client, case, "merge", into=settled.number)
    case.refresh_from_db()
    assert case.state == "registered"


def test_the_case_list_filters_by_state(client_for, make_case, people: Personas) -> None:
    open_case = make_case()
    withdrawn = make_case()
    act(client_for(people.clerk_a), withdrawn, "withdraw", reason="已解决")
    page = client_for(people.clerk_a).get("/cases/", {"state": "withdrawn"}).content.decode()
    assert withdrawn.number in page
    assert open_case.number not in page


def test_duplicates_are_offered_with_one_click_merge(
    client_for, make_case, people: Personas
) -> None:
    first = make_case()
    second = make_case(title="营业执照变更登记多次被退回")
    html = client_for(people.clerk_a).get(f"/cases/{second.pk}/").content.decode()
    assert 'data-testid="duplicates"' in html
    assert first.number in html
    assert "同一反映人、同一事项" in html


def test_the_list_and_the_case_page_do_not_query_per_row(
    client_for, make_case, people: Personas
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(people.clerk_a)
    first = make_case()
    with CaptureQueriesContext(connection) as one:
        client.get("/cases/")
    with CaptureQueriesContext(connection) as one_page:
        client.get(f"/cases/{first.pk}/")
    for _ in range(6):
        act(client, make_case(), "merge", into=first.number)
    with CaptureQueriesContext(connection) as many:
        client.get("/cases/")
    with CaptureQueriesContext(connection) as many_page:
        client.get(f"/cases/{first.pk}/")
    assert len(many) == len(one)
    assert len(many_page) == len(one_page)
