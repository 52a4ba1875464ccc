"""The departments each case has been sent to (``CaseRecipient``), filled from the existing
work orders in one statement (a million work orders take seconds)."""

import django.db.models.deletion
from django.db import migrations, models

FILL = (
    "INSERT INTO workorders_caserecipient (department_id, case_id)"
    " SELECT DISTINCT department_id, case_id FROM workorders_workorder"
)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0001_initial"),
        ("directory", "0001_initial"),
        ("workorders", "0002_leaders_figures_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="CaseRecipient",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "case",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="cases.case",
                    ),
                ),
                (
                    "department",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="directory.department",
                    ),
                ),
            ],
            options={
                "verbose_name": "案件承办部门",
                "verbose_name_plural": "案件承办部门",
                "indexes": [
                    models.Index(fields=["case", "department"], name="case_recipient_case")
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("department", "case"), name="case_recipient_pair"
                    )
                ],
            },
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
    ]
