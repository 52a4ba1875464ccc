"""Return visits: opened by the answer, concluded by a supervisor or by the reporter's own
rating; unsolved or unsatisfied reopens the case to triage; three failed attempts close it."""

from __future__ import annotations

import re

import pytest
import time_machine

from doudi.accounts.actions import user_create
from doudi.accounts.roles import Role
from doudi.cases.models import Case, CaseEvent
from doudi.conftest import Org, Personas, at
from doudi.deadlines.models import Clock, ClockKind
from doudi.feedback import tokens
from doudi.feedback.models import Rating, ReturnVisit
from doudi.notify.models import Notification
from doudi.triage.actions import work_orders_issue
from doudi.triage.models import Triage
from doudi.workorders.models import WorkOrder


def local(moment) -> str:  # type: ignore[no-untyped-def]
    from django.utils import timezone

    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


def visit_of(case: Case) -> ReturnVisit:
    return ReturnVisit.objects.get(case=case, round=1)


def test_the_answer_opens_a_visit_due_in_three_working_days_and_texts_a_rating_link(
    answered: Case,
) -> None:
    visit = visit_of(answered)
    assert visit.is_open
    assert local(visit.opened_at) == "2026-02-24 15:00"
    clock = Clock.objects.get(case=answered, kind=ClockKind.VISIT)
    assert local(clock.due_at) == "2026-02-27 23:59"
    sms = Notification.objects.get(case_id=answered.pk, template="case_rating_link", channel="sms")
    assert sms.recipient == "13800001234"
    token = re.search(r"/rate/([^/\s]+)/", sms.body)
    assert token is not None
    with time_machine.travel(at("2026-02-25 08:00"), tick=False):
        assert tokens.read_case_link_token(token.group(1)) == (answered.pk, 1)


def test_a_solved_and_satisfied_visit_closes_the_case(
    answered: Case, client_for, people: Personas
) -> None:
    visit = visit_of(answered)
    client = client_for(people.supervisor_a)
    with time_machine.travel(at("2026-02-25 10:00"), tick=False):
        response = client.post(
            f"/feedback/visits/{visit.pk}/outcome/",
            {"method": "phone", "solved": "1", "level": "5", "comment": "办好了"},
        )
    assert response.status_code == 302
    answered.refresh_from_db()
    visit.refresh_from_db()
    assert answered.state == "closed"
    assert (visit.outcome, visit.solved, visit.level) == ("closed", True, 5)
    assert visit.attempts.get().reached
    clock = Clock.objects.get(case=answered, kind=ClockKind.VISIT)
    assert (clock.state, clock.late_working_days) == ("met", 0)
    rating = Rating.objects.get(case=answered)
    assert (rating.source, rating.level, rating.window) == ("visit", 5, None)
    moves = list(answered.events.values_list("kind", flat=True))
    assert moves[-2:] == ["visit_start", "close"]
    assert Notification.objects.filter(case_id=answered.pk, template="case_closed").exists()


def test_an_unsolved_visit_reopens_the_case_to_triage_and_counts_it(
    answered: Case, client_for, people: Personas
) -> None:
    visit = visit_of(answered)
    client = client_for(people.supervisor_a)
    with time_machine.travel(at("2026-02-26 10:00"), tick=False):
        client.post(
            f"/feedback/visits/{visit.pk}/outcome/",
            {"method": "phone", "solved": "0", "level": "3", "comment": "还是要原单位证明"},
        )
    answered.refresh_from_db()
    assert answered.state == "triage"
    assert answered.reopen_count == 1
    assert local(answered.reopened_at) == "2026-02-26 10:00"
    event = answered.events.get(kind="reopen")
    assert (event.from_state, event.to_state, event.reason) == (
        "return_visit",
        "triage",
        "还是要原单位证明",
    )
    # Back with the task force: its triage may be issued again, against a new triage clock.
    triage = Triage.objects.get(case=answered)
    assert triage.issued_at is None
    triage_clock = Clock.objects.filter(case=answered, kind=ClockKind.TRIAGE).latest("started_at")
    assert local(triage_clock.due_at) == "2026-02-27 12:00"
    with time_machine.travel(at("2026-02-26 16:00"), tick=False):
        result = work_orders_issue(actor=people.taskforce_a, case_ids=[answered.pk])
    assert result.issued == [answered.number]
    second = WorkOrder.objects.filter(case=answered).latest("pk")
    assert second.number.endswith("-2")
    # The new answer deadline counts from the reopening, not from the first registration:
    # 5 working days after Thursday 02-26 (02-28 is a make-up Saturday).
    assert local(second.answer_due) == "2026-03-04 23:59"


