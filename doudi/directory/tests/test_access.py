"""Scope through real URLs: inside one's scope a page shows, outside it is the same 404."""

from __future__ import annotations

import pytest
from django.test import Client

from doudi.conftest import Org, Personas


def urls_of(org: Org) -> dict[str, str]:
    return {
        "centre_a": f"/directory/centres/{org.centre_a.pk}/",
        "centre_a1": f"/directory/centres/{org.centre_a1.pk}/",
        "centre_b": f"/directory/centres/{org.centre_b.pk}/",
        "dept_x": f"/directory/departments/{org.dept_x.pk}/",
        "dept_x1": f"/directory/departments/{org.dept_x1.pk}/",
        "dept_y": f"/directory/departments/{org.dept_y.pk}/",
        "window_a_x": f"/directory/windows/{org.window_a_x.pk}/",
        "window_a1_x1": f"/directory/windows/{org.window_a1_x1.pk}/",
        "window_a_y": f"/directory/windows/{org.window_a_y.pk}/",
        "window_b_y": f"/directory/windows/{org.window_b_y.pk}/",
        "staff_a_x": f"/directory/staff/{org.staff_a_x.pk}/",
        "staff_b_y": f"/directory/staff/{org.staff_b_y.pk}/",
        "staff_x_backoffice": f"/directory/staff/{org.staff_x_backoffice.pk}/",
        "staff_y_backoffice": f"/directory/staff/{org.staff_y_backoffice.pk}/",
        "item_x": f"/directory/items/{org.item_x.pk}/",
        "item_x1": f"/directory/items/{org.item_x1.pk}/",
        "item_y": f"/directory/items/{org.item_y.pk}/",
    }


# The expected status of every (persona, object) cell. 200 = visible, 404 = out of scope.
V, N = 200, 404
MATRIX: dict[str, dict[str, int]] = {
    # A clerk of centre A: centre A's subtree (A, A1) with its windows and window staff;
    # every department and service item (cases are routed to them); nothing of centre B.
    "clerk_a": {
        "centre_a": V, "centre_a1": V, "centre_b": N,
        "dept_x": V, "dept_x1": V, "dept_y": V,
        "window_a_x": V, "window_a1_x1": V, "window_a_y": V, "window_b_y": N,
        "staff_a_x": V, "staff_b_y": N, "staff_x_backoffice": N, "staff_y_backoffice": N,
        "item_x": V, "item_x1": V, "item_y": V,
    },
    # A clerk of centre B sees centre B only.
    "clerk_b": {
        "centre_a": N, "centre_a1": N, "centre_b": V,
        "dept_x": V, "dept_x1": V, "dept_y": V,
        "window_a_x": N, "window_a1_x1": N, "window_a_y": N, "window_b_y": V,
        "staff_a_x": N, "staff_b_y": V, "staff_x_backoffice": N, "staff_y_backoffice": N,
        "item_x": V, "item_x1": V, "item_y": V,
    },
    # A handler of department X: X's subtree (X, X1), its windows, staff and items, and the
    # centres where X has windows; nothing of department Y.
    "handler_x": {
        "centre_a": V, "centre_a1": V, "centre_b": N,
        "dept_x": V, "dept_x1": V, "dept_y": N,
        "window_a_x": V, "window_a1_x1": V, "window_a_y": N, "window_b_y": N,
        "staff_a_x": V, "staff_b_y": N, "staff_x_backoffice": V, "staff_y_backoffice": N,
        "item_x": V, "item_x1": V, "item_y": N,
    },
    # A handler of department Y must see nothing of X.
    "handler_y": {
        "centre_a": V, "centre_a1": N, "centre_b": V,
        "dept_x": N, "dept_x1": N, "dept_y": V,
        "window_a_x": N, "window_a1_x1": N, "window_a_y": V, "window_b_y": V,
        "staff_a_x": N, "staff_b_y": V, "staff_x_backoffice": N, "staff_y_backoffice": V,
        "item_x": N, "item_x1": N, "item_y": V,
    },
    # A department leader of X sees what a handler of X sees.
    "leader_x": {
        "centre_a": V, "centre_a1": V, "centre_b": N,
        "dept_x": V, "dept_x1": V, "dept_y": N,
        "window_a_x": V, "window_a1_x1": V, "window_a_y": N, "window_b_y": N,
        "staff_a_x": V, "staff_b_y": N, "staff_x_backoffice": V, "staff_y_backoffice": N,
        "item_x": V, "item_x1": V, "item_y": N,
    },
    # The admin sees everything.
    "admin": dict.fromkeys(
        [
            "centre_a", "centre_a1", "centre_b", "dept_x", "dept_x1", "dept_y",
            "window_a_x", "window_a1_x1", "window_a_y", "window_b_y",
            "staff_a_x", "staff_b_y", "staff_x_backoffice", "staff_y_backoffice",
            "item_x", "item_x1", "item_y",
        ],
        V,
    ),
}  # fmt: skip


@pytest.mark.parametrize("persona", MATRIX)
def test_every_directory_page_answers_by_scope(
    client_for, org: Org, people: Personas, persona: str
) -> None:
    client = client_for(getattr(people, persona))
    urls = urls_of(org)
    assert set(MATRIX[persona]) == set(urls), "the matrix must cover every object"
    got = {name: client.get(url).status_code for name, url in urls.items()}
    assert got == MATRIX[persona]


def test_the_anonymous_visitor_gets_the_login_page_not_data(client: Client, org: Org) -> None:
    for url in urls_of(org).values():
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_an_unknown_object_is_the_same_404(client_for, people: Personas) -> None:
    assert client_for(people.admin).get("/directory/windows/999999/").status_code == 404


def test_lists_show_only_the_scope(client_for, org: Org, people: Personas) -> None:
    page = client_for(people.handler_y).get("/directory/list/staff/").content.decode()
    assert "李四" in page
    assert "赵六" in page
    assert "张三" not in page
    assert "王五" not in page


def test_the_search_box_returns_the_table_alone_to_htmx(client_for, people: Personas) -> None:
    response = client_for(people.clerk_a).get(
        "/directory/list/items/", {"q": "失业"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert "失业保险金申领" in html
    assert "个体工商户设立登记" not in html
    assert "<nav" not in html  # the partial, not the whole page


def test_an_unknown_listing_is_404(client_for, people: Personas) -> None:
    assert client_for(people.clerk_a).get("/directory/list/secrets/").status_code == 404
