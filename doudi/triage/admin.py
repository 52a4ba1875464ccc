from __future__ import annotations

from django.contrib import admin

from doudi.triage.models import Cause, DailySummary, SolutionPackage, TierPolicy


@admin.register(Cause)
class CauseAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "parent", "default_tier", "order", "is_active")
    list_filter = ("parent", "is_active")
    search_fields = ("code", "name")
    list_editable = ("order", "is_active")


@admin.register(TierPolicy)
class TierPolicyAdmin(admin.ModelAdmin):
    list_display = ("centre", "tier", "working_days")
    list_filter = ("tier", "centre")
    list_editable = ("working_days",)


@admin.register(SolutionPackage)
class SolutionPackageAdmin(admin.ModelAdmin):
    list_display = ("title", "cause", "is_active")
    list_filter = ("cause", "is_active")
    search_fields = ("title", "steps")
    filter_horizontal = ("departments",)


@admin.register(DailySummary)
class DailySummaryAdmin(admin.ModelAdmin):
    list_display = ("day", "centre", "made_at")
    list_filter = ("centre",)
    readonly_fields = ("centre", "day", "made_at", "data")
