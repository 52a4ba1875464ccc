"""The supervision sweep, every five minutes, and the notices it raises."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_periodic_task(crontab(minute="*/5"))
def sweep_clocks() -> None:
    from doudi.deadlines.actions import sweep

    sweep()


@db_task()
def notify_supervisions(supervision_ids: list[int]) -> None:
    from doudi.deadlines.notices import send_supervision_notices

    send_supervision_notices(supervision_ids)
