"""Weekly and monthly reports: the figures of a period for a centre's subtree, kept as made."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from doudi.directory.models import Centre


class ReportKind(models.TextChoices):
    WEEK = "week", _("周报")
    MONTH = "month", _("月报")


class Report(models.Model):
    """One report: its figures (``data``, as computed when made) and its PDF and Excel files
    (under DATA_DIR/reports). Made again for the same period, it is replaced."""

    centre = models.ForeignKey(
        Centre, verbose_name=_("中心"), on_delete=models.CASCADE, related_name="reports"
    )
    kind = models.CharField(_("类型"), max_length=8, choices=ReportKind.choices)
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期（不含）"))
    made_at = models.DateTimeField(_("生成时间"))
    data = models.JSONField(default=dict)
    pdf = models.CharField(max_length=200, blank=True)
    xlsx = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("报告")
        verbose_name_plural = _("报告")
        ordering = ["-start", "kind", "centre__path"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "kind", "start"], name="report_once")
        ]

    def __str__(self) -> str:
        return f"{self.centre} {self.get_kind_display()} {self.start}"
