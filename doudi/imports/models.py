"""An import of cases from a file: checked, then loaded in the background with its progress."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from doudi.directory.models import Centre


class ImportMode(models.TextChoices):
    ALL_OR_NOTHING = "all", _("全部正确才导入")
    GOOD_ROWS = "good", _("只导入正确的行")


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    CHECKING = "checking", _("检查中")
    IMPORTING = "importing", _("导入中")
    DONE = "done", _("已完成")
    REFUSED = "refused", _("有错误，未导入")
    FAILED = "failed", _("失败")


class ImportJob(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="imports"
    )
    centre = models.ForeignKey(Centre, verbose_name=_("中心"), on_delete=models.PROTECT)
    source = models.CharField(_("来源"), max_length=16)
    original_name = models.CharField(_("文件名"), max_length=200)
    file = models.CharField(max_length=200)
    format = models.CharField(max_length=4)
    mode = models.CharField(_("方式"), max_length=4, choices=ImportMode.choices)
    status = models.CharField(
        _("状态"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    total = models.PositiveIntegerField(_("行数"), default=0)
    checked = models.PositiveIntegerField(default=0)  # rows checked (the first pass)
    loaded = models.PositiveIntegerField(default=0)  # rows passed by the second pass
    imported = models.PositiveIntegerField(_("已导入"), default=0)
    skipped = models.PositiveIntegerField(_("已存在，跳过"), default=0)
    bad_rows = models.PositiveIntegerField(_("有错误的行"), default=0)
    # The first errors (row, column, message) and the headers nobody reads; the report lists
    # them, and counts the rest.
    report = models.JSONField(default=dict, blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("导入")
        verbose_name_plural = _("导入")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.original_name} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def running(self) -> bool:
        return self.status in (ImportStatus.QUEUED, ImportStatus.CHECKING, ImportStatus.IMPORTING)

    @property
    def percent(self) -> int:
        """Checking is the first half of the bar, importing the second."""
        if not self.running:
            return 100
        if not self.total:
            return 0
        return min(99, int((self.checked + self.loaded) * 50 / self.total))
