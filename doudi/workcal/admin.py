"""Admin pages of the working-day calendar: the years and days (read-only: they change only by
seeding and import), and the import page behind the "导入年度安排" button."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from doudi.workcal.access import may_manage_calendar
from doudi.workcal.actions import ImportReport, calendar_import
from doudi.workcal.forms import CalendarImportForm
from doudi.workcal.models import CalendarDay, CalendarYear

WEEKDAYS = "一二三四五六日"


def _day_count(kind: str) -> Coalesce:
    counts = (
        CalendarDay.objects.filter(year=OuterRef("year"), kind=kind)
        .order_by()
        .values("year")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    change_list_template = "workcal/admin/calendaryear_change_list.html"
    list_display = (
        "year",
        "source",
        "official",
        "holidays",
        "makeup_days",
        "imported_at",
        "imported_by",
        "note",
    )
    list_filter = ("source",)
    list_select_related = ("imported_by",)
    fields = ("year", "source", "imported_at", "imported_by", "note")
    readonly_fields = ("year", "source", "imported_at", "imported_by")

    def get_queryset(self, request: HttpRequest) -> QuerySet[CalendarYear]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                holiday_count=_day_count(CalendarDay.Kind.HOLIDAY),
                makeup_count=_day_count(CalendarDay.Kind.MAKEUP),
            )
        )

    @admin.display(boolean=True, description=gettext_lazy("正式安排"))
    def official(self, obj: CalendarYear) -> bool:
        return obj.is_official

    @admin.display(description=gettext_lazy("放假天数"), ordering="holiday_count")
    def holidays(self, obj: Any) -> int:
        return int(obj.holiday_count)

    @admin.display(description=gettext_lazy("调休上班"), ordering="makeup_count")
    def makeup_days(self, obj: Any) -> int:
        return int(obj.makeup_count)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a year arrives by import or seeding, never by hand

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="workcal_calendaryear_import",
            )
        ]
        return own + super().get_urls()

    def import_view(self, request: HttpRequest) -> HttpResponse:
        """Upload one year's arrangement; on success back to the list, else the error report."""
        if not may_manage_calendar(request.user):
            raise PermissionDenied
        report: ImportReport | None = None
        if request.method == "POST":
            form = CalendarImportForm(request.POST, request.FILES)
            if form.is_valid():
                report = calendar_import(
                    actor=request.user,  # type: ignore[arg-type]
                    content=form.cleaned_data["file"].read(),
                    file_format=form.cleaned_data["file_format"],
                    note=form.cleaned_data["note"],
                )
                if report.applied:
                    messages.success(
                        request,
                        _(
                            "已导入 %(year)s 年安排：放假 %(holidays)s 天，调休上班 %(makeup)s 天。"
                            "该年的截止时间不再是暂定。"
                        )
                        % {
                            "year": report.year,
                            "holidays": report.holidays,
                            "makeup": report.makeup_days,
                        },
                    )
                    return redirect("admin:workcal_calendaryear_changelist")
        else:
            form = CalendarImportForm()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("导入年度安排"),
            "form": form,
            "report": report,
        }
        return TemplateResponse(request, "workcal/admin/import.html", context)


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ("day", "weekday", "kind", "name", "year")
    list_filter = ("year", "kind")
    search_fields = ("name",)
    date_hierarchy = "day"

    @admin.display(description=gettext_lazy("星期"))
    def weekday(self, obj: CalendarDay) -> str:
        return "星期" + WEEKDAYS[obj.day.weekday()]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
