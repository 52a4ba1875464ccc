from __future__ import annotations

from django.contrib import admin

from doudi.core.admin_readonly import ReadOnlyAdmin
from doudi.feedback.models import Rating, ReturnVisit


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdmin):
    list_display = ("rated_at", "source", "centre", "window", "staff", "level", "state")
    list_filter = ("source", "state", "level")
    search_fields = ("window__code", "staff__employee_no", "comment")
    # The call-back phone stays encrypted here; the rectification case shows it masked.
    exclude = ("callback_phone",)


@admin.register(ReturnVisit)
class ReturnVisitAdmin(ReadOnlyAdmin):
    list_display = ("case", "round", "opened_at", "outcome", "level", "concluded_at")
    list_filter = ("outcome",)
    search_fields = ("case__number",)
