"""The index rows' reach: the marks by which a department reader's search is narrowed in the
index (PostgreSQL's GIN index of them, SQLite's FTS5 table; ``doudi.cases.access.case_reach``).

The marks only narrow, ``case_visibility`` still decides: a mark too many would cost time, a
mark missing would hide a case from a department that may see it. These tests hold the marks
equal to the scope they stand for after every way they are written: a case's registration,
a work order's issue and reassignment, the bulk rebuild and migrations 0005's fill and 0006's
FTS5 table.
"""

from __future__ import annotations

import importlib
from typing import Any

from django.db import connection

from doudi.cases.access import case_reach, case_visibility, reader_reach
from doudi.cases.models import Case
from doudi.cases.selectors import case_list
from doudi.conftest import Personas
from doudi.search import actions
from doudi.search.models import CaseIndex, Term, key_bucket
from doudi.workorders import actions as workorders
from doudi.workorders.models import CaseRecipient, WorkOrder


def _expected_reach() -> dict[int, set[str]]:
    recipients: dict[int, list[int]] = {}
    for case_id, department_id in CaseRecipient.objects.values_list("case_id", "department_id"):
        recipients.setdefault(case_id, []).append(department_id)
    return {
        pk: set(case_reach(item, recipients.get(pk, [])).split())
        for pk, item in Case.objects.values_list("pk", "service_item_id")
    }


def _assert_reach_is_the_scope(people: Personas) -> None:
    rows = CaseIndex.objects.values_list("case", "reach")
    stored = {pk: set(reach.split()) for pk, reach in rows}
    assert stored == _expected_reach()
    for user in (people.handler_x, people.handler_y, people.leader_x):
        marks = set(reader_reach(user) or ())
        assert marks, user
        reached = {pk for pk, reach in stored.items() if reach & marks}
        visible = set(Case.objects.filter(case_visibility(user)).values_list("pk", flat=True))
        assert reached == visible, user
    # Readers whose scope is a centre's, or everything, are not narrowed by marks.
    assert reader_reach(people.clerk_a) is None
    assert reader_reach(people.admin) is None


def _found(user: Any, query: str) -> set[int]:
    return {case.pk for case in case_list(user, query=query)}


def test_the_reach_follows_the_work_orders(dispatched, org, people: Personas) -> None:
    case = dispatched(departments=("X",))  # an item of X, sent to X
    assert set(CaseIndex.objects.get(case=case).reach.split()) == {
        f"@i{org.item_x.pk}",
        f"@d{org.dept_x.pk}",
    }
    assert case.pk not in _found(people.handler_y, "养老保险")
    _assert_reach_is_the_scope(people)

    order = WorkOrder.objects.get(case=case)
    workorders.work_order_dispute(actor=people.handler_x, work_order_id=order.pk, reason="非本部门")
    workorders.work_order_reassign(
        actor=people.taskforce_a, work_order_id=order.pk, department=org.dept_y
    )
    # Found by Y's search at once (on PostgreSQL through the reach's index).
    assert case.pk in _found(people.handler_y, "养老保险")
    _assert_reach_is_the_scope(people)

    sent_to_child = dispatched(departments=("Y", "X1"))  # X sees what its child X1 is sent
    assert sent_to_child.pk in _found(people.leader_x, "养老保险")
    _assert_reach_is_the_scope(people)


def test_recipients_loaded_past_the_actions_reach_the_index(dispatched, people: Personas) -> None:
    """A bulk load writes work orders past ``work_order_create``; ``case_recipients_fill``
    adds their recipients and the marks with them."""
    case = dispatched(departments=("Y",))
    CaseRecipient.objects.all().delete()
    actions.reach_refresh([case.pk])  # as if the work order had been loaded in bulk
    assert case.pk not in _found(people.handler_y, "养老保险")
    assert workorders.case_recipients_fill() == 1
    assert case.pk in _found(people.handler_y, "养老保险")
    _assert_reach_is_the_scope(people)


def test_a_case_about_no_item_reaches_only_its_recipients(dispatched, people: Personas) -> None:
    case = dispatched(departments=("Y",))
    case.service_item = None
    case.save()  # through the receiver, as an edit of the case would be
    assert CaseIndex.objects.get(case=case).reach == f"@d{people.handler_y.scope_department_id}"
    assert case.pk not in _found(people.handler_x, "养老保险")
    assert case.pk in _found(people.handler_y, "养老保险")
    _assert_reach_is_the_scope(people)


def test_the_rebuild_and_the_migration_write_the_same_reach(dispatched, people: Personas) -> None:
    dispatched(departments=("X", "Y"))
    dispatched(departments=("Y", "X1"))
    CaseIndex.objects.update(reach="")
    actions.search_rebuild()
    _assert_reach_is_the_scope(people)

    CaseIndex.objects.update(reach="")
    fill = importlib.import_module("doudi.search.migrations.0005_caseindex_reach")
    fulltext = importlib.import_module("doudi.search.migrations.0006_sqlite_reach_terms")
    statements = {
        "postgresql": fill.POSTGRESQL,
        # 0005's fill (its first statement: the rest made 0005's triggers, which 0006 replaces),
        # then 0006's FTS5 table of the tokens and the marks.
        "sqlite": (fill.SQLITE[0], *fulltext.SQLITE),
    }
    with connection.cursor() as cursor:
        for sql in statements[connection.vendor]:
            cursor.execute(sql)
    _assert_reach_is_the_scope(people)
    if connection.vendor == "postgresql":
        # The stored terms hold each row's marks and its time bucket (models.key_bucket).
        with connection.cursor() as cursor:
            for key, reach in CaseIndex.objects.values_list("id", "reach"):
                marks = [*reach.split(), f"@k{key_bucket(key)}"]
                query = " & ".join(f"'{mark}'" for mark in marks)
                cursor.execute(
                    "SELECT count(*) FROM search_caseindex WHERE id = %s AND terms @@ %s::tsquery",
                    [key, query],
                )
                assert cursor.fetchone()[0] == 1, (key, marks)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            # The FTS5 table holds each row's marks (and no term counts one).
            for key, reach in CaseIndex.objects.values_list("id", "reach"):
                query = " AND ".join(f'"{mark}"' for mark in reach.split())
                cursor.execute(
                    "SELECT count(*) FROM search_casefts WHERE rowid = %s"
                    " AND search_casefts MATCH %s",
                    [key, query],
                )
                assert cursor.fetchone()[0] == 1, (key, reach)
            # The triggers made again: the FTS5 table still matches its content.
            cursor.execute("INSERT INTO search_casefts(search_casefts) VALUES ('integrity-check')")
        actions.terms_recount()
        assert not Term.objects.filter(term__startswith="@").exists()


def test_a_department_readers_search_reads_the_marks(dispatched, people: Personas) -> None:
    """On both databases a department reader's search asks the index for its marks: a row
    whose marks were lost hides its case from the department's search (though the scope
    admits it), which is why every writer of the marks is held to the scope above."""
    case = dispatched(departments=("Y",))
    assert case.pk in _found(people.handler_y, "养老保险")
    CaseIndex.objects.filter(case=case).update(reach="")  # the triggers rewrite FTS5's row
    assert case.pk in set(
        Case.objects.filter(case_visibility(people.handler_y)).values_list("pk", flat=True)
    )
    assert case.pk not in _found(people.handler_y, "养老保险")
    assert case.pk in _found(people.leader_a, "养老保险")  # a centre reader: no marks
