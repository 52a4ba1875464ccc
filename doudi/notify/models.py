"""The outbox: one row per message to send, written in the same transaction as the change."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from doudi.core.crypto import EncryptedTextField
from doudi.lib.masking import mask_email, mask_phone


class Notification(models.Model):
    """A message to a reporter, rendered when enqueued and delivered by the task queue.

    ``next_attempt_at`` is when the row is next due: the sweep finds due rows through it, and a
    worker that claims a row moves it into the future as a lease, so no two workers send it.
    """

    class Channel(models.TextChoices):
        SMS = "sms", _("短信")
        EMAIL = "email", _("电子邮件")

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")

    channel = models.CharField(_("渠道"), max_length=8, choices=Channel.choices)
    # Personal data: the phone number or e-mail address, and texts that may contain names.
    recipient = EncryptedTextField(_("收件人"))
    template = models.CharField(_("模板"), max_length=64)
    subject = EncryptedTextField(_("标题"), blank=True)
    body = EncryptedTextField(_("内容"))
    # The case this message is about; no foreign key so that the outbox depends on no other app.
    case_id = models.PositiveBigIntegerField(_("案件ID"), null=True, blank=True, db_index=True)
    status = models.CharField(
        _("状态"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试时间"), default=timezone.now, db_index=True)
    # Encrypted too: gateways and mail servers quote the recipient in their error messages.
    last_error = EncryptedTextField(_("最近错误"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    backend = models.CharField(_("发送通道"), max_length=32, blank=True)
    provider_ref = models.CharField(_("服务商回执号"), max_length=128, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notify_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.template} → {self.recipient_masked}"

    @property
    def recipient_masked(self) -> str:
        if self.channel == self.Channel.EMAIL:
            return mask_email(self.recipient)
        return mask_phone(self.recipient)
