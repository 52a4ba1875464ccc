"""Exports run in the worker; old ones are deleted every night."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_task()
def run_export(job_id: int) -> None:
    from doudi.exports.actions import export_run

    export_run(job_id)


@db_periodic_task(crontab(hour="3", minute="30"))
def purge_exports() -> None:
    from doudi.exports.actions import exports_purge

    exports_purge()
