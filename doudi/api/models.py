"""API tokens: one per user or per integration (12345 platform, another government system),
stored as a hash, scoped, revocable."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    CASES_READ = "cases:read", _("读取案件")
    CASES_REGISTER = "cases:register", _("登记案件")
    CASES_WRITE = "cases:write", _("办理案件")
    WORK_ORDERS_READ = "work_orders:read", _("读取工作单")
    WORK_ORDERS_WRITE = "work_orders:write", _("办理工作单")
    METRICS_READ = "metrics:read", _("读取统计")
    VISITS_READ = "visits:read", _("读取回访")
    VISITS_WRITE = "visits:write", _("办理回访")
    RATINGS_READ = "ratings:read", _("读取评价")
    RATINGS_WRITE = "ratings:write", _("提交和核实评价")


class ApiToken(models.Model):
    """A bearer token ``ddt_<prefix>_<secret>``: the prefix finds the row, the SHA-256 of the
    whole token proves it (a token has 190 random bits, so a fast hash is enough). It acts as
    its user, within that user's role and scope, and only for its own scopes. An integration's
    token registers cases and reads only the cases it registered."""

    name = models.CharField(_("名称"), max_length=100)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    integration = models.BooleanField(_("系统对接"), default=False)
    prefix = models.CharField(max_length=12, unique=True, editable=False)
    digest = models.CharField(max_length=64, editable=False)
    scopes = models.JSONField(_("权限范围"), default=list)
    created_at = models.DateTimeField(_("创建时间"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"
