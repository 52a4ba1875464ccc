"""Schemathesis against the OpenAPI description: generated requests to every operation, with a
bounded number of examples, find no server error, and every answer fits its documented shape."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from doudi.api.actions import integration_token_create, token_create
from doudi.conftest import Org, Personas
from doudi.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Iterator[None]:
    """Requests go straight to the WSGI application, whose end-of-request handler would close
    the test's database connection (Django's test client unhooks it the same way)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(org: Org, people: Personas) -> list[str]:
    return [
        integration_token_create(actor=None, name="fuzz", centre=org.centre_a).secret,
        token_create(actor=None, user=people.leader_a, name="leader").secret,
    ]


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,  # the same examples on every run: CI cannot pass or fail by luck
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_generated_request_breaks_the_api(case: Any, tokens: list[str]) -> None:
    for token in tokens:
        case.call_and_validate(
            headers={"Authorization": f"Bearer {token}"}, checks=[not_a_server_error]
        )
