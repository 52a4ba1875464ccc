"""The roll-up on the whole demo district: every figure and chart the same as counting rows,
for every reader and filter, and a rebuild gives the rows the actions kept."""

from __future__ import annotations

from datetime import timedelta
from unittest.mock import patch

from django.utils import timezone

from doudi.accounts.models import User
from doudi.analytics import rollup, selectors
from doudi.analytics.selectors import Filters, rollup_scope
from doudi.cases.models import Channel
from doudi.core.actions import DemoResult
from doudi.directory.models import Centre, Department
from doudi.lib.periods import Period
from doudi.triage.models import Cause

from .test_rollup import _assert_same, _table


def test_the_demo_district_reads_the_same_from_the_roll_up(demo: DemoResult, db: None) -> None:
    today = timezone.localdate()
    periods = [
        Period(today - timedelta(days=45), today + timedelta(days=1)),
        Period(today - timedelta(days=6), today + timedelta(days=1)),
    ]
    users = [
        u for u in User.objects.filter(is_active=True).order_by("username")
        if rollup_scope(u, Filters(period=periods[0])) is not None
    ]  # fmt: skip
    assert len(users) >= 4
    department = Department.objects.filter(work_orders__isnull=False).order_by("pk").first()
    centre = Centre.objects.exclude(parent=None).order_by("pk").first()
    cause = Cause.objects.filter(children__isnull=False).order_by("pk").first()
    for user in users:
        for period in periods:
            for filters in (
                Filters(period=period),
                Filters(period=period, department=department),
                Filters(period=period, centre=centre),
                Filters(period=period, channel=Channel.WINDOW),
                Filters(period=period, cause=cause),
            ):
                _assert_same(user, filters)
        from_rollup = selectors.breakdowns(user, Filters(period=periods[0]))
        with patch.object(selectors, "rollup_scope", return_value=None):
            assert from_rollup == selectors.breakdowns(user, Filters(period=periods[0]))
    rollup.apply_marks()
    kept = _table()
    rollup.rebuild()
    assert _table() == kept
