"""No plaintext personal data in any table: read the database directly."""

from __future__ import annotations

from django.db import connection

from doudi.cases.tests.conftest import PHONE, VALID_ID, intake_post
from doudi.conftest import Org, Personas


def test_no_table_holds_a_plaintext_phone_or_id_number(
    client_for, org: Org, people: Personas
) -> None:
    client_for(people.clerk_a).post(
        "/cases/new/", intake_post(org, reporter_email="zhang@example.com")
    )
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            columns = [
                c.name for c in connection.introspection.get_table_description(cursor, table)
            ]
            quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
            cursor.execute(f"SELECT {quoted} FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                text = " ".join(str(value) for value in row)
                for secret in (PHONE, VALID_ID, "张三丰", "zhang@example.com"):
                    if secret in text:
                        found.append((table, secret))
    assert found == []
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM cases_case")
        assert cursor.fetchone()[0] == 1  # the case is there: the scan read real rows
