"""The benchmarks' generator (bench/bigdata.py) writes histories the actions could have written:
the roll-up rebuilt over them reads the same figures as counting the rows, and the history has
what the figures count (disputes, reworks, extensions, 差评 rectifications)."""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path
from unittest.mock import patch

from django.utils import timezone

from doudi.accounts.models import User
from doudi.analytics import rollup, selectors
from doudi.analytics.selectors import Filters, live_metrics, metrics
from doudi.cases.models import Case
from doudi.core.actions import DemoResult
from doudi.deadlines.models import Clock
from doudi.feedback.models import Rating
from doudi.lib.periods import Period
from doudi.workorders.models import Extension, WorkOrder, WorkOrderEvent

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bench"))
from bigdata import generate


def test_a_generated_history_reads_the_same_from_the_roll_up(demo: DemoResult, db: None) -> None:
    generate(3000, seed=7, log=lambda _: None)
    rollup.rebuild()
    assert Case.objects.count() >= 3000
    rectified = Rating.objects.filter(rectification__isnull=False)
    assert rectified.exists()
    assert not rectified.exclude(rectification__channel="bad_review").exists()
    assert Clock.objects.filter(kind="fix", state="met").exists()
    assert WorkOrderEvent.objects.filter(kind="dispute").count() >= 10
    assert WorkOrder.objects.filter(state="reassigned", reassigned_to__isnull=False).exists()
    assert WorkOrder.objects.filter(rework_count=1).exists()
    assert Extension.objects.filter(decision="approved").exists()
    today = timezone.localdate()
    periods = [
        Period(today - timedelta(days=3 * 366), today + timedelta(days=1)),
        Period(today - timedelta(days=60), today + timedelta(days=1)),
    ]
    for username in ("leader", "leader_rs"):
        user = User.objects.get(username=username)
        for period in periods:
            filters = Filters(period=period)
            assert metrics(user, filters) == live_metrics(user, filters), (username, period)
            from_rollup = selectors.breakdowns(user, filters)
            with patch.object(selectors, "rollup_scope", return_value=None):
                assert from_rollup == selectors.breakdowns(user, filters), (username, period)
    # Every rate has cases behind it over the three years.
    figures = metrics(User.objects.get(username="leader"), Filters(period=periods[0]))
    for key in ("dispute_rate", "reopen_rate", "bad_review_fixed_rate", "on_time_rate"):
        assert figures[key].numerator > 0, key
