"""PostgreSQL: the terms as a stored tsvector column (``terms``, generated from ``tokens``)
with the GIN index on it, instead of an index on a function of ``tokens``.

A row's test is then a match against the stored vector (no function call making it again):
cheap enough that walking the key newest first, testing each row, is a plan the planner can
take for common words, while the GIN index serves rare ones. The column carries the planner's
statistics on the terms (target 1000). Nothing changes on SQLite.
"""

from django.db import migrations

POSTGRESQL = (
    "ALTER TABLE search_caseindex ADD COLUMN terms tsvector GENERATED ALWAYS AS"
    " (array_to_tsvector(string_to_array(tokens, ' '))) STORED",
    "DROP INDEX IF EXISTS search_caseindex_terms",
    "SET LOCAL maintenance_work_mem = '512MB'",
    "CREATE INDEX search_caseindex_terms ON search_caseindex USING gin (terms)",
    "ALTER TABLE search_caseindex ALTER COLUMN terms SET STATISTICS 1000",
    "DROP FUNCTION IF EXISTS search_terms(text)",
    "ANALYZE search_caseindex",
)
POSTGRESQL_REVERSE = (
    """CREATE FUNCTION search_terms(tokens text) RETURNS tsvector
        LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE COST 1000
        AS $$ BEGIN RETURN array_to_tsvector(string_to_array(tokens, ' ')); END $$""",
    "DROP INDEX IF EXISTS search_caseindex_terms",
    "ALTER TABLE search_caseindex DROP COLUMN terms",
    "CREATE INDEX search_caseindex_terms ON search_caseindex USING gin (search_terms(tokens))",
    "ALTER INDEX search_caseindex_terms ALTER COLUMN 1 SET STATISTICS 1000",
)


def _run(statements):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0003_term")]

    operations = [migrations.RunPython(_run(POSTGRESQL), _run(POSTGRESQL_REVERSE))]
