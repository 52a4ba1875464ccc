"""Return visits and ratings through the JSON API: a supervisor's visit, a rating passed on by
another system (idempotent, a 差评 opens its rectification), verifying it; scope."""

from __future__ import annotations

from typing import Any

import time_machine
from django.test import Client

from doudi.api.actions import integration_token_create, token_create
from doudi.cases.models import Case
from doudi.cases.workflow import State
from doudi.conftest import Org, Personas, at
from doudi.feedback.models import Rating, ReturnVisit


def call(
    client: Client, token: str, path: str, data: dict[str, Any] | None = None, **headers: str
) -> Any:
    headers = {"Authorization": f"Bearer {token}", **headers}
    if data is None:
        return client.get(path, headers=headers)
    return client.post(path, data, content_type="application/json", headers=headers)


def test_a_supervisor_visits_and_concludes(answered, people: Personas, client: Client) -> None:
    visit = ReturnVisit.objects.get(case=answered)
    token = token_create(actor=None, user=people.supervisor_a, name="回访系统").secret
    listed = call(client, token, "/api/v1/return-visits?open=true").json()
    assert [v["id"] for v in listed["items"]] == [visit.pk]
    assert listed["items"][0]["case_number"] == answered.number
    with time_machine.travel(at("2026-02-25 10:00"), tick=False):
        tried = call(
            client, token, f"/api/v1/return-visits/{visit.pk}/attempts", {"reached": False}
        )
        assert (tried.status_code, tried.json()["attempts"]) == (200, 1)
        done = call(
            client,
            token,
            f"/api/v1/return-visits/{visit.pk}/conclude",
            {"solved": True, "level": 5, "comment": "办好了"},
        )
    assert done.status_code == 200
    assert (done.json()["outcome"], done.json()["level"]) == ("closed", 5)
    answered.refresh_from_db()
    assert answered.state == State.CLOSED
    path = f"/api/v1/return-visits/{visit.pk}/conclude"
    again = call(client, token, path, {"solved": True, "level": 5})
    assert (again.status_code, again.json()["code"]) == (409, "invalid_move")
    assert call(client, token, "/api/v1/return-visits?open=true").json()["items"] == []


def test_visits_need_the_scope_and_the_role(answered, people: Personas, client: Client) -> None:
    visit = ReturnVisit.objects.get(case=answered)
    leader = token_create(actor=None, user=people.leader_a, name="领导").secret
    assert call(client, leader, f"/api/v1/return-visits/{visit.pk}").status_code == 200
    refused = call(client, leader, f"/api/v1/return-visits/{visit.pk}/conclude",
                   {"solved": True, "level": 5})  # fmt: skip
    assert refused.status_code == 404  # a leader does not visit
    other = token_create(actor=None, user=people.handler_y, name="乙").secret
    assert call(client, other, f"/api/v1/return-visits/{visit.pk}").status_code == 404
    assert call(client, other, "/api/v1/return-visits").json()["items"] == []
    bad = call(client, leader, f"/api/v1/return-visits/{visit.pk}/conclude", {"level": 9})
    assert bad.status_code == 422
    assert set(bad.json()["fields"]) == {"solved", "level"}


def test_another_system_passes_on_a_rating(org: Org, people: Personas, client: Client) -> None:
    token = integration_token_create(actor=None, name="好差评平台", centre=org.centre_a).secret
    body = {"window": org.window_a_x.code, "level": 1, "comment": "态度差", "attitude": 1}
    first = call(client, token, "/api/v1/ratings", body, **{"Idempotency-Key": "HCP-1"})
    assert first.status_code == 201
    rating = Rating.objects.get()
    assert first.json()["id"] == rating.pk
    assert first.json()["rectification_case"] == rating.rectification.number  # a 差评
    retry = call(client, token, "/api/v1/ratings", body, **{"Idempotency-Key": "HCP-1"})
    assert (retry.status_code, retry.json()["id"]) == (201, rating.pk)
    assert retry.headers["Idempotent-Replayed"] == "true"
    reused = call(
        client, token, "/api/v1/ratings", {**body, "level": 5}, **{"Idempotency-Key": "HCP-1"}
    )
    assert (reused.status_code, reused.json()["code"]) == (422, "idempotency_key_reused")
    assert Rating.objects.count() == 1
    elsewhere = call(client, token, "/api/v1/ratings", {**body, "window": org.window_b_y.code})
    assert (elsewhere.status_code, elsewhere.json()["fields"]) == (
        422,
        {"window": ["找不到该窗口。"]},
    )
    assert call(client, token, "/api/v1/ratings").json()["code"] == "forbidden_scope"


def test_the_task_force_verifies_a_bad_rating(org: Org, people: Personas, client: Client) -> None:
    token = token_create(actor=None, user=people.taskforce_a, name="专班").secret
    rating = {"window": org.window_a_x.code, "level": 2}
    # Staff do not rate windows: the rating comes in through another system's token.
    refused = call(client, token, "/api/v1/ratings", rating)
    assert (refused.status_code, refused.json()["code"]) == (403, "forbidden")
    system = integration_token_create(actor=None, name="好差评平台", centre=org.centre_a).secret
    made = call(client, system, "/api/v1/ratings", rating)
    rating_id = made.json()["id"]
    listed = call(client, token, "/api/v1/ratings?bad=true").json()["items"]
    assert [(r["id"], r["state"]) for r in listed] == [(rating_id, "to_verify")]
    verified = call(client, token, f"/api/v1/ratings/{rating_id}/moves/verify", {})
    assert (verified.status_code, verified.json()["state"]) == (200, "confirmed")
    again = call(client, token, f"/api/v1/ratings/{rating_id}/moves/verify", {})
    assert again.status_code == 409
    handler_b = token_create(actor=None, user=people.clerk_b, name="乙区").secret
    assert call(client, handler_b, f"/api/v1/ratings/{rating_id}").status_code == 404
    assert Case.objects.filter(pk=Rating.objects.get().rectification_id).exists()
