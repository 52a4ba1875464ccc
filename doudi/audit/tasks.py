"""Chain the audit entries that the seals after commit left: soon after a commit that a
process's seal interval passed over, and every minute (a worker stopped, a busy head)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_periodic_task(crontab(minute="*"))
def seal_audit_log() -> None:
    from doudi.audit.actions import seal

    seal(wait=True)


@db_task()
def seal_audit_log_soon() -> None:
    from doudi.audit.actions import seal

    seal()
