"""The search index table, and each database's own full-text index over it.

SQLite: an FTS5 table with the index table as its external content (the terms are stored once),
kept in step by triggers; tokenizer "ascii" splits only at the spaces between the terms
(doudi.lib.cjk makes them), and detail=none keeps only which rows hold a term: queries ask for
terms, never for phrases or positions. An fts5vocab table gives each term's document count.

PostgreSQL: a GIN index on the terms as a tsvector, built with array_to_tsvector (the terms
as they are: no parser, no dictionary, whatever the database's locale), through a function
that carries its cost.
"""

import django.db.models.deletion
from django.db import migrations, models

import doudi.search.models

SQLITE = (
    "CREATE VIRTUAL TABLE search_casefts USING fts5(tokens, content='search_caseindex', "
    "content_rowid='id', tokenize='ascii', detail='none')",
    "CREATE VIRTUAL TABLE search_casevocab USING fts5vocab(search_casefts, row)",
    """CREATE TRIGGER search_caseindex_ai AFTER INSERT ON search_caseindex BEGIN
        INSERT INTO search_casefts(rowid, tokens) VALUES (new.id, new.tokens);
    END""",
    """CREATE TRIGGER search_caseindex_ad AFTER DELETE ON search_caseindex BEGIN
        INSERT INTO search_casefts(search_casefts, rowid, tokens)
        VALUES ('delete', old.id, old.tokens);
    END""",
    """CREATE TRIGGER search_caseindex_au AFTER UPDATE ON search_caseindex BEGIN
        INSERT INTO search_casefts(search_casefts, rowid, tokens)
        VALUES ('delete', old.id, old.tokens);
        INSERT INTO search_casefts(rowid, tokens) VALUES (new.id, new.tokens);
    END""",
)
SQLITE_REVERSE = (
    "DROP TRIGGER IF EXISTS search_caseindex_au",
    "DROP TRIGGER IF EXISTS search_caseindex_ad",
    "DROP TRIGGER IF EXISTS search_caseindex_ai",
    "DROP TABLE IF EXISTS search_casevocab",
    "DROP TABLE IF EXISTS search_casefts",
)
POSTGRESQL = (
    # A function, not the bare expression, to tell the planner what it costs: making a
    # case's tsvector (hundreds of terms) costs far more than its default of 2 operators, and
    # at that price it would test the terms of every row walking the key backwards rather
    # than read the GIN index's few thousand matches of a rarer word. PL/pgSQL, as a SQL
    # function would be inlined and its cost forgotten.
    """CREATE FUNCTION search_terms(tokens text) RETURNS tsvector
        LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE COST 1000
        AS $$ BEGIN RETURN array_to_tsvector(string_to_array(tokens, ' ')); END $$""",
    "CREATE INDEX search_caseindex_terms ON search_caseindex USING gin (search_terms(tokens))",
    # No parallel scans of the index table: a parallel walk of the key for a first page
    # overshoots (each worker reads on), 2.5 s instead of 0.13 s for a word in 0.5% of cases.
    "ALTER TABLE search_caseindex SET (parallel_workers = 0)",
    # The commonest terms with their frequencies, for similar cases (selectors).
    "ALTER INDEX search_caseindex_terms ALTER COLUMN 1 SET STATISTICS 1000",
)
POSTGRESQL_REVERSE = (
    "DROP INDEX IF EXISTS search_caseindex_terms",
    "DROP FUNCTION IF EXISTS search_terms(text)",
)


def _run(statements):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        vendor = schema_editor.connection.vendor
        for sql in statements.get(vendor, ()):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("cases", "0007_reporter_masked"),
        ("directory", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="CaseIndex",
            fields=[
                ("id", doudi.search.models.IndexKeyField(primary_key=True, serialize=False)),
                (
                    "case",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="search_index",
                        to="cases.case",
                    ),
                ),
                (
                    "centre",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="directory.centre",
                    ),
                ),
                ("tokens", models.TextField()),
            ],
            options={"verbose_name": "检索索引", "verbose_name_plural": "检索索引"},
        ),
        migrations.CreateModel(
            name="CaseFullText",
            fields=[
                (
                    "index",
                    models.OneToOneField(
                        db_column="rowid",
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="fulltext",
                        serialize=False,
                        to="search.caseindex",
                    ),
                ),
                ("match", models.TextField(db_column="search_casefts")),
            ],
            options={"db_table": "search_casefts", "managed": False},
        ),
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE}),
        ),
    ]
