"""Each term's number of cases (``Term``), counted from the index once: on SQLite from the FTS5
vocabulary, on PostgreSQL from the terms themselves. Then kept by the index's writes."""

from django.db import migrations, models

FILL = {
    "sqlite": (
        "INSERT INTO search_term (term, docs) SELECT term, doc FROM search_casevocab",
    ),
    "postgresql": (
        "SET LOCAL work_mem = '256MB'",
        "INSERT INTO search_term (term, docs) SELECT term, count(*)"
        " FROM search_caseindex, unnest(string_to_array(tokens, ' ')) AS term"
        " WHERE term <> '' GROUP BY term",
    ),
}


def fill(apps, schema_editor):  # type: ignore[no-untyped-def]
    for sql in FILL.get(schema_editor.connection.vendor, ()):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("search", "0002_index_existing_cases")]

    operations = [
        migrations.CreateModel(
            name="Term",
            fields=[
                ("term", models.TextField(primary_key=True, serialize=False)),
                ("docs", models.IntegerField()),
            ],
            options={"verbose_name": "检索词频", "verbose_name_plural": "检索词频"},
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
