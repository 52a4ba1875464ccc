from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.test import override_settings

from doudi.core.tests.matrix import World, build_world


@pytest.fixture(scope="module")
def matrix_world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """The access matrix's world (``matrix.build_world``), built once for a test module in a
    transaction rolled back after it (as ``demo`` is); each test runs in a savepoint within it.

    Sessions are kept in signed cookies meanwhile, not in rows: no session row is read and
    written on each of the thousands of requests (access does not depend on where a session is
    kept, and what a request changes in one goes with that request's client)."""
    cookies = override_settings(SESSION_ENGINE="django.contrib.sessions.backends.signed_cookies")
    with cookies, django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)
