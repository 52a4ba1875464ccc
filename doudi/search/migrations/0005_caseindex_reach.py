"""Each index row's reach: the marks of the departments that see the case ("@i<item id>" for
its service item, "@d<department id>" for each department it was sent to; see
``doudi.cases.access.case_reach``), filled from the cases and their recipients.

PostgreSQL: the stored terms (0004) are made of the tokens, the marks and the row's time
bucket ("@k<key >> 51>", ``doudi.search.models.key_bucket``), so that a department reader's
search finds a word's matches among its own cases in one GIN index scan, and a search's
newest matches are found bucket by bucket. The column is made again after the fill (a
generated column's expression cannot be changed), and its index with it: at a million cases
about as long as ``doudi search rebuild``.

SQLite: adding a column makes the table again, which drops the triggers of 0001: they are made
again, the update trigger now for the tokens only (a change of the reach leaves the FTS5 table
as it is). The marks are not read on SQLite (docs/search.md).
"""

from django.db import migrations, models

TERMS = (
    "array_to_tsvector(array_cat(array_cat(string_to_array(tokens, ' '),"
    " string_to_array(reach, ' ')), ARRAY['@k' || (id >> 51)::text]))"
)
POSTGRESQL = (
    # Table DDL cannot run with deferred foreign-key checks pending: check them now.
    "SET CONSTRAINTS ALL IMMEDIATE",
    "SET LOCAL maintenance_work_mem = '512MB'",
    "DROP INDEX IF EXISTS search_caseindex_terms",
    "ALTER TABLE search_caseindex DROP COLUMN IF EXISTS terms",
    "UPDATE search_caseindex x"
    " SET reach = concat_ws(' ', '@i' || c.service_item_id, r.marks)"
    " FROM cases_case c LEFT JOIN (SELECT case_id,"
    "   string_agg('@d' || department_id, ' ' ORDER BY department_id) AS marks"
    "   FROM workorders_caserecipient GROUP BY case_id) r ON r.case_id = c.id"
    " WHERE c.id = x.case_id",
    f"ALTER TABLE search_caseindex ADD COLUMN terms tsvector GENERATED ALWAYS AS ({TERMS}) STORED",
    "CREATE INDEX search_caseindex_terms ON search_caseindex USING gin (terms)",
    "ALTER TABLE search_caseindex ALTER COLUMN terms SET STATISTICS 1000",
    "ANALYZE search_caseindex",
)
# Back to 0004: the terms of the tokens alone (before the reach's column, which they use, goes).
POSTGRESQL_REVERSE = (
    "SET LOCAL maintenance_work_mem = '512MB'",
    "DROP INDEX IF EXISTS search_caseindex_terms",
    "ALTER TABLE search_caseindex DROP COLUMN IF EXISTS terms",
    "ALTER TABLE search_caseindex ADD COLUMN terms tsvector GENERATED ALWAYS AS"
    " (array_to_tsvector(string_to_array(tokens, ' '))) STORED",
    "CREATE INDEX search_caseindex_terms ON search_caseindex USING gin (terms)",
    "ALTER TABLE search_caseindex ALTER COLUMN terms SET STATISTICS 1000",
)

_INSERT = """CREATE TRIGGER search_caseindex_ai AFTER INSERT ON search_caseindex BEGIN
        INSERT INTO search_casefts(rowid, tokens) VALUES (new.id, new.tokens);
    END"""
_DELETE = """CREATE TRIGGER search_caseindex_ad AFTER DELETE ON search_caseindex BEGIN
        INSERT INTO search_casefts(search_casefts, rowid, tokens)
        VALUES ('delete', old.id, old.tokens);
    END"""
_UPDATE = """CREATE TRIGGER search_caseindex_au AFTER UPDATE {of}ON search_caseindex BEGIN
        INSERT INTO search_casefts(search_casefts, rowid, tokens)
        VALUES ('delete', old.id, old.tokens);
        INSERT INTO search_casefts(rowid, tokens) VALUES (new.id, new.tokens);
    END"""
_DROP = tuple(
    f"DROP TRIGGER IF EXISTS {name}"
    for name in ("search_caseindex_ai", "search_caseindex_ad", "search_caseindex_au")
)
SQLITE = (
    "UPDATE search_caseindex SET reach = trim("
    " coalesce((SELECT '@i' || c.service_item_id FROM cases_case c"
    "   WHERE c.id = search_caseindex.case_id), '')"
    " || coalesce((SELECT ' ' || group_concat('@d' || r.department_id, ' ')"
    "   FROM workorders_caserecipient r WHERE r.case_id = search_caseindex.case_id), ''))",
    *_DROP,
    _INSERT,
    _DELETE,
    _UPDATE.format(of="OF tokens "),
)
# Back to 0004: the triggers as 0001 made them (removing the column made the table again).
SQLITE_REVERSE = (*_DROP, _INSERT, _DELETE, _UPDATE.format(of=""))


def _run(statements):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        for sql in statements.get(schema_editor.connection.vendor, ()):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0011_case_anonymised_at"),
        ("search", "0004_stored_terms"),
        ("workorders", "0003_case_departments"),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, _run({"sqlite": SQLITE_REVERSE})),
        migrations.AddField(
            model_name="caseindex",
            name="reach",
            field=models.TextField(blank=True, default=""),
        ),
        migrations.RunPython(
            _run({"postgresql": POSTGRESQL, "sqlite": SQLITE}),
            _run({"postgresql": POSTGRESQL_REVERSE}),
        ),
    ]