def test_three_failed_attempts_close_the_case_as_unreachable(
    answered: Case, client_for, people: Personas
) -> None:
    visit = visit_of(answered)
    client = client_for(people.supervisor_a)
    for note in ("无人接听", "关机"):
        client.post(f"/feedback/visits/{visit.pk}/attempt/", {"method": "phone", "note": note})
    answered.refresh_from_db()
    assert answered.state == "return_visit"
    client.post(f"/feedback/visits/{visit.pk}/attempt/", {"method": "sms", "note": "未回复"})
    answered.refresh_from_db()
    visit.refresh_from_db()
    assert answered.state == "closed"
    assert visit.outcome == "unreachable"
    assert "3次联系未果" in visit.note
    assert "关机" in visit.note
    assert answered.events.get(kind="close_unreachable").reason == visit.note
    assert not Rating.objects.filter(case=answered).exists()


def test_the_reporter_rates_once_through_the_link(answered: Case, client) -> None:  # type: ignore[no-untyped-def]
    url = f"/rate/{tokens.case_link_token(answered.pk, 1)}/"
    page = client.get(url)
    assert page.status_code == 200
    assert "以注销证明替代原单位证明" in page.content.decode()
    response = client.post(url, {"solved": "0", "level": "1", "comment": "没解决"})
    assert response.status_code == 302
    answered.refresh_from_db()
    assert answered.state == "triage"
    reopen = answered.events.get(kind="reopen")
    assert reopen.by_reporter
    assert reopen.actor is None
    rating = Rating.objects.get(case=answered)
    assert (rating.source, rating.level) == ("reporter", 1)
    again = client.post(url, {"solved": "1", "level": "5"})
    assert again.status_code == 200
    assert "已评价" in again.content.decode()
    assert Rating.objects.filter(case=answered).count() == 1
    assert CaseEvent.objects.filter(case=answered, kind="reopen").count() == 1


def test_a_forged_or_foreign_link_is_not_found(answered: Case, client) -> None:  # type: ignore[no-untyped-def]
    token = tokens.case_link_token(answered.pk, 1)
    assert client.get(f"/rate/{token[:-2]}xx/").status_code == 404
    assert client.get(f"/rate/{tokens.case_link_token(answered.pk, 2)}/").status_code == 404
    with time_machine.travel(at("2026-03-05 10:00"), tick=False):
        stale = tokens.case_link_token(answered.pk, 1)
    assert client.get(f"/rate/{stale}/").status_code == 404  # older than 10 days


def test_a_rating_link_without_a_level_is_refused_with_a_message(answered: Case, client) -> None:  # type: ignore[no-untyped-def]
    url = f"/rate/{tokens.case_link_token(answered.pk, 1)}/"
    response = client.post(url, {"solved": "1"})
    assert response.status_code == 400
    assert "请选择总体评价" in response.content.decode()
    assert visit_of(answered).is_open


def test_the_visit_queue_lists_open_visits_with_their_due_time(
    answered: Case, client_for, people: Personas, django_assert_max_num_queries
) -> None:
    client = client_for(people.supervisor_a)
    with django_assert_max_num_queries(12):
        html = client.get("/feedback/visits/").content.decode()
    assert answered.number in html
    assert "2026-02-27 23:59" in html


