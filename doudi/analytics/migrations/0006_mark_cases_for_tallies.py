"""The cases registered before DailyTally existed contribute nothing to it yet: mark them all,
so that the roll-up recomputes their contributions (with the tallies) when it next applies
marks. A large installation should rather run `doudi figures rebuild` during the upgrade."""

from django.db import migrations
from django.utils import timezone


def mark_cases(apps, schema_editor):  # type: ignore[no-untyped-def]
    DirtySource = apps.get_model("analytics", "DirtySource")
    Case = apps.get_model("cases", "Case")
    dirty, cases = DirtySource._meta.db_table, Case._meta.db_table
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {dirty} WHERE key LIKE 'c%%'")  # noqa: S608
        cursor.execute(
            f"INSERT INTO {dirty} (key, marked_at) "  # noqa: S608
            f"SELECT 'c' || CAST(id AS VARCHAR(20)), %s FROM {cases}",
            [timezone.now()],
        )


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0005_daily_tally"),
        ("cases", "0007_reporter_masked"),
    ]

    operations = [migrations.RunPython(mark_cases, migrations.RunPython.noop, elidable=True)]
