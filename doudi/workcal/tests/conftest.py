from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from doudi.workcal.signals import calendar_year_imported

DOC = Path(settings.PROJECT_DIR) / "docs" / "calendar-import.md"


def doc_example(language: str) -> bytes:
    """The full 2027 example of docs/calendar-import.md, as an admin would save it."""
    blocks = re.findall(rf"```{language}\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert len(blocks) == 1
    return blocks[0].encode()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    # The personas' passwords are hashed on every test; Argon2 would take seconds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def example_csv() -> bytes:
    return doc_example("csv")


@pytest.fixture
def example_json() -> bytes:
    return doc_example("json")


@pytest.fixture
def announced() -> Iterator[list[int]]:
    """The years ``calendar_year_imported`` was sent for, in order."""
    years: list[int] = []

    def receiver(sender: object, *, year: int, **kwargs: object) -> None:
        years.append(year)

    calendar_year_imported.connect(receiver, dispatch_uid="workcal-test-receiver")
    yield years
    calendar_year_imported.disconnect(dispatch_uid="workcal-test-receiver")
