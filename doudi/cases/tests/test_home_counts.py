"""The home pages' cards (``home_counts``): today is the centre's local day, and only open
cases and today's are counted."""

from __future__ import annotations

from typing import Any

import time_machine

from doudi.cases.models import Case
from doudi.cases.selectors import home_counts
from doudi.cases.workflow import State
from doudi.conftest import Personas, at


def test_the_cards_count_todays_and_open_cases_by_the_local_day(
    make_case: Any, people: Personas
) -> None:
    def case(registered: str, state: str) -> None:
        made = make_case()
        Case.objects.filter(pk=made.pk).update(registered_at=at(registered), state=state)

    case("2026-11-20 00:10", State.REGISTERED)  # today, open
    case("2026-11-20 00:20", State.RESOLVED_ON_SPOT)  # today, resolved at the window
    # Ten minutes before local midnight: yesterday here, though the same day in UTC.
    case("2026-11-19 23:50", State.TRIAGE)
    case("2026-11-02 09:00", State.CLOSED)  # neither open nor today's
    case("2026-11-03 09:00", State.ANSWERED)  # open, answered
    with time_machine.travel(at("2026-11-20 00:30"), tick=False):
        counts = home_counts(people.clerk_a)
    assert counts == {
        "today": 2,
        "resolved_today": 1,
        "triage": 1,
        "review": 0,
        "answered": 1,
        "mine_open": 3,
        "open": 3,
    }
    assert home_counts(people.handler_y)["open"] == 0  # another department's scope
