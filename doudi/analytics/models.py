"""What makes a model window (模范窗口), as data an admin can change."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ModelWindowCriteria(models.Model):
    """One row: the bar a window must clear in a period to be named a model window."""

    min_ratings = models.PositiveIntegerField(_("最少评价数"), default=30)
    min_satisfaction = models.DecimalField(
        _("最低满意率"), max_digits=4, decimal_places=3, default=Decimal("0.980")
    )
    max_cases_per_100 = models.DecimalField(
        _("每百次评价“办不成事”案件数上限"), max_digits=5, decimal_places=2, default=Decimal("1.00")
    )
    max_findings = models.PositiveIntegerField(_("问责认定上限"), default=0)
    # Rankings show a rate only from this many rows up (fewer is "样本不足").
    min_sample = models.PositiveIntegerField(_("排名最少样本"), default=20)

    class Meta:
        verbose_name = _("模范窗口标准")
        verbose_name_plural = _("模范窗口标准")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    @property
    def min_satisfaction_percent(self) -> str:
        """The bar as people read it: "98%", "98.5%"."""
        return f"{self.min_satisfaction * 100:.1f}".removesuffix(".0") + "%"

    @classmethod
    def current(cls) -> ModelWindowCriteria:
        row = cls.objects.order_by("pk").first()
        return row if row is not None else cls()


# --- Roll-up of the figures ---------------------------------------------------------------------
# The dashboard's figures are sums over DailyFigure rows instead of aggregates over millions of
# cases. Each case (and each window rating without a case) contributes "facts": counts for a
# day, a centre, a channel, a cause and a set of departments. Its last contribution is kept in
# FigureSource, so that a change is applied as the difference. Actions mark what they touched in
# DirtySource (in their own transaction, by signals); readers and a periodic task apply the
# marks before reading, so a figure read is exact. docs/metrics.md explains the figures.

COUNTERS: tuple[str, ...] = (
    "received",  # registration day
    "open",
    "spot",
    "visits_sum",
    "answered",  # the task force's acceptance day
    "answer_days_n",
    "answer_days_sum",
    "issued",  # work orders, by the issue day
    "disputed",
    "sign_due",  # sign-for clocks, by the due day
    "sign_met",
    "answer_met",  # answer clocks, by the stop day
    "answer_on_time",
    "fix_met",  # 差评 fix clocks, by the stop day
    "fix_on_time",
    "visited",  # return visits that reached the reporter, by the conclusion day
    "solved",
    "reopened",
    "rated",  # ratings not excluded, by the rating day
    "rated_good",
)

ALL_DEPARTMENTS = 0  # the department key of the rows that count for every department
NO_CAUSE = 0


class DailyFigure(models.Model):
    """Counters for one day, centre, department key, channel and cause.

    ``department`` is a key, not a foreign key: 0 counts everything; a department's id counts
    what falls in its subtree (each row is written once for every ancestor of the departments
    concerned), so a department filter reads its own key and never adds a subtree twice.
    """

    day = models.DateField()
    centre = models.PositiveIntegerField()
    department = models.PositiveIntegerField()
    channel = models.CharField(max_length=16)
    cause = models.PositiveIntegerField()
    received = models.BigIntegerField(default=0)
    open = models.BigIntegerField(default=0)
    spot = models.BigIntegerField(default=0)
    visits_sum = models.BigIntegerField(default=0)
    answered = models.BigIntegerField(default=0)
    answer_days_n = models.BigIntegerField(default=0)
    answer_days_sum = models.BigIntegerField(default=0)
    issued = models.BigIntegerField(default=0)
    disputed = models.BigIntegerField(default=0)
    sign_due = models.BigIntegerField(default=0)
    sign_met = models.BigIntegerField(default=0)
    answer_met = models.BigIntegerField(default=0)
    answer_on_time = models.BigIntegerField(default=0)
    fix_met = models.BigIntegerField(default=0)
    fix_on_time = models.BigIntegerField(default=0)
    visited = models.BigIntegerField(default=0)
    solved = models.BigIntegerField(default=0)
    reopened = models.BigIntegerField(default=0)
    rated = models.BigIntegerField(default=0)
    rated_good = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["department", "day", "centre", "channel", "cause"],
                name="analytics_dailyfigure_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.centre}/{self.department}/{self.channel}/{self.cause}"


class FigureSource(models.Model):
    """The last contribution of one case ("c<id>") or window rating ("r<id>")."""

    key = models.CharField(max_length=24, primary_key=True)
    facts = models.JSONField(default=dict)

    def __str__(self) -> str:
        return self.key


class DirtySource(models.Model):
    """A case or rating changed since its contribution was applied."""

    key = models.CharField(max_length=24, primary_key=True)
    # Written on every mark: a mark is an upsert, which waits for a concurrent apply that
    # holds the row, so a change committed after the apply read its facts keeps its mark.
    marked_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.key


class CaseDepartment(models.Model):
    """A case and every department it concerns, with their ancestors (its service item's and
    its work orders' departments), by registration day: the cases a department sees in a
    period, read by index instead of through its work orders. Kept with the roll-up."""

    case_id = models.BigIntegerField()
    department = models.PositiveIntegerField()
    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case_id", "department"], name="case_department_once")
        ]
        indexes = [
            models.Index(fields=["department", "day", "case_id"], name="case_department_day"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.department}"


class Tally(models.TextChoices):
    """The further dimensions of the received cases that ``DailyTally`` counts."""

    WINDOW = "window"
    STAFF = "staff"
    ITEM = "item"
    HOUR = "hour"  # the hour of registration (the weekday comes with the day)


class DailyTally(models.Model):
    """Received cases of a day and centre counted by one more dimension: each window and staff
    member they name, their service item, the hour they were registered. The dashboard's
    top-10 lists and weekday × hour map read these (for every department, without a channel or
    cause filter) instead of joining a period's cases to their windows and staff."""

    dimension = models.CharField(max_length=8, choices=Tally.choices)
    day = models.DateField()
    centre = models.PositiveIntegerField()
    value = models.PositiveIntegerField()
    n = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["dimension", "day", "centre", "value"], name="analytics_dailytally_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.centre} {self.dimension}={self.value}: {self.n}"
