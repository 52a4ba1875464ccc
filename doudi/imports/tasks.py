"""Imports run in the worker."""

from __future__ import annotations

from huey.contrib.djhuey import db_task


@db_task()
def run_import(job_id: int) -> None:
    from doudi.imports.actions import import_run

    import_run(job_id)
