"""Index the cases that exist when search arrives (those without a row). Fine for thousands
of cases; a large installation should rather stop at 0001 and use the bulk path, after which
this finds nothing to do:

    doudi migrate search 0001 && doudi search rebuild && doudi migrate
"""

from django.db import migrations

from doudi.lib.cjk import document_tokens

FIELDS = ("number", "title", "description", "request", "matter_text", "outcome")


def index_cases(apps, schema_editor):  # type: ignore[no-untyped-def]
    Case = apps.get_model("cases", "Case")
    CaseIndex = apps.get_model("search", "CaseIndex")
    batch = []
    cases = Case.objects.filter(search_index__isnull=True).order_by()
    cases = cases.values("id", "centre_id", "registered_at", *FIELDS)
    for values in cases.iterator(chunk_size=2000):
        # The key of doudi.search.models.index_key: the registration second, then the id.
        key = (max(0, int(values["registered_at"].timestamp())) << 30) | values["id"]
        tokens = document_tokens(*(values[name] or "" for name in FIELDS))
        batch.append(
            CaseIndex(id=key, case_id=values["id"], centre_id=values["centre_id"], tokens=tokens)
        )
        if len(batch) == 2000:
            CaseIndex.objects.bulk_create(batch)
            batch = []
    CaseIndex.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(index_cases, migrations.RunPython.noop, elidable=True)]
