"""Exporting a list: the same rows as the list, masked unless asked (and allowed), logged,
written in the background with its progress, downloadable by its requester alone."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from unittest.mock import patch

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from doudi.audit.models import AuditEntry
from doudi.cases.actions import Intake, Reporter, case_register
from doudi.conftest import Org, Personas
from doudi.exports.actions import exports_purge
from doudi.exports.models import ExportJob
from doudi.exports.tests.conftest import download

pytestmark = pytest.mark.usefixtures("immediate_huey")


@pytest.fixture
def cases(org: Org, people: Personas) -> None:
    for n, centre in enumerate((org.centre_a, org.centre_a, org.centre_b)):
        case_register(
            actor=people.clerk_a if centre == org.centre_a else people.clerk_b,
            intake=Intake(
                centre=centre,
                channel="hotline" if n else "window",
                title=f"导出案件{n}",
                description="经过",
                reporter=Reporter(name="赵铁柱", phone="13800001234"),
            ),
        )


def test_a_csv_export_is_the_list_masked_and_logged(
    cases: None, people: Personas, client_for, export
) -> None:
    client = client_for(people.clerk_a)
    response = export(client, kind="cases", format="csv", channel="hotline")
    job = ExportJob.objects.get()
    assert response.url == f"/exports/{job.pk}/"
    assert (job.status, job.total, job.written, job.params) == (
        "done", 1, 1, {"channel": "hotline"},
    )  # fmt: skip
    rows = list(csv.reader(io.StringIO(download(client, job).decode("utf-8-sig"))))
    assert rows[0][0] == "案件编号"
    assert [row[6] for row in rows[1:]] == ["导出案件1"]  # centre B's is not the clerk's
    assert rows[1][7:9] == ["赵**", "138****1234"]
    entry = AuditEntry.objects.get(action="export")
    assert entry.detail["params"] == {"channel": "hotline"}
    page = client.get(f"/exports/{job.pk}/").content.decode()
    assert "100%" in page


def test_a_masked_export_decrypts_nothing(
    cases: None, people: Personas, client_for, export
) -> None:
    client = client_for(people.clerk_a)
    with patch("doudi.core.crypto.decrypt", side_effect=AssertionError("decrypted")):
        export(client, kind="cases", format="xlsx")
    job = ExportJob.objects.get()
    assert job.status == "done", job.error
    rows = [list(row) for row in load_workbook(io.BytesIO(download(client, job))).active.values]
    assert [row[7:9] for row in rows[1:]] == [["赵**", "138****1234"]] * 2


def test_an_unmasked_xlsx_export_needs_the_capability(
    cases: None, people: Personas, client_for, export
) -> None:
    client = client_for(people.clerk_a)
    export(client, kind="cases", format="xlsx", unmask="1")
    job = ExportJob.objects.get()
    sheet = load_workbook(io.BytesIO(download(client, job)), read_only=True).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert len(values) == 3  # the header and centre A's two cases
    assert values[1][7:9] == ["赵铁柱", "13800001234"]
    assert AuditEntry.objects.filter(action="export.unmasked").count() == 1
    # A leader may not see personal data: the request is refused and nothing is queued.
    leader = client_for(people.leader_a)
    export(leader, kind="cases", format="xlsx", unmask="1")
    assert ExportJob.objects.count() == 1


def test_an_export_is_its_requesters_alone(
    cases: None, people: Personas, client_for, export
) -> None:
    export(client_for(people.clerk_a), kind="cases", format="csv")
    job = ExportJob.objects.get()
    other = client_for(people.taskforce_a)
    assert other.get(f"/exports/{job.pk}/").status_code == 404
    assert other.get(f"/exports/{job.pk}/download/").status_code == 404


def test_bad_requests_create_nothing(people: Personas, client_for, export) -> None:
    client = client_for(people.clerk_a)
    export(client, kind="users", format="csv")
    export(client, kind="cases", format="pdf")
    assert not ExportJob.objects.exists()
    assert client.get("/exports/new/").status_code == 405


def test_a_drill_down_exports_its_cases(cases: None, people: Personas, client_for, export) -> None:
    client = client_for(people.leader_a)
    export(
        client,
        **{
            "kind": "drill",
            "format": "csv",
            "metric": "received",
            "side": "num",
            "preset": "month",
        },
    )
    job = ExportJob.objects.get()
    assert (job.status, job.total) == ("done", 2)


def test_old_exports_are_purged_with_their_files(
    cases: None, people: Personas, client_for, export
) -> None:
    export(client_for(people.clerk_a), kind="cases", format="csv")
    job = ExportJob.objects.get()
    from doudi.exports.actions import export_dir

    path = export_dir() / job.file
    assert path.exists()
    assert exports_purge(now=timezone.now() + timedelta(days=6)) == 0
    assert exports_purge(now=timezone.now() + timedelta(days=8)) == 1
    assert not path.exists()
