"""Full-text search over the case list (/cases/?q=), through the real URL."""

from __future__ import annotations

import math
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from doudi.cases.actions import Intake, Reporter, case_register
from doudi.cases.models import Case, CaseEvent
from doudi.cases.selectors import case_list
from doudi.cases.workflow import State
from doudi.conftest import Org, Personas, at
from doudi.search.models import CaseIndex
from doudi.search.selectors import COUNT_CAP, CappedPaginator, search_cases


@pytest.fixture
def make_case(org: Org, people: Personas):  # type: ignore[no-untyped-def]
    def make(title: str, description: str = "窗口说材料不全。", **overrides: Any) -> Case:
        actor = overrides.pop("actor", people.clerk_a)
        intake = Intake(
            centre=overrides.pop("centre", org.centre_a),
            channel=overrides.pop("channel", "window"),
            title=title,
            description=description,
            reporter=Reporter(name="李四", phone="13912345678"),
            service_item=overrides.pop("service_item", org.item_x),
            **overrides,
        )
        return case_register(actor=actor, intake=intake)

    return make


def numbers(client: Client, q: str, **params: str) -> list[str]:
    response = client.get("/cases/", {"q": q, **params})
    assert response.status_code == 200
    return [c.number for c in response.context["page"]]


def test_two_character_words_find_the_cases_that_use_them(
    make_case: Any, people: Personas, client_for: Any
) -> None:
    social = make_case("社保卡补换后余额没有转过来")
    hukou = make_case("孩子落户被要求结婚证", "办理户口迁入时被要求提供原件。")
    make_case("营业执照遗失补领")
    client = client_for(people.clerk_a)
    assert numbers(client, "社保") == [social.number]
    assert numbers(client, "户口") == [hukou.number]
    assert numbers(client, "户口 原件") == [hukou.number]
    assert numbers(client, "户口 社保") == []


def test_results_are_newest_first_and_filters_still_apply(
    make_case: Any, people: Personas, client_for: Any
) -> None:
    first = make_case("社保断缴")
    second = make_case("社保转移", channel="hotline")
    client = client_for(people.clerk_a)
    assert numbers(client, "社保") == [second.number, first.number]
    assert numbers(client, "社保", channel="hotline") == [second.number]


def test_a_word_broken_by_a_line_break_is_found(
    make_case: Any, people: Personas, client_for: Any
) -> None:
    case = make_case("落户问题", "要求先办理户\n口迁出，再办迁入。")
    assert numbers(client_for(people.clerk_a), "户口迁出") == [case.number]


def test_a_pair_of_characters_across_two_fields_is_no_match(
    make_case: Any, people: Personas, client_for: Any
) -> None:
    make_case("办理社", "保卡补换")  # the title ends with 社, the account begins with 保
    assert numbers(client_for(people.clerk_a), "社保") == []


def test_full_width_text_and_the_case_number_find_the_case(
    make_case: Any, people: Personas, client_for: Any
) -> None:
    case = make_case("ＡＰＰ上社保卡申领失败")
    client = client_for(people.clerk_a)
    assert numbers(client, "app") == [case.number]
    assert numbers(client, case.number) == [case.number]
    assert numbers(client, case.number.lower()) == [case.number]


def test_a_whole_case_number_finds_that_case_alone(
    make_case: Any, org: Org, people: Personas, client_for: Any
) -> None:
    """A street centre's number holds every word of its district's number of the same day and
    sequence (A-1-20261127-0001 and A-20261127-0001): typed whole, a number is that case."""
    district = make_case("区中心的案件")
    street = make_case("街道的案件", centre=org.centre_a1)
    assert street.number.replace("A-1-", "A-") == district.number
    client = client_for(people.clerk_a)
    assert numbers(client, district.number) == [district.number]
    assert numbers(client, street.number) == [street.number]
    assert sorted(numbers(client, district.number.split("-", 1)[1])) == sorted(
        [district.number, street.number]
    )  # the date and sequence alone are words like any other


@pytest.mark.parametrize(
    "q",
    [
        "！？。，",
        '"',
        '""',
        "*",
        "社保*",
        "-社保",
        "社保 NEAR 户口",
        "NEAR(社保 户口)",
        '社保" OR "1',
        "tokens:社保",
        "^社保",
        "(",
        "社保 AND",
        "x" * 5000,
        "社保卡补换" * 200,
    ],
)
def test_punctuation_and_query_syntax_are_plain_text_and_never_an_error(
    q: str, make_case: Any, people: Personas, client_for: Any
) -> None:
    make_case("社保卡补换")
    response = client_for(people.clerk_a).get("/cases/", {"q": q})
    assert response.status_code == 200


