"""A process keeps the tokens it has checked for a few seconds (``DOUDI_TOKEN_CACHE_MS``):
the look-up was the largest read of an API request (docs/benchmarks.md). What changes in this
process is seen at once."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from doudi.api.access import live_tokens, token_for
from doudi.api.actions import token_create, token_revoke
from doudi.conftest import Org, Personas


@pytest.fixture(autouse=True)
def kept(settings: Any) -> Iterator[None]:
    settings.DOUDI_TOKEN_CACHE_SECONDS = 60
    live_tokens.clear()
    yield
    live_tokens.clear()


def test_a_checked_token_is_not_read_again(
    org: Org, people: Personas, django_assert_num_queries: Any
) -> None:
    new = token_create(actor=None, user=people.clerk_a, name="t")
    first = token_for(new.secret)
    assert first == new.token
    with django_assert_num_queries(0):
        assert token_for(new.secret) is first
        assert token_for(f" {new.secret} ") is first
    # A wrong secret with a known prefix is checked, and refused, every time.
    assert token_for(new.secret + "x") is None


def test_a_token_revoked_or_an_account_disabled_here_is_refused_at_once(
    org: Org, people: Personas, client: Client
) -> None:
    reader = token_create(actor=None, user=people.clerk_a, name="r")
    headers = {"Authorization": f"Bearer {reader.secret}"}
    assert client.get("/api/v1/cases", headers=headers).status_code == 200
    token_revoke(actor=None, prefix=reader.token.prefix)
    assert client.get("/api/v1/cases", headers=headers).status_code == 401

    other = token_create(actor=None, user=people.clerk_a, name="o")
    assert token_for(other.secret) == other.token
    people.clerk_a.is_active = False
    people.clerk_a.save(update_fields=["is_active"])
    assert token_for(other.secret) is None


def test_another_process_s_revocation_is_seen_when_the_seconds_are_up(
    org: Org, people: Personas, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from doudi.api.models import ApiToken
    from doudi.lib import ttlcache

    new = token_create(actor=None, user=people.clerk_a, name="t")
    now = [1000.0]
    monkeypatch.setattr(ttlcache.time, "monotonic", lambda: now[0])
    assert token_for(new.secret) == new.token
    # As `doudi token revoke` in another process: no signal reaches this one.
    ApiToken.objects.filter(pk=new.token.pk).update(revoked_at="2026-01-01T00:00Z")
    assert token_for(new.secret) == new.token
    now[0] += settings.DOUDI_TOKEN_CACHE_SECONDS + 0.1
    assert token_for(new.secret) is None
