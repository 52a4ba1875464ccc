"""Findings about the staff and windows involved in a case, with appeal and decision."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from doudi.accountability.workflow import COUNTING_STATES, FindingKind, FindingState
from doudi.cases.models import Case
from doudi.directory.models import Staff, Window


class Finding(models.Model):
    case = models.ForeignKey(
        Case, verbose_name=_("案件"), on_delete=models.PROTECT, related_name="findings"
    )
    staff = models.ForeignKey(
        Staff,
        verbose_name=_("工作人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="findings",
    )
    window = models.ForeignKey(
        Window,
        verbose_name=_("窗口"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="findings",
    )
    kind = models.CharField(_("问题类型"), max_length=12, choices=FindingKind.choices)
    evidence = models.TextField(_("事实与证据"), max_length=4000)
    state = models.CharField(
        _("状态"), max_length=10, choices=FindingState.choices, default=FindingState.RECORDED
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("认定人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("认定时间"), default=timezone.now)
    appeal_reason = models.TextField(_("申诉理由"), blank=True)
    decision = models.TextField(_("复核意见"), blank=True)

    class Meta:
        verbose_name = _("问责认定")
        verbose_name_plural = _("问责认定")
        ordering = ["-recorded_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(staff__isnull=False) | models.Q(window__isnull=False),
                name="finding_names_staff_or_window",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.case_id}"

    @property
    def counts(self) -> bool:
        return self.state in COUNTING_STATES


class FindingEvent(models.Model):
    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("事件"), max_length=12)
    at = models.DateTimeField(_("时间"), default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_state = models.CharField(max_length=10, blank=True)
    to_state = models.CharField(max_length=10)
    reason = models.TextField(_("说明"), blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.finding_id} {self.kind}"
