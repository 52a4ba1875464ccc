"""Asking for an export through the real URL, and reading the file back."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from doudi.exports.models import ExportJob


@pytest.fixture
def export(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """Ask for an export; it is queued after the request commits, and runs then."""

    def post(client, **data: str):  # type: ignore[no-untyped-def]
        with django_capture_on_commit_callbacks(execute=True):
            return client.post("/exports/new/", data)

    return post


def download(client, job: ExportJob) -> bytes:  # type: ignore[no-untyped-def]
    response = client.get(f"/exports/{job.pk}/download/")
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def read_back(client, job: ExportJob) -> list[list[Any]]:  # type: ignore[no-untyped-def]
    """The file's rows, the header first: CSV (UTF-8 with a BOM) or the XLSX's one sheet."""
    content = download(client, job)
    if job.format == "csv":
        return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    return [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]
