"""Ratings of windows (好差评) and of cases' results, and return visits (回访).

A rating changes state only in actions.py, which writes a RatingEvent in the same transaction.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from doudi.cases.models import Case
from doudi.core.crypto import EncryptedTextField
from doudi.core.statetable import event_label
from doudi.directory.models import Centre, Staff, Window
from doudi.feedback.workflow import (
    BAD_LEVELS,
    RATING_MOVES,
    Level,
    Method,
    RatingState,
    Source,
    VisitOutcome,
)


class Rating(models.Model):
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices)
    centre = models.ForeignKey(
        Centre, verbose_name=_("中心"), on_delete=models.PROTECT, related_name="ratings"
    )
    window = models.ForeignKey(
        Window,
        verbose_name=_("窗口"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ratings",
    )
    staff = models.ForeignKey(
        Staff,
        verbose_name=_("工作人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ratings",
    )
    # The case whose result was rated (return visit, the reporter's link).
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.CASCADE, related_name="ratings"
    )
    # The rectification case a 差评 opened.
    rectification = models.OneToOneField(
        Case,
        verbose_name=_("整改案件"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="rectified_rating",
    )
    level = models.PositiveSmallIntegerField(_("总体评价"), choices=Level.choices)
    efficiency = models.PositiveSmallIntegerField(
        _("办事效率"), choices=Level.choices, null=True, blank=True
    )
    attitude = models.PositiveSmallIntegerField(
        _("服务态度"), choices=Level.choices, null=True, blank=True
    )
    professionalism = models.PositiveSmallIntegerField(
        _("业务水平"), choices=Level.choices, null=True, blank=True
    )
    comment = models.TextField(_("评价内容"), max_length=500, blank=True)
    callback_phone = EncryptedTextField(_("回电号码"), blank=True, default="")
    # The service event rated: a window page's one-time token, or a case's visit round.
    event_key = models.CharField(max_length=64, unique=True, editable=False)
    state = models.CharField(_("状态"), max_length=10, choices=RatingState.choices)
    rated_at = models.DateTimeField(_("评价时间"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("评价")
        verbose_name_plural = _("评价")
        ordering = ["-rated_at", "-id"]
        indexes = [
            models.Index(fields=["window", "rated_at"], name="rating_window_at"),
            models.Index(fields=["centre", "rated_at"], name="rating_centre_at"),
            models.Index(fields=["state", "rated_at"], name="rating_state_at"),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.rated_at:%Y-%m-%d}"

    @property
    def is_bad(self) -> bool:
        return self.level in BAD_LEVELS


class RatingEvent(models.Model):
    rating = models.ForeignKey(Rating, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("事件"), max_length=20)
    at = models.DateTimeField(_("时间"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    from_state = models.CharField(max_length=10, blank=True)
    to_state = models.CharField(max_length=10, blank=True)
    reason = models.TextField(_("理由"), blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.rating_id} {self.kind}"

    @property
    def kind_label(self) -> str:
        return event_label(RATING_MOVES, self.kind, {"submit": _("收到评价")})

    @property
    def to_state_label(self) -> str:
        return str(RatingState(self.to_state).label) if self.to_state in RatingState.values else ""


class ReturnVisit(models.Model):
    """One return visit of a case: one per answer (a reopened case is visited again)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="return_visits")
    round = models.PositiveSmallIntegerField(_("轮次"), default=1)
    opened_at = models.DateTimeField(_("答复时间"))
    outcome = models.CharField(
        _("回访结果"), max_length=12, choices=VisitOutcome.choices, blank=True, db_index=True
    )
    solved = models.BooleanField(_("是否解决"), null=True, blank=True)
    level = models.PositiveSmallIntegerField(
        _("满意度"), choices=Level.choices, null=True, blank=True
    )
    comment = models.TextField(_("反映人意见"), blank=True)
    note = models.TextField(_("回访说明"), blank=True)
    concluded_at = models.DateTimeField(_("回访完成时间"), null=True, blank=True, db_index=True)
    concluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("回访人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    by_reporter = models.BooleanField(_("反映人自评"), default=False)

    class Meta:
        verbose_name = _("回访")
        verbose_name_plural = _("回访")
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "round"], name="return_visit_case_round")
        ]

    def __str__(self) -> str:
        return f"{self.case_id} #{self.round}"

    @property
    def is_open(self) -> bool:
        return self.outcome == VisitOutcome.OPEN


class VisitAttempt(models.Model):
    visit = models.ForeignKey(ReturnVisit, on_delete=models.CASCADE, related_name="attempts")
    method = models.CharField(_("方式"), max_length=8, choices=Method.choices)
    reached = models.BooleanField(_("是否联系上"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    at = models.DateTimeField(_("时间"), default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.visit_id} {self.method} {self.reached}"
