# Every registration marks its case ("c<id>") dirty; the keys are looked up by equality only.
from django.db import migrations

from doudi.core.migration_ops import DropLikeIndexes


class Migration(migrations.Migration):
    dependencies = [("analytics", "0006_mark_cases_for_tallies")]

    operations = [
        DropLikeIndexes(model_name="dirtysource", fields=["key"]),
        DropLikeIndexes(model_name="figuresource", fields=["key"]),
    ]
