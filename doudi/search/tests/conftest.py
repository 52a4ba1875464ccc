from __future__ import annotations

from collections.abc import Iterator

import pytest

from doudi.search import selectors


@pytest.fixture(autouse=True)
def _fresh_term_shares() -> Iterator[None]:
    """Similar cases keep the terms' shares of the cases: each test starts without them."""
    selectors._shares.clear()
    yield
    selectors._shares.clear()
