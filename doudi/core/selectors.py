"""Reads about the running system: database and queue health."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.db import connection
from huey.contrib.djhuey import HUEY

from doudi.core.tasks import HEARTBEAT_KEY


def database_health() -> dict[str, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "down"; the message says which
        return {"ok": False, "vendor": connection.vendor, "error": type(exc).__name__}
    return {"ok": True, "vendor": connection.vendor}


def queue_health() -> dict[str, Any]:
    backend = "redis" if type(HUEY).__name__.endswith("RedisHuey") else "sqlite"
    try:
        pending = HUEY.pending_count()
        beat = HUEY.get(HEARTBEAT_KEY, peek=True)
    except Exception as exc:  # storage unreachable
        return {"ok": False, "backend": backend, "error": type(exc).__name__}
    age = None
    if beat:
        age = int((datetime.now(UTC) - datetime.fromisoformat(beat)).total_seconds())
    return {
        "ok": True,
        "backend": backend,
        "pending": pending,
        # The worker writes a heartbeat every minute; older than 3 minutes means no worker.
        "worker_seen_seconds_ago": age,
        "worker_ok": age is not None and age < 180,
    }
