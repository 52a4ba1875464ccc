"""The demo dates its cases back past the actions: its load indexes them again."""

from __future__ import annotations

from doudi.cases.models import Case
from doudi.core.actions import DemoResult
from doudi.search.models import CaseIndex, index_key
from doudi.search.selectors import search_cases


def test_demo_cases_are_indexed_with_their_final_numbers_and_dates(
    demo: DemoResult, db: None
) -> None:
    assert CaseIndex.objects.count() == Case.objects.count()
    oldest = Case.objects.order_by("registered_at", "pk").first()
    assert oldest is not None
    assert CaseIndex.objects.get(case=oldest).id == index_key(oldest.pk, oldest.registered_at)
    assert list(search_cases(Case.objects.all(), oldest.number)) == [oldest]
