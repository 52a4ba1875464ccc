"""Every minute, chain what the seals after commit left (a worker stopped, a busy head); the
same task is also scheduled soon after a commit that a process's seal interval passed over."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="*"))
def seal_audit_log() -> None:
    from doudi.audit.actions import seal

    seal(wait=True)
