"""Window ratings (好差评) from the public page, and a 差评 becoming a rectification case that
is verified, appealed or excluded."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.test import Client

from doudi.audit.models import AuditEntry
from doudi.cases.models import Case
from doudi.conftest import Org, Personas, at
from doudi.deadlines.models import Clock, ClockKind
from doudi.feedback import tokens
from doudi.feedback.models import Rating, RatingEvent
from doudi.notify.models import Notification
from doudi.triage.actions import triage_case, work_orders_issue
from doudi.triage.models import Cause
from doudi.workorders.models import WorkOrder


def local(moment) -> str:  # type: ignore[no-untyped-def]
    from django.utils import timezone

    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


def token_from(page: str) -> str:
    found = re.search(r'name="token" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def rate(client: Client, code: str, **data: str):  # type: ignore[no-untyped-def]
    page = client.get(f"/r/{code}/rate/").content.decode()
    return client.post(f"/r/{code}/rate/", {"token": token_from(page), **data})


def bad_rating(client: Client, org: Org) -> Rating:
    response = rate(
        client,
        org.window_a_y.code,
        level="1",
        attitude="1",
        comment="让我回去补材料，讲不清缺什么",
        callback_phone="13912345678",
    )
    assert response.status_code == 302
    return Rating.objects.get(window=org.window_a_y)


def test_a_good_rating_is_kept_and_the_same_phone_cannot_rate_again_at_once(
    client: Client, org: Org
) -> None:
    response = rate(
        client,
        org.window_a_x.code,
        level="5",
        efficiency="5",
        staff=str(org.staff_a_x.pk),
        comment="很耐心",
    )
    assert response.status_code == 302
    rating = Rating.objects.get()
    assert (rating.level, rating.efficiency, rating.attitude, rating.staff) == (
        5,
        5,
        None,
        org.staff_a_x,
    )
    assert (rating.state, rating.source, rating.centre) == ("valid", "window", org.centre_a)
    assert rating.rectification is None
    assert list(RatingEvent.objects.values_list("kind", flat=True)) == ["submit"]
    assert "感谢您的评价" in client.get(response.url).content.decode()
    # The cookie marks this service event as rated: the page says so, and nothing is added.
    again = client.get(f"/r/{org.window_a_x.code}/rate/")
    assert again.status_code == 409
    assert "已评价" in again.content.decode()
    assert Rating.objects.count() == 1


def test_a_very_bad_rating_becomes_a_rectification_case_with_two_clocks(
    client: Client, org: Org, people: Personas, client_for
) -> None:
    with time_machine.travel(at("2026-02-12 10:00"), tick=False):
        rating = bad_rating(client, org)
    case = rating.rectification
    assert case is not None
    assert (case.channel, case.state, case.centre) == ("bad_review", "triage", org.centre_a)
    assert list(case.windows.all()) == [org.window_a_y]
    assert "讲不清缺什么" in case.description
    assert "非常不满意" in case.description
    assert rating.state == "to_verify"
    clocks = {c.kind: c for c in Clock.objects.filter(case=case)}
    assert set(clocks) == {ClockKind.VERIFY, ClockKind.FIX}
    assert local(clocks[ClockKind.VERIFY].due_at) == "2026-02-13 23:59"  # 1 working day
    # 15 working days: 02-14 and 02-28 are make-up Saturdays, 02-15..23 the Spring Festival.
    assert local(clocks[ClockKind.FIX].due_at) == "2026-03-11 23:59"
    moves = list(case.events.values_list("kind", flat=True))
    assert moves == ["register", "send_to_triage"]
    # The rater who left a phone gets the case number and its query code.
    sms = Notification.objects.get(case_id=case.pk, template="case_registered", channel="sms")
    assert sms.recipient == "13912345678"
    assert case.query_code in sms.body
    # In the task force's queue, with both due dates shown.
    html = client_for(people.taskforce_a).get("/triage/").content.decode()
    assert case.number in html
    assert 'data-testid="clock-verify"' in html
    assert 'data-testid="clock-fix"' in html


def test_the_thank_you_page_gives_the_rectification_number(client: Client, org: Org) -> None:
    response = rate(client, org.window_a_y.code, level="2")
    case = Rating.objects.get().rectification
    assert case is not None
    html = client.get(response.url).content.decode()
    assert case.number in html
    assert case.query_code in html


def test_a_rating_without_a_valid_token_is_refused_and_nothing_is_stored(
    client: Client, org: Org
) -> None:
    url = f"/r/{org.window_a_x.code}/rate/"
    for token in ("", "forged", tokens.window_token(org.window_a_y.pk)):
        response = client.post(url, {"token": token, "level": "1"})
        assert response.status_code == 400
    with time_machine.travel(at("2026-02-12 08:00"), tick=False):
        stale = tokens.window_token(org.window_a_x.pk)
    response = client.post(url, {"token": stale, "level": "1"})
    assert response.status_code == 400
    assert "重新扫描" in response.content.decode()
    assert not Rating.objects.exists()
    assert not Case.objects.exists()


def test_one_token_makes_one_rating(org: Org) -> None:
    first, second = Client(), Client()
    page = first.get(f"/r/{org.window_a_x.code}/rate/").content.decode()
    token = token_from(page)
    assert (
        first.post(f"/r/{org.window_a_x.code}/rate/", {"token": token, "level": "1"}).status_code
        == 302
    )
    # The same token from another browser (no cookie) is refused.
    response = second.post(f"/r/{org.window_a_x.code}/rate/", {"token": token, "level": "1"})
    assert response.status_code == 400
    assert "已经评价过" in response.content.decode()
    assert Rating.objects.count() == 1
    assert Case.objects.count() == 1


def test_a_flood_from_one_address_is_rate_limited(org: Org) -> None:
    statuses = []
    for _ in range(11):
        statuses.append(rate(Client(), org.window_a_x.code, level="5").status_code)
    assert statuses[:10] == [302] * 10
    assert statuses[10] == 429
    assert Rating.objects.count() == 10


def test_bad_input_gets_a_message_and_stores_nothing(client: Client, org: Org) -> None:
    response = rate(client, org.window_a_x.code, level="9", callback_phone="12345")
    assert response.status_code == 400
    html = response.content.decode()
    assert "不是有效的电话号码" in html
    response = rate(client, org.window_a_x.code, comment="x" * 501, level="5")
    assert response.status_code == 400
    response = rate(client, org.window_a_x.code, level="5", staff=str(org.staff_b_y.pk))
    assert response.status_code == 400
    assert not Rating.objects.exists()
    assert client.get("/r/NOPE-01/rate/").status_code == 404


def test_a_comment_with_markup_is_shown_as_text(
    client: Client, org: Org, people: Personas, client_for
) -> None:
    rate(client, org.window_a_x.code, level="4", comment='<script>alert("x")</script>')
    rating = Rating.objects.get()
    html = client_for(people.supervisor_a).get(f"/feedback/ratings/{rating.pk}/").content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert '<script>alert("x")</script>' not in html


def test_the_task_force_verifies_a_bad_rating(
    client: Client, org: Org, people: Personas, client_for
) -> None:
    rating = bad_rating(client, org)
    staff = client_for(people.taskforce_a)
    response = staff.post(f"/feedback/ratings/{rating.pk}/verify/", {"verify-reason": ""})
    assert response.status_code == 302
    rating.refresh_from_db()
    assert rating.state == "confirmed"
    verify = Clock.objects.get(case=rating.rectification, kind=ClockKind.VERIFY)
    assert verify.state == "met"
    assert Clock.objects.get(case=rating.rectification, kind=ClockKind.FIX).state == "on_time"
    assert AuditEntry.objects.filter(action="rating.verify", object_id=str(rating.pk)).exists()
    # Its history in words, not the workflow's codes.
    page = staff.get(f"/feedback/ratings/{rating.pk}/").content.decode()
    assert "收到评价 → 待核实" in page
    assert "核实属实 → 核实属实" in page
    assert "to_verify" not in page


def test_excluding_needs_a_reason_and_ends_the_rectification(
    client: Client, org: Org, people: Personas, client_for, general_cause: Cause
) -> None:
    rating = bad_rating(client, org)
    case = rating.rectification
    assert case is not None
    triage_case(
        actor=people.taskforce_a,
        case_id=case.pk,
        cause=general_cause,
        tier="rectification",
        departments=[org.dept_y],
    )
    work_orders_issue(actor=people.taskforce_a, case_ids=[case.pk])
    staff = client_for(people.taskforce_a)
    staff.post(f"/feedback/ratings/{rating.pk}/exclude/", {"exclude-reason": "  "})
    rating.refresh_from_db()
    assert rating.state == "to_verify"
    staff.post(
        f"/feedback/ratings/{rating.pk}/exclude/",
        {"exclude-reason": "录像显示评价人未在该窗口办事"},
    )
    rating.refresh_from_db()
    case.refresh_from_db()
    assert rating.state == "excluded"
    assert case.state == "closed"
    assert case.events.get(kind="void_rectification").reason == "录像显示评价人未在该窗口办事"
    assert not Clock.objects.filter(
        case=case, state__in=("on_time", "due_soon", "overdue")
    ).exists()
    assert WorkOrder.objects.get(case=case).state == "cancelled"
    entry = AuditEntry.objects.get(action="rating.exclude")
    assert (entry.actor, entry.detail["to"]) == (people.taskforce_a, "excluded")
    assert rating.events.get(pk=entry.detail["event"]).reason == "录像显示评价人未在该窗口办事"


def test_the_window_appeals_and_the_task_force_decides(
    client: Client, org: Org, people: Personas, client_for
) -> None:
    rating = bad_rating(client, org)  # window_a_y belongs to department Y
    handler = client_for(people.handler_y)
    assert handler.get(f"/feedback/ratings/{rating.pk}/").status_code == 200
    handler.post(f"/feedback/ratings/{rating.pk}/appeal/", {"appeal-reason": "已一次性告知"})
    rating.refresh_from_db()
    assert rating.state == "appealed"
    assert rating.rectification is not None
    assert rating.rectification.events.filter(kind="rating_appealed").exists()
    force = client_for(people.taskforce_a)
    force.post(
        f"/feedback/ratings/{rating.pk}/reject_appeal/", {"reject_appeal-reason": "录像属实"}
    )
    rating.refresh_from_db()
    assert rating.state == "confirmed"
    kinds = list(rating.events.values_list("kind", flat=True))
    assert kinds == ["submit", "appeal", "reject_appeal"]


def test_an_appeal_from_outside_the_windows_scope_is_not_found(
    org: Org, people: Personas, client_for
) -> None:
    rate(Client(), org.window_b_y.code, level="1")  # a window of centre B
    rating = Rating.objects.get()
    # Department X does not run that window; centre A's task force does not see centre B.
    handler_x = client_for(people.handler_x)
    assert handler_x.get(f"/feedback/ratings/{rating.pk}/").status_code == 404
    response = handler_x.post(f"/feedback/ratings/{rating.pk}/appeal/", {"appeal-reason": "x"})
    assert response.status_code == 404
    force = client_for(people.taskforce_a)
    response = force.post(f"/feedback/ratings/{rating.pk}/exclude/", {"exclude-reason": "x"})
    assert response.status_code == 404
    rating.refresh_from_db()
    assert rating.state == "to_verify"


def test_a_role_without_the_capability_cannot_move_a_rating(
    client: Client, org: Org, people: Personas, client_for
) -> None:
    rating = bad_rating(client, org)
    clerk = client_for(people.clerk_a)
    clerk.post(f"/feedback/ratings/{rating.pk}/exclude/", {"exclude-reason": "不想要"})
    rating.refresh_from_db()
    assert rating.state == "to_verify"
    assert (
        client_for(people.handler_y)
        .post(f"/feedback/ratings/{rating.pk}/nonsense/", {})
        .status_code
        == 404
    )


@pytest.mark.parametrize("role", ["supervisor_a", "leader_a", "handler_y"])
def test_the_ratings_list_is_scoped(
    role: str, org: Org, people: Personas, client_for, django_assert_max_num_queries
) -> None:
    rate(Client(), org.window_a_y.code, level="4", comment="甲中心二号窗口")
    rate(Client(REMOTE_ADDR="10.0.0.2"), org.window_b_y.code, level="4", comment="乙中心窗口")
    client = client_for(getattr(people, role))
    with django_assert_max_num_queries(12):
        html = client.get("/feedback/ratings/").content.decode()
    assert "甲中心二号窗口" in html
    # Centre A's staff do not see centre B; department Y runs windows in both centres.
    assert ("乙中心窗口" in html) == (role == "handler_y")


def test_the_admin_lists_ratings_and_visits_but_changes_none(
    answered, org: Org, people: Personas, client_for
) -> None:
    rate(Client(), org.window_a_x.code, level="5", callback_phone="13912345678")
    admin = client_for(people.admin)
    for url in ("/admin/feedback/rating/", "/admin/feedback/returnvisit/",
                "/admin/accountability/finding/"):  # fmt: skip
        assert admin.get(url).status_code == 200, url
    rating = Rating.objects.get()
    page = admin.get(f"/admin/feedback/rating/{rating.pk}/change/").content.decode()
    assert "13912345678" not in page
    assert admin.get("/admin/feedback/rating/add/").status_code == 403


def test_a_centre_sets_its_own_days_to_fix_a_bad_rating(client: Client, org: Org) -> None:
    from doudi.triage.models import TierPolicy

    TierPolicy.objects.create(centre=org.centre_a, tier="rectification", working_days=10)
    page = client.get(f"/r/{org.window_a_y.code}/rate/").content.decode()
    assert "在10个工作日内整改" in page
    # The page shown again after a mistake still gives the days.
    response = rate(client, org.window_a_y.code, level="1", callback_phone="12345")
    assert response.status_code == 400
    assert "在10个工作日内整改" in response.content.decode()
    with time_machine.travel(at("2026-02-12 10:00"), tick=False):
        rating = bad_rating(client, org)
    fix = Clock.objects.get(case=rating.rectification, kind=ClockKind.FIX)
    assert fix.working_days == 10
    assert local(fix.due_at) == "2026-03-04 23:59"
