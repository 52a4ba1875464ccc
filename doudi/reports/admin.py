from django.contrib import admin

from doudi.core.admin_readonly import ReadOnlyAdmin
from doudi.reports.models import Report


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ("centre", "kind", "start", "end", "made_at")
    list_filter = ("kind", "centre")
