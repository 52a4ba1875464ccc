"""The access matrix's cells of the JSON API and Open311, and the Django admin's rule, in a module
of their own so that the suite's two workers share the matrix. The table, what each cell means
and its size: ``test_access_matrix.py``."""

from __future__ import annotations

import pytest
from django.db import transaction

from doudi.accounts.roles import Capability, capabilities_of
from doudi.core.tests.matrix import (
    World,
    all_patterns,
    cells_of,
    fresh_client,
    leaks,
    outcome,
    path_of,
    sees,
)
from doudi.core.tests.test_access_matrix import (
    ADMIN_EVERY_PATTERN,
    ADMIN_EXCEPTIONS,
    ADMIN_INDEX,
    ROWS,
    run_rows,
)


@pytest.mark.parametrize("kind", ["api", "open311"])
def test_every_cell_answers_as_the_table_says(matrix_world: World, db: None, kind: str) -> None:
    rows = [row for row in ROWS if row.kind == kind]
    checked, problems = run_rows(matrix_world, rows)
    assert not problems, f"{len(problems)} of {checked} cells differ:\n" + "\n".join(problems)
    assert checked == cells_of(rows)


def test_every_export_holds_only_what_its_reader_sees(matrix_world: World, db: None) -> None:
    """Each kind of export, for each role, masked and (for whoever may) unmasked: the file, which
    the matrix downloads for one kind only. Out of scope filters (centre B) match nothing."""
    from doudi.exports.actions import export_dir, export_request, export_run
    from doudi.exports.sources import SOURCES

    world = matrix_world
    outside = world.halves["out"]
    params = {"drill": {"metric": "received", "preset": "year", "centre": str(outside.centre.pk)}}
    problems = []
    for actor, user in world.users.items():
        if actor == "off":
            continue
        may_unmask = Capability.PERSONAL_DATA in capabilities_of(user.role)
        for kind in SOURCES:
            for unmask in (False, True) if may_unmask else (False,):
                with transaction.atomic():
                    job = export_request(
                        actor=user,
                        kind=kind,
                        params=params.get(kind, {}),
                        fmt="csv",
                        unmask=unmask,
                        enqueue=False,
                    )
                    job = export_run(job.pk)
                    transaction.set_rollback(True)
                assert job.status == "done", (actor, kind, job.error)
                text = (export_dir() / job.file).read_text(encoding="utf-8-sig")
                allowed = sees(actor)
                if unmask:  # the full names of the cases it sees (the confidential: by role)
                    sides = {side for side, thing in allowed if thing == "case"}
                    allowed |= {(side, "name") for side in sides}
                    if actor in ("tforce", "superv"):
                        allowed |= {(side, "secretname") for side in sides}
                shown = leaks(world, text, allowed)
                if shown:
                    problems.append(f"{actor} {kind} unmask={unmask}: {', '.join(shown)}")
                if actor == "admin" and kind == "cases":  # the check can see: B is there for
                    assert outside.case.number in text  # the admin
    assert not problems, "\n".join(problems)


def test_the_admin_pages_are_the_admin_s(matrix_world: World, db: None) -> None:
    admin, _others = all_patterns()
    staff = {actor for actor, user in matrix_world.users.items() if user.is_staff}
    assert staff == {"admin"}  # the admin's gate lets in staff accounts: the admin's alone
    values = {
        "content_type_id": 1,
        "object_id": 1,
        "id": 1,
        "app_label": "directory",
        "file_format": "png",
        "url": "no/such/page/",
    }
    checked, problems = 0, []
    for key, pattern in sorted(admin.items()):
        cells = {actor: ADMIN_EXCEPTIONS.get(key, "alogin") for actor in ADMIN_EVERY_PATTERN}
        if key == "admin:index":
            cells.update(ADMIN_INDEX)
        for actor, code in cells.items():
            client = fresh_client(matrix_world.sessions[actor])
            with transaction.atomic():
                got = outcome(client.get(path_of(pattern, values)))
                transaction.set_rollback(True)
            checked += 1
            if got != code:
                problems.append(f"{key} {actor}: {got}, not {code}")
    assert not problems, "\n".join(problems)
    assert checked == len(admin) * len(ADMIN_EVERY_PATTERN) + len(ADMIN_INDEX)


def test_the_figures_count_only_what_their_reader_sees(matrix_world: World, db: None) -> None:
    """Counts carry no marker: the dashboard's cases received this year, for each reader, are
    the cases the reader may open (10 of centre A, 4 about department X, all 15 for the admin)."""
    from doudi.analytics.forms import FilterForm
    from doudi.analytics.selectors import metrics
    from doudi.cases.access import case_visibility
    from doudi.cases.models import Case
    from doudi.directory.selectors import visible_centres, visible_departments

    found = {}
    for actor, user in matrix_world.users.items():
        if actor != "off" and user.can(Capability.DASHBOARD):
            centres, departments = visible_centres(user), visible_departments(user)
            form = FilterForm({"preset": "year"}, centres=centres, departments=departments)
            assert form.is_valid(), form.errors
            received = metrics(user, form.filters())["received"].value
            found[actor] = (received, Case.objects.filter(case_visibility(user)).count())
    seen = {"tforce": 10, "superv": 10, "leader": 10, "leadx": 4, "admin": 15}
    assert found == {actor: (count, count) for actor, count in seen.items()}
