from __future__ import annotations

from django.test import Client


def test_healthz_reports_database_and_queue(client: Client, db: None) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["database"]["vendor"] in {"sqlite", "postgresql"}
    assert body["queue"]["ok"] is True
    assert body["queue"]["backend"] in {"sqlite", "redis"}
    assert isinstance(body["queue"]["pending"], int)


def test_healthz_says_when_no_worker_has_been_seen(client: Client, db: None) -> None:
    from huey.contrib.djhuey import HUEY

    from doudi.core.tasks import HEARTBEAT_KEY

    HUEY.get(HEARTBEAT_KEY)  # consume any heartbeat left by a running worker
    body = client.get("/healthz").json()
    assert body["queue"]["worker_ok"] is False
    assert body["queue"]["worker_seen_seconds_ago"] is None


def test_the_heartbeat_task_makes_the_worker_visible(client: Client, db: None) -> None:
    from doudi.core.tasks import worker_heartbeat

    worker_heartbeat.call_local()
    body = client.get("/healthz").json()
    assert body["queue"]["worker_ok"] is True
