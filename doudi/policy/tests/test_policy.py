"""Recurring problems and policy issues, through the real URLs: who sees the clusters, promoting
one, moving an issue, and a later case flagged as a recurrence of a closed issue."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse

from doudi.accounts.actions import user_create
from doudi.accounts.models import User
from doudi.accounts.roles import Role
from doudi.cases.actions import Intake, Reporter, case_register
from doudi.cases.models import Case
from doudi.conftest import PASSWORD, Org, Personas, at
from doudi.imports.actions import import_request, import_run
from doudi.policy import actions
from doudi.policy.models import PolicyIssue, PolicyIssueCase, PolicyIssueEvent
from doudi.policy.workflow import IssueState, LinkKind

PARKING = [
    ("幸福里小区开发商捆绑销售车位", "幸福里小区开发商要求买房必须同时购买车位，否则不卖房。"),
    ("投诉幸福里小区捆绑销售车位", "幸福里小区购房时被强制捆绑购买车位，十几万元。"),
    ("幸福里小区强制捆绑车位销售合法吗", "开发商强制捆绑销售车位，幸福里小区业主不同意。"),
]
OTHERS = [
    ("社保卡补办要求提供原单位证明", "原单位已经注销，窗口要求必须提供证明，无法办理。"),
    ("营业执照变更登记材料被退回三次", "每次去都说缺一样材料，没有一次性告知。"),
    ("孩子入学户籍证明开不出来", "派出所说不归他们管，学校说必须要派出所盖章。"),
    ("路灯坏了半年没人修", "青年路中段三盏路灯坏了半年，晚上很黑，多次反映无果。"),
]
_phones = iter(range(1000, 9999))


@pytest.fixture(autouse=True)
def _no_cached_clusters() -> None:
    """Clusters are cached by centre and period: ids repeat between tests."""
    from django.core.cache import cache

    cache.clear()


def register(centre: Any, clerk: User, title: str, body: str) -> Case:
    return case_register(
        actor=clerk,
        intake=Intake(
            centre=centre,
            channel="window",
            title=title,
            description=body,
            reporter=Reporter(name="反映人", phone=f"1380000{next(_phones):04d}"),
        ),
    )


@pytest.fixture
def taskforce_b(org: Org) -> User:
    return user_create(  # type: ignore[no-any-return]
        actor=None,
        username="taskforce_b",
        password=PASSWORD,
        role=Role.TASKFORCE,
        scope_centre=org.centre_b,
    )


@pytest.fixture
def cases(org: Org, people: Personas) -> dict[str, list[Case]]:
    clerk_b = people.clerk_b
    return {
        "parking": [register(org.centre_a, people.clerk_a, t, b) for t, b in PARKING],
        "others": [register(org.centre_a, people.clerk_a, t, b) for t, b in OTHERS],
        "b": [register(org.centre_b, clerk_b, t, b) for t, b in PARKING],
    }


def promote_data(org: Org, people: Personas, case_list: list[Case], **extra: Any) -> dict:
    return {
        "centre": org.centre_a.pk,
        "title": "幸福里小区捆绑销售车位",
        "owner_user": people.taskforce_a.pk,
        "owner_department": "",
        "proposal": "约谈开发商，住建部门出台车位销售规范。",
        "cases": [c.pk for c in case_list],
        **extra,
    }


def make_issue(org: Org, people: Personas, case_list: list[Case]) -> PolicyIssue:
    return actions.policy_issue_promote(
        actor=people.taskforce_a,
        centre=org.centre_a,
        title="幸福里小区捆绑销售车位",
        case_ids=[c.pk for c in case_list],
        owner_department=org.dept_y,
    )


# --- the recurring-problems page ------------------------------------------------------------
def test_the_task_force_sees_its_centres_clusters_with_titles_linking_to_the_cases(
    client_for: Any, people: Personas, cases: dict[str, list[Case]]
) -> None:
    response = client_for(people.taskforce_a).get(reverse("policy:problems"))
    assert response.status_code == 200
    html = response.content.decode()
    clusters = response.context["rows"]
    assert [sorted(c.pk for c in row.cases) for row in clusters] == [
        sorted(c.pk for c in cases["parking"])
    ]
    assert clusters[0].cluster.reporters == 3
    for case in cases["parking"]:
        assert reverse("cases:detail", args=[case.pk]) in html
    for case in cases["b"]:
        assert case.number not in html
    assert reverse("policy:problems") in html  # in the task force's navigation
    # The period's dates as a date input takes them (ISO), not the locale's 2026/10/30.
    assert re.search(r'name="start" value="\d{4}-\d{2}-\d{2}"', html)
    assert re.search(r'name="end" value="\d{4}-\d{2}-\d{2}"', html)


@pytest.mark.parametrize("role", ["clerk_a", "handler_x", "leader_x", "admin"])
def test_other_roles_get_404_on_every_page(
    client_for: Any, people: Personas, org: Org, cases: dict[str, list[Case]], role: str
) -> None:
    issue = make_issue(org, people, cases["parking"])
    client = client_for(getattr(people, role))
    for url in (
        reverse("policy:problems"),
        reverse("policy:issues"),
        f"{reverse('policy:promote')}?centre={org.centre_a.pk}",
        reverse("policy:issue", args=[issue.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert "policy/" not in client.get(reverse("core:home")).content.decode()


def test_another_centres_task_force_sees_nothing_of_centre_a(
    client_for: Any,
    people: Personas,
    org: Org,
    taskforce_b: User,
    cases: dict[str, list[Case]],
) -> None:
    issue = make_issue(org, people, cases["parking"])
    client = client_for(taskforce_b)
    response = client.get(reverse("policy:problems"), {"centre": org.centre_a.pk})
    assert response.context["chosen"]["centre"] == org.centre_b
    html = response.content.decode()
    assert all(case.number not in html for case in cases["parking"])
    assert all(case.number in html for case in cases["b"])
    assert client.get(reverse("policy:issue", args=[issue.pk])).status_code == 404
    assert issue.title not in client.get(reverse("policy:issues")).content.decode()
    promote = f"{reverse('policy:promote')}?centre={org.centre_a.pk}"
    assert client.get(promote).status_code == 404


@pytest.mark.parametrize("role", ["leader_a", "supervisor_a"])
def test_a_centre_s_leaders_read_the_problems_and_issues_but_do_not_act(
    client_for: Any, people: Personas, org: Org, cases: dict[str, list[Case]], role: str
) -> None:
    issue = make_issue(org, people, cases["parking"])
    client = client_for(getattr(people, role))
    problems = client.get(reverse("policy:problems"))
    assert problems.status_code == 200
    html = problems.content.decode()
    assert all(reverse("cases:detail", args=[c.pk]) in html for c in cases["parking"])
    assert 'data-testid="promote-link"' not in html
    assert 'href="/policy/"' in client.get(reverse("core:home")).content.decode()  # in the menu
    assert issue.title in client.get(reverse("policy:issues")).content.decode()
    page = client.get(reverse("policy:issue", args=[issue.pk])).content.decode()
    assert issue.title in page
    assert 'data-testid="issue-edit"' not in page
    assert 'data-testid="issue-move-' not in page
    # Acting stays the task force's.
    promote = f"{reverse('policy:promote')}?centre={org.centre_a.pk}"
    assert client.get(promote).status_code == 404
    move = reverse("policy:issue_move", args=[issue.pk, "start"])
    assert client.post(move, {"start-reason": ""}).status_code == 404
    issue.refresh_from_db()
    assert issue.state == IssueState.OPEN


def test_a_cluster_names_only_the_issues_its_reader_may_read(
    client_for: Any, people: Personas, org: Org, cases: dict[str, list[Case]]
) -> None:
    """An issue of another centre (a higher one's task force may track a lower centre's cases)
    is not named on the cluster's row for this centre's leaders."""
    issue = make_issue(org, people, cases["parking"])
    PolicyIssue.objects.filter(pk=issue.pk).update(centre=org.centre_b, title="乙区的专题")
    html = client_for(people.leader_a).get(reverse("policy:problems")).content.decode()
    assert all(reverse("cases:detail", args=[c.pk]) in html for c in cases["parking"])
    assert "乙区的专题" not in html
    assert 'data-testid="tracked-issue"' not in html


# --- promoting a cluster ----------------------------------------------------------------------
def test_promoting_a_cluster_creates_an_issue_with_its_cases_linked_and_an_event(
    client_for: Any, people: Personas, org: Org, cases: dict[str, list[Case]]
) -> None:
    client = client_for(people.taskforce_a)
    ids = ",".join(str(c.pk) for c in cases["parking"])
    form = client.get(reverse("policy:promote"), {"centre": org.centre_a.pk, "cases": ids})
    assert form.status_code == 200
    assert all(c.number in form.content.decode() for c in cases["parking"])

    response = client.post(reverse("policy:promote"), promote_data(org, people, cases["parking"]))
    issue = PolicyIssue.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("policy:issue", args=[issue.pk])
    assert issue.state == IssueState.OPEN
    assert issue.owner_user == people.taskforce_a
    assert issue.signature["terms"]
    assert set(issue.cases.values_list("pk", flat=True)) == {c.pk for c in cases["parking"]}
    assert set(issue.links.values_list("kind", flat=True)) == {LinkKind.CLUSTER}
    event = PolicyIssueEvent.objects.get(issue=issue)
    assert (event.kind, event.actor, event.payload) == ("promote", people.taskforce_a, {"cases": 3})
    page = client.get(reverse("policy:issue", args=[issue.pk])).content.decode()
    assert all(c.number in page for c in cases["parking"])
    # The cluster's row now says it is tracked, so that nobody promotes it a second time.
    problems = client.get(reverse("policy:problems")).content.decode()
    assert 'data-testid="tracked-issue"' in problems
    assert f"已跟踪：{issue.title}（待研究）" in problems


@pytest.mark.parametrize(
    "change",
    [
        {"title": "  "},
        {"owner_user": "foreign"},
        {"owner_user": "", "owner_department": ""},
        {"cases": "tampered"},
        {"cases": []},
    ],
)
def test_promoting_refuses_bad_input_and_creates_nothing(
    client_for: Any, people: Personas, org: Org, cases: dict[str, list[Case]], change: dict
) -> None:
    if change.get("owner_user") == "foreign":
        change = {"owner_user": people.clerk_b.pk}
    if change.get("cases") == "tampered":
        change = {"cases": [c.pk for c in cases["parking"]] + [cases["b"][0].pk]}
    data = promote_data(org, people, cases["parking"], **change)
    response = client_for(people.taskforce_a).post(reverse("policy:promote"), data)
    assert response.status_code == 400
    assert not PolicyIssue.objects.exists()
    assert not PolicyIssueCase.objects.exists()


def test_the_action_itself_refuses_a_foreign_case_or_owner(
    people: Personas, org: Org, cases: dict[str, list[Case]]
) -> None:
    from doudi.core.errors import DomainError

    with pytest.raises(DomainError):
        actions.policy_issue_promote(
            actor=people.taskforce_a,
            centre=org.centre_a,
            title="x",
            case_ids=[cases["b"][0].pk],
            owner_user=people.taskforce_a,
        )
    with pytest.raises(DomainError):
        actions.policy_issue_promote(
            actor=people.taskforce_a,
            centre=org.centre_a,
            title="x",
            case_ids=[cases["parking"][0].pk],
            owner_user=people.clerk_b,
        )
    with pytest.raises(DomainError):
        actions.policy_issue_promote(
            actor=people.clerk_a,
            centre=org.centre_a,
            title="x",
            case_ids=[cases["parking"][0].pk],
            owner_user=people.taskforce_a,
        )
    assert not PolicyIssue.objects.exists()


# --- moving an issue, and recurrences ---------------------------------------------------------
def test_an_issue_is_started_closed_with_a_reason_and_reopened_each_with_an_event(
    client_for: Any, people: Personas, org: Org, cases: dict[str, list[Case]]
) -> None:
    issue = make_issue(org, people, cases["parking"])
    client = client_for(people.taskforce_a)
    move = lambda name, reason="": client.post(  # noqa: E731
        reverse("policy:issue_move", args=[issue.pk, name]), {f"{name}-reason": reason}
    )
    move("start")
    move("close")  # no reason: refused
    issue.refresh_from_db()
    assert issue.state == IssueState.IN_PROGRESS
    move("close", "开发商已整改。")
    issue.refresh_from_db()
    assert (issue.state, issue.outcome) == (IssueState.CLOSED, "开发商已整改。")
    assert issue.closed_at is not None
    move("reopen", "又有反映")
    issue.refresh_from_db()
    assert (issue.state, issue.closed_at) == (IssueState.IN_PROGRESS, None)
    kinds = list(issue.events.values_list("kind", "from_state", "to_state"))
    assert kinds == [
        ("promote", "", "open"),
        ("start", "open", "in_progress"),
        ("close", "in_progress", "closed"),
        ("reopen", "closed", "in_progress"),
    ]
    assert client.post(reverse("policy:issue_move", args=[issue.pk, "bogus"])).status_code == 404
    # The page's log in words, not the codes above.
    html = client.get(reverse("policy:issue", args=[issue.pk])).content.decode()
    log = html[html.index('data-testid="issue-events"') :]
    assert "列为政策问题 → " in log
    assert "重新推进 → " in log
    assert "promote" not in log
    assert "in_progress" not in log


@pytest.fixture
def closed_issue(org: Org, people: Personas, cases: dict[str, list[Case]]) -> PolicyIssue:
    """The parking issue, promoted and closed by the task force."""
    issue = make_issue(org, people, cases["parking"])
    actions.policy_issue_close(actor=people.taskforce_a, issue_id=issue.pk, outcome="已整改")
    return issue


@pytest.mark.usefixtures("immediate_huey")
def test_a_case_matching_a_closed_issue_is_flagged_as_a_recurrence_and_the_issue_stays_closed(
    client_for: Any,
    people: Personas,
    org: Org,
    closed_issue: PolicyIssue,
    django_capture_on_commit_callbacks: Any,
) -> None:
    issue = closed_issue
    with django_capture_on_commit_callbacks(execute=True):
        later = register(
            org.centre_a1,  # a street centre under A: A's issue covers it
            people.clerk_a,
            "幸福里小区又在捆绑销售车位",
            "幸福里小区开发商又要求买房必须购买车位。",
        )
    issue.refresh_from_db()
    assert issue.state == IssueState.CLOSED
    assert issue.recurrences == 1
    link = PolicyIssueCase.objects.get(issue=issue, case=later)
    assert link.kind == LinkKind.RECURRENCE
    event = issue.events.get(kind="recurrence")
    assert event.actor is None
    assert event.payload["case"] == later.number

    panel = client_for(people.clerk_a).get(reverse("policy:case_panel", args=[later.pk]))
    assert "复发" in panel.content.decode()
    assert reverse("policy:issue", args=[issue.pk]) not in panel.content.decode()
    client = client_for(people.taskforce_a)
    panel = client.get(reverse("policy:case_panel", args=[later.pk])).content.decode()
    assert reverse("policy:issue", args=[issue.pk]) in panel
    page = client.get(reverse("policy:issue", args=[issue.pk])).content.decode()
    assert 'data-testid="recurrence-alert"' in page
    assert later.number in page
    listing = client.get(reverse("policy:issues")).content.decode()
    assert "复发 1" in listing


def test_a_case_unlike_the_closed_issue_or_elsewhere_is_not_flagged(
    client_for: Any,
    people: Personas,
    org: Org,
    cases: dict[str, list[Case]],
    immediate_huey: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    issue = make_issue(org, people, cases["parking"])
    open_issue_case = register(org.centre_a, people.clerk_a, *PARKING[0])  # issue still open
    actions.policy_issue_close(actor=people.taskforce_a, issue_id=issue.pk, outcome="已整改")
    with django_capture_on_commit_callbacks(execute=True):
        unlike = register(org.centre_a, people.clerk_a, "路灯又坏了", "青年路路灯又坏了。")
        other_centre = register(org.centre_b, people.clerk_b, *PARKING[1])
    assert not PolicyIssueCase.objects.filter(kind=LinkKind.RECURRENCE).exists()
    issue.refresh_from_db()
    assert issue.recurrences == 0
    for case, user in ((unlike, people.clerk_a), (open_issue_case, people.clerk_a)):
        panel = client_for(user).get(reverse("policy:case_panel", args=[case.pk]))
        assert "复发" not in panel.content.decode()
    assert (
        client_for(people.clerk_a)
        .get(reverse("policy:case_panel", args=[other_centre.pk]))
        .status_code
        == 404
    )


def test_an_issue_is_edited_and_a_case_linked_by_number_within_its_centre_only(
    client_for: Any, people: Personas, org: Org, cases: dict[str, list[Case]]
) -> None:
    issue = make_issue(org, people, cases["parking"][:2])
    client = client_for(people.taskforce_a)
    client.post(
        reverse("policy:issue_update", args=[issue.pk]),
        {"edit-title": "车位捆绑销售", "edit-owner_user": people.clerk_b.pk, "edit-proposal": ""},
    )
    issue.refresh_from_db()
    assert issue.title == "幸福里小区捆绑销售车位"  # a foreign owner: refused
    client.post(
        reverse("policy:issue_update", args=[issue.pk]),
        {"edit-title": "车位捆绑销售", "edit-owner_department": org.dept_x.pk},
    )
    issue.refresh_from_db()
    assert (issue.title, issue.owner_department) == ("车位捆绑销售", org.dept_x)
    link = reverse("policy:issue_link", args=[issue.pk])
    client.post(link, {"link-number": cases["b"][0].number})
    client.post(link, {"link-number": cases["parking"][2].number})
    assert set(issue.links.values_list("case_id", "kind")) == {
        (cases["parking"][0].pk, LinkKind.CLUSTER),
        (cases["parking"][1].pk, LinkKind.CLUSTER),
        (cases["parking"][2].pk, LinkKind.MANUAL),
    }
    assert list(issue.events.values_list("kind", flat=True)) == ["promote", "update", "link"]


def test_the_lists_take_a_fixed_number_of_queries(
    client_for: Any,
    people: Personas,
    org: Org,
    cases: dict[str, list[Case]],
    django_assert_max_num_queries: Any,
) -> None:
    for _ in range(3):
        make_issue(org, people, cases["parking"])
    client = client_for(people.taskforce_a)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("policy:issues")).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("policy:problems")).status_code == 200


def test_the_periodic_task_warms_the_page_which_recomputes_once_the_result_is_stale(
    client_for: Any, people: Personas, org: Org, cases: dict[str, list[Case]]
) -> None:
    import time_machine
    from django.utils import timezone

    from doudi.policy.tasks import warm_recurring_problems

    assert warm_recurring_problems.call_local() == 1  # centre A, where the task force works
    register(org.centre_a, people.clerk_a, *PARKING[0])
    client = client_for(people.taskforce_a)
    rows = client.get(reverse("policy:problems")).context["rows"]
    assert rows[0].cluster.size == 3  # the warmed result, fresh enough
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        rows = client.get(reverse("policy:problems")).context["rows"]
    assert rows[0].cluster.size == 4


@pytest.mark.usefixtures("immediate_huey")
def test_an_imported_open_case_matching_a_closed_issue_is_flagged_too(
    people: Personas, org: Org, closed_issue: PolicyIssue, django_capture_on_commit_callbacks: Any
) -> None:
    issue = closed_issue
    # Closed in the past, so that a transfer of a recent call comes in after it.
    PolicyIssue.objects.filter(pk=issue.pk).update(closed_at=at("2026-11-02 10:00"))
    rows = (
        "工单编号,标题,诉求内容,来电人,来电号码,来电时间,状态,处理结果,办结时间\n"
        "GD7,幸福里小区又在捆绑销售车位,幸福里小区开发商又要求买房必须购买车位。,"
        "孙大成,13800005678,2026/11/20 9:30:00,,,\n"
    )
    with django_capture_on_commit_callbacks(execute=True):
        job = import_request(
            actor=people.taskforce_a,
            name="12345.csv",
            data=rows.encode(),
            centre_id=org.centre_a.pk,
            source="12345",
            mode="all",
            enqueue=False,
        )
        assert import_run(job.pk).imported == 1
    imported = Case.objects.get(source_ref="12345:GD7")
    link = PolicyIssueCase.objects.get(issue=issue, case=imported)
    assert link.kind == LinkKind.RECURRENCE
