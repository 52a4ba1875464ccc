"""Metrics and the directory through the JSON API, within the token's account scope."""

from __future__ import annotations

from typing import Any

from django.test import Client

from doudi.analytics.forms import FilterForm
from doudi.analytics.selectors import metrics
from doudi.api.actions import token_create
from doudi.conftest import Org, Personas
from doudi.directory.selectors import visible_centres, visible_departments


def get(client: Client, token: str, path: str, **params: Any) -> Any:
    return client.get(path, params, headers={"Authorization": f"Bearer {token}"})


def test_the_metrics_are_the_dashboard_s(answered, people: Personas, client: Client) -> None:
    token = token_create(actor=None, user=people.leader_a, name="大屏").secret
    found = get(
        client, token, "/api/v1/metrics", preset="custom", start="2026-02-01", end="2026-02-28"
    )
    assert found.status_code == 200, found.content
    body = found.json()
    form = FilterForm(
        {"preset": "custom", "start": "2026-02-01", "end": "2026-02-28"},
        centres=visible_centres(people.leader_a),
        departments=visible_departments(people.leader_a),
    )
    assert form.is_valid()
    expected = metrics(people.leader_a, form.filters())
    assert body["start"] == "2026-02-01"
    assert body["metrics"]["received"]["value"] == expected["received"].value == 1
    assert set(body["metrics"]) == set(expected)
    # A centre named by code; another district's centre is refused as invalid input.
    by_code = get(client, token, "/api/v1/metrics", centre="A")
    assert by_code.status_code == 200
    refused = get(client, token, "/api/v1/metrics", centre="B")
    assert (refused.status_code, list(refused.json()["fields"])) == (422, ["centre"])
    clerk = token_create(actor=None, user=people.clerk_a, name="窗口").secret
    assert get(client, clerk, "/api/v1/metrics").json()["code"] == "forbidden"


def test_the_directory_is_read_within_scope(org: Org, people: Personas, client: Client) -> None:
    token = token_create(actor=None, user=people.clerk_a, name="窗口").secret
    centres = get(client, token, "/api/v1/directory/centres").json()
    assert [c["code"] for c in centres] == ["A", "A-1"]
    assert centres[1]["parent"] == "A"
    windows = {w["code"] for w in get(client, token, "/api/v1/directory/windows").json()}
    assert "B-01" not in windows
    assert "A-01" in windows
    items = get(client, token, "/api/v1/directory/service-items").json()
    assert {"code": "X-0001", "name": "失业保险金申领", "department": "X"} in items
    departments = get(client, token, "/api/v1/directory/departments").json()
    assert {"code": "X-1", "name": "区社保中心", "parent": "X"} in departments
    assert client.get("/api/v1/directory/centres").status_code == 401
