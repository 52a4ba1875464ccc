from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from doudi.conftest import Personas

HOME_TITLES = {
    "clerk_a": "受理工作台",
    "taskforce_a": "专班分拣台",
    "handler_x": "部门工作单",
    "supervisor_a": "督办工作台",
    "leader_a": "领导驾驶舱",
    "leader_x": "领导驾驶舱",
    "admin": "系统管理",
}


@pytest.mark.parametrize(("persona", "title"), HOME_TITLES.items())
def test_each_role_gets_its_chinese_home_page(
    client_for, people: Personas, persona: str, title: str
) -> None:
    user = getattr(people, persona)
    response = client_for(user).get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-testid="home-title">{title}<' in html
    assert user.role_label in html
    assert 'lang="zh-hans"' in html


def test_the_anonymous_visitor_is_sent_to_the_login_page(client: Client, db: None) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_navigation_follows_capabilities(client_for, people: Personas) -> None:
    clerk_page = client_for(people.clerk_a).get("/").content.decode()
    assert "/directory/" in clerk_page
    assert "/admin/" not in clerk_page
    admin_page = client_for(people.admin).get("/").content.decode()
    assert "/admin/" in admin_page


def test_navigation_groups_related_pages_into_menus(client_for, people: Personas) -> None:
    entries = client_for(people.taskforce_a).get("/").context["nav_items"]
    labels = [str(entry["label"]) for entry in entries]
    assert labels == [
        *("工作台", "登记", "分拣派单", "工作单", "案件"),
        *("监督评价", "统计分析", "组织机构"),
    ]
    supervision = entries[labels.index("监督评价")]
    # Return visits are the supervisors' work, not the task force's.
    assert [link["url"] for link in supervision["links"]] == [
        "/workorders/supervision/",
        "/feedback/ratings/",
        "/accountability/",
    ]
    # The admin may also manage the system: the directory and the admin site are one menu.
    admin_entries = client_for(people.admin).get("/").context["nav_items"]
    management = next(e for e in admin_entries if str(e["label"]) == "管理")
    assert [link["url"] for link in management["links"]] == ["/directory/", "/admin/"]


def test_the_menu_holding_the_current_page_is_marked_active(client_for, people: Personas) -> None:
    entries = client_for(people.taskforce_a).get("/feedback/ratings/").context["nav_items"]
    active = [str(entry["label"]) for entry in entries if entry["active"]]
    assert active == ["监督评价"]


def test_the_leader_home_embeds_chart_data_of_their_scope(client_for, people: Personas) -> None:
    response = client_for(people.leader_x).get("/")
    data = response.context["summary"]["items_by_department"]
    # Department X's subtree holds X and X-1, one item each; Y is outside the scope.
    assert sorted(row["name"] for row in data) == ["区人社局", "区社保中心"]
    assert 'id="items-data"' in response.content.decode()


def test_the_admin_home_counts_users(client_for, people: Personas) -> None:
    response = client_for(people.admin).get("/")
    assert response.context["users"] == 9


@pytest.mark.parametrize(
    "persona", ["clerk_a", "taskforce_a", "handler_x", "supervisor_a", "leader_a", "admin"]
)
def test_the_home_page_does_a_bounded_number_of_queries(
    client_for, org, people: Personas, persona: str
) -> None:
    from doudi.cases.actions import Intake, case_register

    client = client_for(getattr(people, persona))
    with CaptureQueriesContext(connection) as empty:
        client.get("/")
    for n in range(5):
        intake = Intake(centre=org.centre_a, channel="window", title=f"案件{n}", description="经过")
        case_register(actor=people.clerk_a, intake=intake)
    with CaptureQueriesContext(connection) as full:
        client.get("/")
    assert len(full) == len(empty)  # no query per case
    assert len(full) <= 20  # the leader's: cases, three rates (two queries each), overdue


def test_english_is_available(client_for, people: Personas) -> None:
    client = client_for(people.clerk_a)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/").content.decode()
    assert 'lang="en"' in html
    assert "Intake desk" in html
