"""A process keeps the centres and service items it looked up by code for a few seconds
(``DOUDI_DIRECTORY_CACHE_MS``): every registration looks up both. A change saved in this
process is seen at once."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from doudi.conftest import Org, Personas
from doudi.directory.models import ServiceItem
from doudi.directory.selectors import active_centre, active_service_item, directory_cache_clear


@pytest.fixture(autouse=True)
def kept(settings: Any) -> Iterator[None]:
    settings.DOUDI_DIRECTORY_CACHE_SECONDS = 60
    directory_cache_clear()
    yield
    directory_cache_clear()


def test_an_item_looked_up_is_kept_until_it_changes(
    org: Org, django_assert_num_queries: Any
) -> None:
    item = active_service_item("X-0001")
    assert item == org.item_x
    with django_assert_num_queries(0):
        assert active_service_item("X-0001") is item
    assert active_service_item("NOPE") is None
    org.item_x.is_active = False
    org.item_x.save(update_fields=["is_active"])
    assert active_service_item("X-0001") is None
    ServiceItem.objects.create(code="NOPE", name="新事项", department=org.item_x.department)
    assert active_service_item("NOPE") is not None  # "none" was not kept


def test_a_centre_is_found_only_within_the_reader_s_scope(
    org: Org, people: Personas, django_assert_num_queries: Any
) -> None:
    assert active_centre(people.clerk_a, "A") == org.centre_a
    with django_assert_num_queries(0):
        assert active_centre(people.clerk_a, "A") == org.centre_a
    # Kept per reader: another district's clerk does not get it from the first one's look-up.
    assert active_centre(people.clerk_b, "A") is None
    org.centre_a.is_active = False
    org.centre_a.save(update_fields=["is_active"])
    assert active_centre(people.clerk_a, "A") is None