def test_a_query_with_nothing_to_search_for_lists_nothing(
    make_case: Any, people: Personas, client_for: Any
) -> None:
    make_case("社保卡补换")
    assert numbers(client_for(people.clerk_a), "！？。") == []


def test_nobody_finds_a_case_they_could_not_open(
    make_case: Any, org: Org, people: Personas, client_for: Any
) -> None:
    about_x = make_case("社保断缴问题", service_item=org.item_x)
    about_y = make_case("社保登记问题", service_item=org.item_y)
    in_b = make_case("社保卡问题", centre=org.centre_b, actor=people.clerk_b)
    assert set(numbers(client_for(people.clerk_a), "社保")) == {about_x.number, about_y.number}
    assert numbers(client_for(people.clerk_b), "社保") == [in_b.number]
    # A handler of department X sees the cases about X's items, not Y's.
    assert set(numbers(client_for(people.handler_x), "社保")) == {about_x.number, in_b.number}
    assert numbers(client_for(people.handler_y), "社保") == [about_y.number]
    assert set(numbers(client_for(people.admin), "社保")) == {
        about_x.number,
        about_y.number,
        in_b.number,
    }


def test_an_outcome_is_searchable_as_soon_as_the_move_is_made(
    make_case: Any, people: Personas, client_for: Any
) -> None:
    case = make_case("失业金申领")
    client = client_for(people.clerk_a)
    assert numbers(client, "容缺受理") == []
    response = client.post(
        f"/cases/{case.pk}/act/resolve_on_spot/",
        {"resolve_on_spot-result": "已开通绿色通道，容缺受理并当场办结。"},
    )
    assert response.status_code == 302
    assert CaseEvent.objects.filter(case=case, kind="resolve_on_spot").exists()
    assert numbers(client, "容缺受理") == [case.number]


def test_withdrawn_and_merged_cases_stay_searchable(
    make_case: Any, people: Personas, client_for: Any
) -> None:
    target = make_case("社保断缴")
    duplicate = make_case("社保断缴（重复）")
    withdrawn = make_case("社保转移")
    client = client_for(people.clerk_a)
    client.post(
        f"/cases/{duplicate.pk}/act/merge/",
        {"merge-into": target.number, "merge-reason": "重复"},
    )
    client.post(f"/cases/{withdrawn.pk}/act/withdraw/", {"withdraw-reason": "本人撤回"})
    duplicate.refresh_from_db()
    withdrawn.refresh_from_db()
    assert (duplicate.state, withdrawn.state) == (State.MERGED, State.WITHDRAWN)
    assert set(numbers(client, "社保")) == {target.number, duplicate.number, withdrawn.number}


def test_the_second_page_goes_on_where_the_first_ended(
    make_case: Any, people: Personas, client_for: Any
) -> None:
    cases = [make_case(f"社保断缴第{i}次") for i in range(32)]
    make_case("户口迁入")
    client = client_for(people.clerk_a)
    first = numbers(client, "社保")
    second = numbers(client, "社保", page="2")
    newest_first = [c.number for c in reversed(cases)]
    assert first + second == newest_first
    assert len(second) == 2


