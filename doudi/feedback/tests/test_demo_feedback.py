"""The demo's ratings, return visits and findings, made through the actions."""

from __future__ import annotations

from doudi.accountability.models import Finding
from doudi.cases.models import Case
from doudi.core.actions import DemoResult, demo_load
from doudi.deadlines.models import Clock
from doudi.feedback.models import Rating, ReturnVisit


def test_the_demo_closes_the_loop(demo: DemoResult, db: None) -> None:
    states = set(Rating.objects.values_list("state", flat=True))
    assert states == {"valid", "to_verify", "confirmed", "appealed"}
    outcomes = set(ReturnVisit.objects.values_list("outcome", flat=True))
    assert outcomes == {"", "closed", "reopened", "unreachable"}
    for case in Case.objects.filter(channel="bad_review"):
        assert case.state == "triage"
        kinds = set(Clock.objects.filter(case=case).values_list("kind", flat=True))
        assert kinds == {"verify", "fix"}
    assert Case.objects.filter(reopen_count=1, state="triage").count() == 2
    assert Finding.objects.filter(state="recorded").exists()
    # Loading again adds nothing.
    before = (Rating.objects.count(), ReturnVisit.objects.count(), Finding.objects.count())
    demo_load()
    assert (Rating.objects.count(), ReturnVisit.objects.count(), Finding.objects.count()) == before
