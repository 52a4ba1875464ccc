"""The default taxonomy is seeded after a migrate only once its tables are as the code has
them: a migrate of another app on a fresh database, or to an earlier target, used to fail on
"no such table: triage_cause"."""

from __future__ import annotations

from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.state import ProjectState

from doudi.triage.apps import _seed
from doudi.triage.models import Cause, SolutionPackage


def test_the_taxonomy_waits_for_its_tables_then_is_seeded_once(db: None) -> None:
    SolutionPackage.objects.all().delete()
    Cause.objects.filter(parent__isnull=False).delete()  # children first: the parent is kept
    Cause.objects.all().delete()
    latest = MigrationLoader(connection).project_state()
    _seed(None, apps=ProjectState().apps)  # a fresh database, triage not migrated yet
    assert not Cause.objects.exists()
    older = latest.clone()  # a table without a column the code writes
    older.models["triage", "cause"].fields.pop("default_tier")
    _seed(None, apps=older.apps)
    assert not Cause.objects.exists()
    _seed(None, apps=latest.apps)
    seeded = Cause.objects.count()
    assert seeded > 0
    assert SolutionPackage.objects.exists()
    _seed(None)  # flush passes no state: the tables are there; nothing is added twice
    assert Cause.objects.count() == seeded
