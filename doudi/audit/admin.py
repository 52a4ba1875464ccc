from __future__ import annotations

from django.contrib import admin

from doudi.audit.models import AuditEntry
from doudi.core.admin_readonly import ReadOnlyAdmin


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor", "action", "object_type", "object_id")
    list_filter = ("action",)
    search_fields = ("object_id", "actor__username")
    list_select_related = ("actor",)
