from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from doudi.triage.models import (
    Cause,
    DailySummary,
    RoutingModel,
    SolutionPackage,
    TierPolicy,
    TrainingExample,
)


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


@admin.register(RoutingModel)
class RoutingModelAdmin(admin.ModelAdmin):
    """Versions are made by `doudi triage train` and the nightly task, never edited here; the
    share of first suggestions the task force took shows how well a version serves."""

    list_display = ("target", "version", "trained_at", "source", "examples", "seconds", "taken")
    list_filter = ("target",)
    exclude = ("blob",)
    readonly_fields = ("target", "version", "trained_at", "source", "examples", "labels", "seconds")

    def get_queryset(self, request: HttpRequest) -> QuerySet[RoutingModel]:
        first = Q(routingsuggestion__rank=1)
        return (
            super()
            .get_queryset(request)
            .defer("blob")
            .annotate(
                decided=Count(
                    "routingsuggestion", filter=first & Q(routingsuggestion__chosen__isnull=False)
                ),
                accepted=Count(
                    "routingsuggestion", filter=first & Q(routingsuggestion__chosen=True)
                ),
            )
        )

    @admin.display(description=_("首选建议采纳率"))
    def taken(self, obj: RoutingModel) -> str:
        decided, accepted = obj.decided, obj.accepted  # type: ignore[attr-defined]
        return f"{accepted}/{decided} ({accepted / decided:.0%})" if decided else "—"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(TrainingExample)
class TrainingExampleAdmin(admin.ModelAdmin):
    list_display = ("label", "title", "source", "imported_at")
    list_filter = ("source", "label")
    search_fields = ("title", "label")
    readonly_fields = ("source", "title", "body", "label", "imported_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
