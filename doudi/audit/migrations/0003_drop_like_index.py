# The audit log is written by every action; its action column is filtered by equality only.
from django.db import migrations

from doudi.core.migration_ops import DropLikeIndexes


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_chain")]

    operations = [DropLikeIndexes(model_name="auditentry", fields=["action"])]
