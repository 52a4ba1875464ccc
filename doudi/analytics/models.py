"""What makes a model window (模范窗口), as data an admin can change."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
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

    @classmethod
    def current(cls) -> ModelWindowCriteria:
        row = cls.objects.order_by("pk").first()
        return row if row is not None else cls()