def supervisor_of(centre):  # type: ignore[no-untyped-def]
    """A supervisor scoped to ``centre``."""
    return user_create(
        actor=None,
        username=f"supervisor_{centre.code.lower()}",
        password="x-password-2026",
        role=Role.SUPERVISOR,
        scope_centre=centre,
    )


def test_visits_are_scoped(answered: Case, client_for, people: Personas, org: Org) -> None:
    visit = visit_of(answered)
    other = supervisor_of(org.centre_b)
    assert client_for(other).get(f"/feedback/visits/{visit.pk}/").status_code == 404
    assert (
        client_for(other)
        .post(
            f"/feedback/visits/{visit.pk}/outcome/",
            {"method": "phone", "solved": "1", "level": "5"},
        )
        .status_code
        == 404
    )
    # A clerk of the same centre sees the case, but does not make return visits.
    assert client_for(people.clerk_a).get(f"/feedback/visits/{visit.pk}/").status_code == 404
    assert client_for(people.clerk_a).get("/feedback/visits/").status_code == 404
    assert visit_of(answered).is_open


def test_the_home_cards_count_the_visits_in_scope(
    answered: Case, people: Personas, org: Org
) -> None:
    from doudi.feedback.selectors import home_counts

    assert visit_of(answered).is_open
    other = supervisor_of(org.centre_b)
    assert home_counts(people.supervisor_a)["visits_open"] == 1
    assert home_counts(people.leader_a)["visits_open"] == 1
    assert home_counts(other)["visits_open"] == 0
    assert home_counts(people.handler_y)["visits_open"] == 0


def test_the_case_page_shows_the_visit(answered: Case, client_for, people: Personas) -> None:
    client = client_for(people.supervisor_a)
    html = client.get(f"/feedback/case/{answered.pk}/").content.decode()
    assert "去回访" in html
    assert client_for(people.handler_y).get(f"/feedback/case/{answered.pk}/").status_code == 404


@pytest.mark.parametrize("state", ["dispatched"])
def test_a_visit_cannot_be_concluded_before_the_answer(
    state: str, dispatched, people: Personas
) -> None:
    from doudi.cases.workflow import DomainError
    from doudi.feedback.actions import Scores, visit_conclude

    case = dispatched()
    visit = ReturnVisit.objects.create(case=case, round=1, opened_at=case.registered_at)
    with pytest.raises(DomainError, match="不在待回访"):
        visit_conclude(
            actor=people.supervisor_a, visit_id=visit.pk, solved=True, scores=Scores(level=5)
        )
    case.refresh_from_db()
    assert case.state == state


def test_only_supervisors_log_visit_attempts(answered: Case, people: Personas) -> None:
    from doudi.cases.workflow import DomainError
    from doudi.feedback.actions import visit_attempt_log

    with pytest.raises(DomainError, match="角色"):
        visit_attempt_log(
            actor=people.taskforce_a, visit_id=visit_of(answered).pk, method="phone", reached=False
        )
    assert not visit_of(answered).attempts.exists()


def test_the_tracking_page_offers_the_rating_while_the_visit_waits(answered: Case, client) -> None:  # type: ignore[no-untyped-def]
    client.post("/track/", {"number": answered.number, "code": answered.query_code})
    html = client.get(f"/track/{answered.number}/").content.decode()
    assert 'data-testid="rate-answer"' in html
    link = re.search(r'href="(/rate/[^"]+/)"', html)
    assert link is not None
    response = client.post(link.group(1), {"solved": "1", "level": "5"})
    assert response.status_code == 302
    assert Rating.objects.filter(case=answered, source="reporter").exists()
    # Rated: the visit is over, and the page no longer asks.
    html = client.get(f"/track/{answered.number}/").content.decode()
    assert 'data-testid="rate-answer"' not in html