def test_a_search_counts_up_to_a_cap(
    make_case: Any, people: Personas, client_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("doudi.search.selectors.COUNT_CAP", 2)
    for _ in range(4):
        make_case("社保断缴")
    response = client_for(people.clerk_a).get("/cases/", {"q": "社保"})
    assert response.context["page"].paginator.capped
    assert "超过 2 件" in response.content.decode()
    assert COUNT_CAP == 1000


@pytest.mark.parametrize("dense", [0.0, 1.0])
def test_a_search_past_the_cap_pages_its_newest_matches_first(
    make_case: Any,
    people: Personas,
    client_for: Any,
    monkeypatch: pytest.MonkeyPatch,
    dense: float,
) -> None:
    """Past the cap, PostgreSQL looks for the newest matches in the newest time buckets when
    the matches are sparse (``dense`` 1.0: every search is) and walks the key otherwise; the
    pages are the same either way, and on SQLite."""
    monkeypatch.setattr("doudi.search.selectors.COUNT_CAP", 5)
    monkeypatch.setattr("doudi.search.selectors.DENSE_MATCHES", dense)
    cases = []
    for month in range(1, 11):  # ten months: a time bucket is about 24 days
        with time_machine.travel(at(f"2026-{month:02d}-10 10:00"), tick=False):
            cases.append(make_case(f"社保断缴第{month}次"))
            make_case("户口迁入")
    newest_first = [c.pk for c in reversed(cases)]
    paginator = CappedPaginator(case_list(people.clerk_a, query="社保 断缴"), 2)
    assert paginator.capped
    pages = [[c.pk for c in paginator.page(n)] for n in paginator.page_range]
    assert pages == [newest_first[0:2], newest_first[2:4], newest_first[4:5]]
    # Pages that end exactly at the cap: no empty page after them.
    assert list(CappedPaginator(case_list(people.clerk_a, query="社保 断缴"), 5).page_range) == [1]
    if connection.vendor == "postgresql":
        # Looked for in the buckets (2, 4, then 8 of them), or left to the key's walk.
        assert paginator._newest(5) == (newest_first[:5] if dense else None)
    response = client_for(people.clerk_a).get("/cases/", {"q": "社保 断缴"})
    assert [c.pk for c in response.context["page"]] == newest_first[:5]


@pytest.mark.parametrize("frequent", [0.10, math.inf])
def test_a_department_readers_frequent_words_are_counted_in_the_newest_buckets(
    make_case: Any,
    people: Personas,
    client_for: Any,
    monkeypatch: pytest.MonkeyPatch,
    frequent: float,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """On PostgreSQL a department reader's count of words in many cases (every searched term
    in ``FREQUENT_TERMS`` of them: half here) reads the newest buckets first; a rarer word's
    (inf: none is; not 1.01, as a share is read against PostgreSQL's estimate of the rows,
    which the tests before may leave below the count) reads any matches. The pages are the
    same either way, and on SQLite."""
    monkeypatch.setattr("doudi.search.selectors.COUNT_CAP", 3)
    monkeypatch.setattr("doudi.search.selectors.FREQUENT_TERMS", frequent)
    cases = []
    for month in range(1, 11):  # ten months: a time bucket is about 24 days
        # After each commit the terms' counts are kept (search.actions.index_case).
        with (
            time_machine.travel(at(f"2026-{month:02d}-10 10:00"), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            cases.append(make_case(f"社保断缴第{month}次"))  # department X's item
            make_case("户口迁入")
    newest_first = [c.pk for c in reversed(cases)]
    reader = people.handler_x
    paginator = CappedPaginator(
        case_list(reader, query="社保 断缴"), 2, text="社保 断缴", reader=reader
    )
    assert paginator.capped
    pages = [[c.pk for c in paginator.page(n)] for n in paginator.page_range]
    assert pages == [newest_first[0:2], newest_first[2:3]]
    if connection.vendor == "postgresql":
        assert (paginator._newest_keyed is not None) is (frequent < math.inf)
    # A reader who sees every case reads any matches, whatever the words.
    leader = people.leader_a
    everything = CappedPaginator(
        case_list(leader, query="社保 断缴"), 2, text="社保 断缴", reader=leader
    )
    assert [c.pk for c in everything.page(1)] == newest_first[0:2]
    assert everything._newest_keyed is None
    response = client_for(reader).get("/cases/", {"q": "社保 断缴"})
    assert [c.pk for c in response.context["page"]] == newest_first[:3]


def test_the_list_with_a_search_costs_no_more_queries_than_without(
    make_case: Any, people: Personas, client_for: Any
) -> None:
    for i in range(5):
        make_case(f"社保断缴第{i}次")
    client = client_for(people.clerk_a)
    client.get("/cases/")

    def queries(**params: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/cases/", params, headers={"HX-Request": "true"})
        assert len(response.context["page"]) == 5
        return len(captured)

    # Session, user and scope, the (capped) count, the page: the search is one condition more.
    assert queries(q="社保") == queries() == 8


def test_the_rebuild_command_indexes_cases_written_past_the_actions(
    make_case: Any, people: Personas, client_for: Any
) -> None:
    case = make_case("社保断缴")
    Case.objects.filter(pk=case.pk).update(description="公积金提取被拒")  # no signal
    CaseIndex.objects.all().delete()
    client = client_for(people.clerk_a)
    assert numbers(client, "社保") == []
    call_command("search", "rebuild", stdout=None)
    assert numbers(client, "社保") == [case.number]
    assert numbers(client, "公积金") == [case.number]
    # The index is kept in step again after the rebuild.
    later = make_case("户口迁入")
    assert numbers(client, "户口") == [later.number]
    assert search_cases(Case.objects.all(), "社保").count() == 1
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO search_casefts(search_casefts) VALUES ('integrity-check')")
