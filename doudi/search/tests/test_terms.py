"""Each term's number of cases (``Term``), which similar cases read: counted by a rebuild and
kept in step by the index's writes, just after the case's transaction (queued, then written
together)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from django.core.management import call_command

from doudi.cases.actions import Intake, Reporter, case_register, case_resolve_on_spot
from doudi.cases.models import Case
from doudi.conftest import Org, Personas
from doudi.search import actions
from doudi.search.models import CaseIndex, Term


@pytest.fixture
def make_case(org: Org, people: Personas, committed):  # type: ignore[no-untyped-def]
    def make(title: str, description: str = "") -> Case:
        intake = Intake(
            centre=org.centre_a,
            channel="window",
            title=title,
            description=description,
            reporter=Reporter(name="李四", phone="13912345678"),
            service_item=org.item_x,
        )
        with committed():  # the terms are counted once the registration commits
            return case_register(actor=people.clerk_a, intake=intake)

    return make


def _from_index() -> dict[str, int]:
    counts: Counter[str] = Counter()
    for tokens in CaseIndex.objects.values_list("tokens", flat=True):
        counts.update(tokens.split())
    return dict(counts)


def _stored() -> dict[str, int]:
    return dict(Term.objects.filter(docs__gt=0).values_list("term", "docs"))


def test_every_write_of_the_index_counts_its_terms(
    make_case: Any, people: Personas, committed: Any
) -> None:
    first = make_case("户口迁入被要求产权证明", "租房户口迁入办不了")
    make_case("户口迁出要单位介绍信")
    assert _stored() == _from_index()
    assert Term.objects.get(term="户口").docs == 2
    # An outcome adds its terms once; a case's text that changes takes its old terms away.
    with committed():
        case_resolve_on_spot(actor=people.clerk_a, case_id=first.pk, result="以租赁合同受理")
    assert Term.objects.get(term="租赁").docs == 1
    first.refresh_from_db()
    first.title = "社保断缴"
    with committed():
        first.save()
    assert _stored() == _from_index()
    assert "产权" not in _stored()  # the old title's
    assert Term.objects.get(term="迁入").docs == 1  # still in the description


def test_the_rebuild_counts_every_term_again(make_case: Any) -> None:
    make_case("营业执照遗失补领", "营业执照遗失补领，被要求先登报声明。")
    Term.objects.all().delete()
    Case.objects.update(description="公积金提取被拒")  # past the index
    call_command("search", "rebuild", stdout=None)
    assert _stored() == _from_index()
    assert "公积" in _stored()


def test_a_rebuild_in_the_registrations_transaction_counts_them_once(
    org: Org, people: Personas, committed: Any
) -> None:
    # As the demo does: cases, then a rebuild, then one more case, all in one transaction.
    def register(title: str) -> None:
        intake = Intake(
            centre=org.centre_a, channel="window", title=title, description="",
            reporter=Reporter(name="李四", phone="13912345678"), service_item=org.item_x,
        )  # fmt: skip
        case_register(actor=people.clerk_a, intake=intake)

    with committed():
        register("营业执照遗失补领")
        actions.search_rebuild()
        register("营业执照变更")
    assert _stored() == _from_index()
    assert Term.objects.get(term="营业").docs == 2


def test_common_terms_are_left_as_the_rebuild_counted_them(make_case: Any) -> None:
    make_case("社保断缴")
    Term.objects.filter(term="社保").update(docs=actions.COUNTED_BELOW)
    Term.objects.filter(term="断缴").update(docs=actions.COUNTED_BELOW - 1)
    make_case("社保断缴补缴")
    assert Term.objects.get(term="社保").docs == actions.COUNTED_BELOW  # not written
    assert Term.objects.get(term="断缴").docs == actions.COUNTED_BELOW
    assert Term.objects.get(term="补缴").docs == 1


@pytest.fixture
def queued(settings: Any) -> Any:
    """Term changes wait in the process's queue for an hour (as in production, for a second)."""
    settings.DOUDI_SEARCH_TERMS_SECONDS = 3600
    yield actions._queue
    with actions._queue.lock:
        actions._queue.deltas.clear()


def test_the_term_changes_of_several_cases_are_written_together(
    make_case: Any, queued: Any, django_assert_num_queries: Any
) -> None:
    make_case("户口迁入被要求产权证明")
    make_case("户口迁出要单位介绍信")
    assert _stored() == {}  # waiting in the queue
    assert queued.deltas["户口"] == 2
    with django_assert_num_queries(2):  # the common terms, then one upsert for both cases
        actions.flush_terms()
    assert _stored() == _from_index()
    assert Term.objects.get(term="户口").docs == 2
    assert not queued.deltas


def test_the_queue_is_written_once_its_oldest_change_has_waited(
    make_case: Any, queued: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = [1000.0]
    monkeypatch.setattr(actions.time, "monotonic", lambda: clock[0])
    settings.DOUDI_SEARCH_TERMS_SECONDS = 1
    make_case("社保断缴")
    clock[0] += 0.5
    make_case("社保补缴")
    assert _stored() == {}
    clock[0] += 0.6  # the first case's changes have waited 1.1 s: this case writes all three
    make_case("社保卡补办")
    assert _stored() == _from_index()
    assert Term.objects.get(term="社保").docs == 3


def test_a_rebuild_drops_the_queued_changes_it_has_counted(make_case: Any, queued: Any) -> None:
    make_case("营业执照遗失补领")
    assert queued.deltas["营业"] == 1
    call_command("search", "rebuild", stdout=None)
    assert not queued.deltas
    actions.flush_terms()
    assert _stored() == _from_index()
    assert Term.objects.get(term="营业").docs == 1
