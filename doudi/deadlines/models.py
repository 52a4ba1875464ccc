"""Clocks (triage, sign-for, answer, return visit) and supervision items (督办).

A clock's due time is computed by pure code (doudi.lib.workdays) and stored in an indexed
column; the sweep finds due rows through it and claims each with a conditional update.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from doudi.cases.models import Case
from doudi.directory.models import Department


class ClockKind(models.TextChoices):
    TRIAGE = "triage", _("分拣派单")
    SIGN = "sign", _("部门签收")
    ANSWER = "answer", _("办理答复")
    VISIT = "visit", _("回访")
    VERIFY = "verify", _("差评核实")
    FIX = "fix", _("差评整改")


class ClockState(models.TextChoices):
    ON_TIME = "on_time", _("正常")
    DUE_SOON = "due_soon", _("即将到期")
    OVERDUE = "overdue", _("已逾期")
    MET = "met", _("已完成")
    CANCELLED = "cancelled", _("已取消")


RUNNING_STATES = (ClockState.ON_TIME, ClockState.DUE_SOON, ClockState.OVERDUE)


class Clock(models.Model):
    kind = models.CharField(_("时限"), max_length=8, choices=ClockKind.choices)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="clocks")
    work_order = models.ForeignKey(
        "workorders.WorkOrder",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="clocks",
    )
    # What the due time is computed from, so that it can be recomputed (a calendar import
    # turns a provisional deadline into an official one; an extension adds days).
    counted_from = models.DateTimeField(_("起算时间"))
    working_days = models.PositiveSmallIntegerField(_("工作日"))
    due_at_noon = models.BooleanField(default=False)  # the triage clock: 12:00, not end of day
    due_at = models.DateTimeField(_("期限"))
    soon_at = models.DateTimeField()
    provisional = models.BooleanField(_("暂定"), default=False)
    state = models.CharField(
        _("状态"), max_length=10, choices=ClockState.choices, default=ClockState.ON_TIME
    )
    started_at = models.DateTimeField()
    stopped_at = models.DateTimeField(null=True, blank=True)
    # How late it was when it stopped (0 when in time), in working days and in hours.
    late_working_days = models.PositiveIntegerField(default=0)
    late_hours = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("时限")
        verbose_name_plural = _("时限")
        indexes = [
            models.Index(fields=["state", "due_at"], name="clock_state_due"),
            models.Index(fields=["state", "soon_at"], name="clock_state_soon"),
            models.Index(fields=["provisional", "state"], name="clock_provisional"),
            # The leaders' figures pick clocks by when they came due or stopped.
            models.Index(fields=["kind", "due_at"], name="clock_kind_due"),
            models.Index(fields=["kind", "stopped_at"], name="clock_kind_stopped"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def state_now(self) -> str:
        """The state to show: a running clock's stored state is moved on by the sweep, which
        runs every few minutes (and not at all until a worker runs), so a page would say 正常
        past the deadline; here the due times decide, and a stored later state stands."""
        if self.state not in RUNNING_STATES:
            return self.state
        now = timezone.now()
        by_time = (
            ClockState.OVERDUE
            if now >= self.due_at
            else ClockState.DUE_SOON
            if now >= self.soon_at
            else ClockState.ON_TIME
        )
        return max(by_time, self.state, key=RUNNING_STATES.index)

    @property
    def state_now_label(self) -> str:
        return str(ClockState(self.state_now).label)


class Supervision(models.Model):
    """A 督办 item: raised once for each clock that became overdue."""

    clock = models.OneToOneField(Clock, on_delete=models.CASCADE, related_name="supervision")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="supervisions")
    work_order = models.ForeignKey(
        "workorders.WorkOrder",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="supervisions",
    )
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="supervisions"
    )
    raised_at = models.DateTimeField(_("督办时间"))
    resolved_at = models.DateTimeField(_("解除时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("督办")
        verbose_name_plural = _("督办")
        ordering = ["-raised_at"]
        indexes = [models.Index(fields=["department", "resolved_at"], name="supervision_open")]

    def __str__(self) -> str:
        return f"{self.clock} {self.raised_at:%Y-%m-%d}"
