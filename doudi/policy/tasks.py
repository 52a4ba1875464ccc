"""Recurrence checks, one task per newly registered case."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from doudi.lib.memory import release_free_memory
from doudi.policy.actions import policy_recurrence_check
from doudi.policy.selectors import warm_default_views


@db_task()
def check_recurrence(case_id: int) -> int:
    return len(policy_recurrence_check(case_id=case_id))


@db_periodic_task(crontab(minute="*/10"))
def warm_recurring_problems() -> int:
    """Cluster the last 30 days of every task force's centre, so that the page opens at once;
    then give the clustering's freed memory back (the soak saw the worker keep its peak)."""
    centres = warm_default_views()
    release_free_memory()
    return centres
