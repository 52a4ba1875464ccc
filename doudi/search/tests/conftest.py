"""Term counts are written just after the case's transaction commits: tests that read them run
the commit callbacks of the action they make (pytest-django captures them)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

import pytest


@pytest.fixture
def committed(django_capture_on_commit_callbacks) -> Callable[[], AbstractContextManager[object]]:  # type: ignore[no-untyped-def]
    return lambda: django_capture_on_commit_callbacks(execute=True)
