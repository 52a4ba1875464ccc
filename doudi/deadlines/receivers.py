"""Recompute provisional deadlines when a year's official arrangement arrives."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.dispatch import receiver

from doudi.workcal.signals import calendar_year_imported


@receiver(calendar_year_imported)
def recompute_after_import(sender: Any, year: int, **kwargs: Any) -> None:
    from doudi.deadlines.actions import recompute_provisional

    transaction.on_commit(lambda: recompute_provisional(year=year))
