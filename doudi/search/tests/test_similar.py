"""Similar earlier cases, and the case page's card that shows them."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
import time_machine

from doudi.cases.actions import (
    Intake,
    Reporter,
    case_merge,
    case_register,
    case_resolve_on_spot,
)
from doudi.cases.models import Case
from doudi.cases.workflow import State
from doudi.conftest import Org, Personas, at
from doudi.search.selectors import similar_cases

NEAR = "办理户口迁入时被要求提供房屋产权证明原件，但房子是租的，来回跑了三趟。"


@pytest.fixture
def make_case(org: Org, people: Personas, committed):  # type: ignore[no-untyped-def]
    def make(title: str, description: str, **overrides: Any) -> Case:
        actor = overrides.pop("actor", people.clerk_a)
        intake = Intake(
            centre=overrides.pop("centre", org.centre_a),
            channel="window",
            title=title,
            description=description,
            reporter=Reporter(name="李四", phone="13912345678"),
            service_item=overrides.pop("service_item", org.item_x),
        )
        with committed():  # the terms are counted once the registration commits
            return case_register(actor=actor, intake=intake)

    return make


@pytest.fixture
def history(make_case: Any, people: Personas, committed: Any) -> dict[str, Case]:
    cases = {
        "near": make_case("户口迁入被要求产权证明", NEAR.replace("三趟", "两趟")),
        "related": make_case("户口迁出要单位介绍信", "集体户口迁出需要原单位开介绍信。"),
        "other": make_case("营业执照遗失补领", "营业执照遗失补领，被要求先登报声明。"),
        "unrelated": make_case("医保报销", "异地就医住院费用不能直接结算。"),
    }
    with committed():
        case_resolve_on_spot(
            actor=people.clerk_a,
            case_id=cases["near"].pk,
            result="按办事指南以租赁合同受理，已办结。",
        )
    cases["this"] = make_case("租房户口迁入办不了", NEAR)
    return cases


def test_the_near_duplicate_comes_first_and_the_case_itself_is_left_out(
    history: dict[str, Case], people: Personas
) -> None:
    found = similar_cases(people.clerk_a, history["this"], scope="centre")
    ranked = [s.case.pk for s in found]
    assert ranked[0] == history["near"].pk
    assert history["this"].pk not in ranked
    assert history["unrelated"].pk not in ranked
    assert found[0].score > 0.5
    assert all(a.score >= b.score for a, b in itertools.pairwise(found))


def test_only_earlier_cases_are_similar(history: dict[str, Case], people: Personas) -> None:
    later = similar_cases(people.clerk_a, history["near"], scope="centre")
    assert history["this"].pk not in [s.case.pk for s in later]


def test_merged_cases_are_left_out(
    history: dict[str, Case], make_case: Any, people: Personas
) -> None:
    duplicate = make_case("户口迁入（重复登记）", NEAR)
    case_merge(actor=people.clerk_a, case_id=duplicate.pk, into_case_id=history["related"].pk)
    assert Case.objects.get(pk=duplicate.pk).state == State.MERGED
    this = make_case("又一件户口迁入", NEAR)
    ranked = [s.case.pk for s in similar_cases(people.clerk_a, this, scope="centre")]
    assert duplicate.pk not in ranked
    assert history["near"].pk in ranked


def test_cases_the_reader_cannot_see_and_other_centres_are_left_out(
    history: dict[str, Case], make_case: Any, org: Org, people: Personas
) -> None:
    in_b = make_case("户口迁入被要求产权证明", NEAR, centre=org.centre_b, actor=people.clerk_b)
    about_y = make_case("户口迁入被要求产权证明", NEAR, service_item=org.item_y)
    this = make_case("租房户口迁入", NEAR)
    same_centre = [s.case.pk for s in similar_cases(people.admin, this, scope="centre")]
    assert in_b.pk not in same_centre
    assert about_y.pk in same_centre
    everywhere = [s.case.pk for s in similar_cases(people.admin, this, scope="all")]
    assert in_b.pk in everywhere
    # A clerk of centre A never sees centre B's case, whatever the scope.
    assert in_b.pk not in [s.case.pk for s in similar_cases(people.clerk_a, this, scope="all")]
    # A handler of department Y sees only the cases about Y's items.
    for_y = [s.case.pk for s in similar_cases(people.handler_y, this, scope="all")]
    assert for_y == [about_y.pk]


def test_a_case_with_no_text_to_compare_has_no_similar_cases(
    make_case: Any, people: Personas
) -> None:
    make_case("！！！", "。。。")
    this = make_case("？？", "……")
    assert similar_cases(people.clerk_a, this) == []


def test_a_case_that_shares_no_word_with_another_has_no_similar_cases(
    history: dict[str, Case], make_case: Any, people: Personas
) -> None:
    this = make_case("量子纠缠", "薛定谔猫态叠加")
    assert similar_cases(people.clerk_a, this, scope="all") == []


def test_the_case_page_loads_the_card_with_how_the_cases_were_solved(
    history: dict[str, Case], people: Personas, client_for: Any
) -> None:
    client = client_for(people.clerk_a)
    page = client.get(f"/cases/{history['this'].pk}/").content.decode()
    assert f"/search/cases/{history['this'].pk}/similar/" in page
    response = client.get(f"/search/cases/{history['this'].pk}/similar/", {"scope": "all"})
    assert response.status_code == 200
    card = response.content.decode()
    assert "相似案件" in card
    assert history["near"].number in card
    assert "按办事指南以租赁合同受理" in card
    assert history["unrelated"].number not in card
    # An unknown scope is the centre's.
    assert client.get(f"/search/cases/{history['this'].pk}/similar/?scope=x").status_code == 200


def test_the_card_of_a_case_the_reader_cannot_open_is_a_404(
    history: dict[str, Case], people: Personas, client_for: Any
) -> None:
    response = client_for(people.clerk_b).get(f"/search/cases/{history['this'].pk}/similar/")
    assert response.status_code == 404


def test_cases_a_centre_reader_cannot_see_do_not_crowd_out_its_own(
    make_case: Any, org: Org, people: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The candidates are the newest few: another centre's newer cases, which the reader
    cannot see, must not take all the places (the index rows are narrowed to its centres)."""
    monkeypatch.setattr("doudi.search.selectors.SIMILAR_CANDIDATES", 2)
    with time_machine.travel(at("2026-01-05 10:00"), tick=False):
        mine = make_case("租房户口迁入被要求产权证明", NEAR)
    with time_machine.travel(at("2026-01-06 10:00"), tick=False):
        for _ in range(3):
            make_case("租房户口迁入被要求产权证明", NEAR, centre=org.centre_b)
    with time_machine.travel(at("2026-01-07 10:00"), tick=False):
        this = make_case("租房户口迁入办不了", NEAR)
    assert [s.case.pk for s in similar_cases(people.clerk_a, this, scope="all")] == [mine.pk]
