"""The working-day calendar as data: one row per year with an arrangement, one per special day.

Only weekdays off (holidays) and weekend days on (make-up days, 调休上班) are stored, with the
weekend days inside a holiday as the State Council lists them; every other day follows the week.
Rows change only through ``doudi.workcal.actions`` (seeding and import), which keeps each
year's days and its ``imported_at`` stamp together: ``selectors.work_calendar`` relies on it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CalendarYear(models.Model):
    class Source(models.TextChoices):
        LIBRARY = "library", _("内置库（chinese-calendar）")
        IMPORT = "import", _("管理员导入")
        # Listed without an arrangement: its days are the statutory holidays alone (provisional).
        STATUTORY = "statutory", _("仅法定节假日（暂定）")

    OFFICIAL_SOURCES = (Source.LIBRARY, Source.IMPORT)

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices)
    imported_at = models.DateTimeField(_("导入时间"), default=timezone.now)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("年度安排")
        verbose_name_plural = _("年度安排")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)

    @property
    def is_official(self) -> bool:
        return self.source in self.OFFICIAL_SOURCES


class CalendarDay(models.Model):
    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("放假")
        MAKEUP = "makeup", _("调休上班")

    day = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    name = models.CharField(_("节日"), max_length=50, blank=True)
    year = models.PositiveSmallIntegerField(_("年份"), db_index=True)

    class Meta:
        verbose_name = _("节假日与调休")
        verbose_name_plural = _("节假日与调休")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.get_kind_display()} {self.name}".strip()
