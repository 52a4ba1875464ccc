from __future__ import annotations

from django.contrib import admin

from doudi.accountability.models import Finding
from doudi.core.admin_readonly import ReadOnlyAdmin


@admin.register(Finding)
class FindingAdmin(ReadOnlyAdmin):
    list_display = ("recorded_at", "case", "kind", "staff", "window", "state")
    list_filter = ("kind", "state")
    search_fields = ("case__number", "staff__employee_no", "staff__name")
