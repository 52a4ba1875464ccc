"""SQLite: the FTS5 table indexes each row's reach (0005) beside its tokens, so that a
department reader's search finds a word among its own cases in the full-text index, as
PostgreSQL's GIN index of the terms and marks does: `"户口" AND ("@i3" OR … "@d7")` walks the
word's matches skipping those without a mark, where testing the scope of each of 户口's 49,000
matches at a million cases took up to 340 ms for a department seeing 868 of them.

The tokenizer keeps "@" inside a token ("ascii tokenchars '@'"), so a mark is one term that no
text holds. The table is made again and filled from its content (``rebuild``): at a million
cases about as long as ``doudi search rebuild``'s full-text part, a few minutes. The update
trigger now follows both columns. PostgreSQL: nothing (0005 did it there).
"""

from django.db import migrations

_TABLE = (
    "CREATE VIRTUAL TABLE search_casefts USING fts5(tokens, {columns}content='search_caseindex', "
    "content_rowid='id', tokenize=\"ascii{chars}\", detail='none')"
)
_DROP = (
    "DROP TRIGGER IF EXISTS search_caseindex_ai",
    "DROP TRIGGER IF EXISTS search_caseindex_ad",
    "DROP TRIGGER IF EXISTS search_caseindex_au",
    "DROP TABLE IF EXISTS search_casevocab",
    "DROP TABLE IF EXISTS search_casefts",
)
_REMAKE = (
    "CREATE VIRTUAL TABLE search_casevocab USING fts5vocab(search_casefts, row)",
    "INSERT INTO search_casefts(search_casefts) VALUES ('rebuild')",
)

# The same statements as ``doudi.search.actions.SQLITE_TRIGGERS`` (a migration keeps its own).
SQLITE = (
    *_DROP,
    _TABLE.format(columns="reach, ", chars=" tokenchars '@'"),
    *_REMAKE,
    """CREATE TRIGGER search_caseindex_ai AFTER INSERT ON search_caseindex BEGIN
        INSERT INTO search_casefts(rowid, tokens, reach) VALUES (new.id, new.tokens, new.reach);
    END""",
    """CREATE TRIGGER search_caseindex_ad AFTER DELETE ON search_caseindex BEGIN
        INSERT INTO search_casefts(search_casefts, rowid, tokens, reach)
        VALUES ('delete', old.id, old.tokens, old.reach);
    END""",
    """CREATE TRIGGER search_caseindex_au AFTER UPDATE OF tokens, reach ON search_caseindex
    BEGIN
        INSERT INTO search_casefts(search_casefts, rowid, tokens, reach)
        VALUES ('delete', old.id, old.tokens, old.reach);
        INSERT INTO search_casefts(rowid, tokens, reach) VALUES (new.id, new.tokens, new.reach);
    END""",
)
# Back to 0005: the tokens alone.
SQLITE_REVERSE = (
    *_DROP,
    _TABLE.format(columns="", chars=""),
    *_REMAKE,
    """CREATE TRIGGER search_caseindex_ai AFTER INSERT ON search_caseindex BEGIN
        INSERT INTO search_casefts(rowid, tokens) VALUES (new.id, new.tokens);
    END""",
    """CREATE TRIGGER search_caseindex_ad AFTER DELETE ON search_caseindex BEGIN
        INSERT INTO search_casefts(search_casefts, rowid, tokens)
        VALUES ('delete', old.id, old.tokens);
    END""",
    """CREATE TRIGGER search_caseindex_au AFTER UPDATE OF tokens ON search_caseindex BEGIN
        INSERT INTO search_casefts(search_casefts, rowid, tokens)
        VALUES ('delete', old.id, old.tokens);
        INSERT INTO search_casefts(rowid, tokens) VALUES (new.id, new.tokens);
    END""",
)


def _run(statements):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == "sqlite":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0005_caseindex_reach")]

    operations = [migrations.RunPython(_run(SQLITE), _run(SQLITE_REVERSE))]
