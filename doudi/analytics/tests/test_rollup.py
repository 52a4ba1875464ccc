"""The roll-up answers every figure exactly as the rows do, for every scope and filter."""

from __future__ import annotations

from datetime import date
from unittest.mock import patch

import pytest
import time_machine

from doudi.accounts.models import User
from doudi.analytics import rollup, selectors
from doudi.analytics.models import CaseDepartment, DailyFigure, DirtySource
from doudi.analytics.selectors import Filters, live_metrics, metrics
from doudi.cases.models import Case
from doudi.conftest import Org, Personas, at
from doudi.feedback.actions import rating_move
from doudi.feedback.models import Rating
from doudi.lib.periods import Period
from doudi.triage.models import Cause

from .test_metrics import MARCH, march  # noqa: F401  (the hand-made month)


def _table() -> set[tuple[object, ...]]:
    """The roll-up's non-empty rows."""
    fields = [f.name for f in DailyFigure._meta.fields if f.name != "id"]
    counters = fields[5:]
    return {
        row
        for row in DailyFigure.objects.values_list(*fields)
        if any(row[5 + i] for i in range(len(counters)))
    }


def _concerned() -> set[tuple[int, int]]:
    return set(CaseDepartment.objects.values_list("case_id", "department"))


def _assert_same(user: User, filters: Filters) -> None:
    assert metrics(user, filters) == live_metrics(user, filters), (user.username, filters)


def test_the_hand_made_month_reads_the_same_from_the_roll_up(
    march: dict[str, Case],  # noqa: F811
    people: Personas,
    org: Org,
    general_cause: Cause,
) -> None:
    with time_machine.travel(at("2026-04-01 09:00"), tick=False):
        for user in (people.leader_a, people.leader_x, people.admin, people.taskforce_a):
            for filters in (
                Filters(period=MARCH),
                Filters(period=MARCH, department=org.dept_x),
                Filters(period=MARCH, department=org.dept_y),
                Filters(period=MARCH, centre=org.centre_a),
                Filters(period=MARCH, centre=org.centre_b),
                Filters(period=MARCH, channel="window"),
                Filters(period=MARCH, cause=general_cause),
                Filters(period=Period(date(2026, 3, 5), date(2026, 3, 6))),
            ):
                _assert_same(user, filters)


def test_an_excluded_rating_leaves_the_roll_up_as_it_leaves_the_rows(
    march: dict[str, Case],  # noqa: F811
    people: Personas,
) -> None:
    bad = Rating.objects.get(rectification=march["c5"])
    with time_machine.travel(at("2026-03-06 15:00"), tick=False):
        rating_move(actor=people.taskforce_a, rating_id=bad.pk, move_name="exclude", reason="误评")
    assert DirtySource.objects.exists()  # the action marked it; the next read applies it
    with time_machine.travel(at("2026-04-01 09:00"), tick=False):
        figures = metrics(people.leader_a, Filters(period=MARCH))
        assert figures == live_metrics(people.leader_a, Filters(period=MARCH))
    assert figures["satisfied_rate"].denominator == 3
    assert not DirtySource.objects.exists()


def test_rebuilding_gives_the_rows_the_actions_kept(
    march: dict[str, Case],  # noqa: F811
    org: Org,
) -> None:
    rollup.apply_marks()
    kept, concerned = _table(), _concerned()
    assert kept  # the month's actions wrote rows
    assert (march["c3"].pk, org.dept_y.pk) in concerned  # C3 was sent to Y
    rollup.rebuild()
    assert (_table(), _concerned()) == (kept, concerned)
    rollup.rebuild_departments()
    assert _concerned() == concerned


@pytest.mark.django_db
def test_the_charts_read_the_same_from_the_roll_up(
    march: dict[str, Case],  # noqa: F811
    people: Personas,
    org: Org,
) -> None:
    with time_machine.travel(at("2026-04-01 09:00"), tick=False):
        for user in (people.leader_a, people.leader_x, people.admin):
            for filters in (Filters(period=MARCH), Filters(period=MARCH, channel="window")):
                from_rollup = selectors.breakdowns(user, filters)
                with patch.object(selectors, "rollup_scope", return_value=None):
                    from_rows = selectors.breakdowns(user, filters)
                assert from_rollup == from_rows, user.username
    assert from_rollup.trend["received"][1] == 1  # C1, registered on 03-02
