"""The cases app's periodic work: the end of the retention period."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(hour="2", minute="40"))
def anonymise_expired_cases() -> int:
    """Nightly: the personal data of cases settled longer ago than DOUDI_RETENTION_DAYS."""
    from doudi.cases.actions import cases_anonymise_expired

    return cases_anonymise_expired()
