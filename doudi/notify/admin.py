from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from doudi.accounts.models import User
from doudi.core.admin_readonly import ReadOnlyAdmin
from doudi.notify.actions import notification_resend
from doudi.notify.models import Notification


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    """The outbox, read-only: rows change only through delivery and the resend action."""

    list_display = (
        "created_at",
        "status",
        "channel",
        "template",
        "recipient_masked",
        "attempts",
        "case_id",
    )
    list_filter = ("status", "channel", "template")
    # The full recipient is not shown: the case page is where staff see contact details.
    fields = (
        "channel",
        "recipient_masked",
        "template",
        "case_id",
        "subject",
        "body",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
        "backend",
        "provider_ref",
        "created_at",
        "sent_at",
    )
    readonly_fields = fields
    actions = ["resend"]

    @admin.display(description="收件人")
    def recipient_masked(self, obj: Notification) -> str:
        return obj.recipient_masked

    @admin.action(description="重新发送")
    def resend(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        selected = list(queryset.values_list("pk", flat=True))
        actor = request.user if isinstance(request.user, User) else None
        count = notification_resend(actor=actor, notification_ids=selected)
        skipped = len(selected) - count
        message = f"已重新排队 {count} 条发送失败的通知。"
        if skipped:
            message += f"另有 {skipped} 条不是“发送失败”状态，未处理。"
        messages.success(request, message)
