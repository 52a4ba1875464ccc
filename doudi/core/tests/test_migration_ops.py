"""The indexes every registration writes: none that no query needs."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection
from django.db.migrations.state import ProjectState

from doudi.core.migration_ops import DropLikeIndexes

pytestmark = pytest.mark.django_db

# The tables a registration writes, with the columns whose LIKE indexes were dropped.
DROPPED = {
    ("cases", "case"): ["number", "phone_hash", "id_hash", "submission_key", "source_ref"],
    ("audit", "auditentry"): ["action"],
    ("analytics", "dirtysource"): ["key"],
    ("analytics", "figuresource"): ["key"],
}


def _index_columns(table: str) -> list[tuple[str, list[str]]]:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, table)
    return [
        (name, info["columns"])
        for name, info in found.items()
        if info["index"] and not info["primary_key"]
    ]


def _like_indexes(table: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = %s "
            "AND indexdef LIKE '%%pattern_ops%%'",
            [table],
        )
        return sorted(row[0] for row in cursor.fetchall())


def test_no_case_column_has_an_index_of_its_own_that_a_composite_leads_with():
    for table in ("cases_case", "cases_caseevent"):
        indexes = _index_columns(table)
        singles = {tuple(columns) for _name, columns in indexes if len(columns) == 1}
        leads = {columns[0] for _name, columns in indexes if len(columns) > 1}
        assert not {column for (column,) in singles} & leads, table


@pytest.mark.skipif(connection.vendor != "postgresql", reason="LIKE indexes: PostgreSQL")
def test_registration_tables_carry_no_like_index():
    for app_label, model_name in DROPPED:
        table = apps.get_model(app_label, model_name)._meta.db_table
        assert _like_indexes(table) == [], table


@pytest.mark.skipif(connection.vendor != "postgresql", reason="LIKE indexes: PostgreSQL")
def test_drop_like_indexes_is_reversible():
    state = ProjectState.from_apps(apps)
    operation = DropLikeIndexes(model_name="auditentry", fields=["action"])
    with connection.schema_editor() as editor:
        operation.database_backwards("audit", editor, state, state)
    assert _like_indexes("audit_auditentry") == ["audit_auditentry_action_dee621eb_like"]
    with connection.schema_editor() as editor:
        operation.database_forwards("audit", editor, state, state)
    assert _like_indexes("audit_auditentry") == []
