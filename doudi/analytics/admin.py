from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from doudi.analytics.models import ModelWindowCriteria


@admin.register(ModelWindowCriteria)
class ModelWindowCriteriaAdmin(admin.ModelAdmin):
    list_display = ("min_ratings", "min_satisfaction", "max_cases_per_100", "max_findings",
                    "min_sample")  # fmt: skip

    def has_add_permission(self, request: HttpRequest) -> bool:
        # One row: the criteria in force.
        return not ModelWindowCriteria.objects.exists()
