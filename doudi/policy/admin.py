from __future__ import annotations

from django.contrib import admin

from doudi.core.admin_readonly import ReadOnlyAdmin
from doudi.policy.models import PolicyIssue


@admin.register(PolicyIssue)
class PolicyIssueAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "title", "centre", "state", "recurrences")
    list_filter = ("state",)
    search_fields = ("title", "label")
    exclude = ("signature",)
