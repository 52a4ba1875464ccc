from __future__ import annotations

import io

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponseBase
from django.shortcuts import redirect
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import CSV, XLSX

from doudi.directory.models import Centre, Department, ServiceItem, Staff, Window
from doudi.directory.posters import PosterFontMissing, poster_pdf, poster_png
from doudi.directory.resources import (
    CentreResource,
    DepartmentResource,
    ServiceItemResource,
    StaffResource,
    WindowResource,
)
from doudi.directory.selectors import centre_windows_for_posters

admin.site.site_header = "兜底 · 系统管理"
admin.site.site_title = "兜底系统管理"
admin.site.index_title = "组织机构、用户与配置"


class DirectoryAdmin(ImportExportModelAdmin):
    """Import and export as CSV or XLSX; bad rows are listed by their line in the file."""

    import_formats = [CSV, XLSX]
    export_formats = [CSV, XLSX]


def _posters_download(
    request: HttpRequest, model_admin: admin.ModelAdmin, windows: list[Window], name: str
) -> FileResponse | None:
    if not windows:
        model_admin.message_user(request, "没有启用的窗口，未生成海报。", messages.WARNING)
        return None
    return FileResponse(
        io.BytesIO(poster_pdf(windows)),
        as_attachment=True,
        filename=f"{name}.pdf",
        content_type="application/pdf",
    )


@admin.register(Centre)
class CentreAdmin(DirectoryAdmin):
    resource_classes = [CentreResource]
    list_display = ("code", "name", "level", "parent", "is_active")
    list_filter = ("level", "is_active")
    search_fields = ("code", "name")
    autocomplete_fields = ("parent",)
    actions = ["print_posters"]

    @admin.action(description="打印本中心全部窗口海报（PDF）", permissions=["view"])
    def print_posters(
        self, request: HttpRequest, queryset: QuerySet[Centre]
    ) -> FileResponse | None:
        windows = list(centre_windows_for_posters(queryset))
        codes = sorted(queryset.values_list("code", flat=True))
        name = f"posters-{codes[0]}" if len(codes) == 1 else "posters"
        return _posters_download(request, self, windows, name)


@admin.register(Department)
class DepartmentAdmin(DirectoryAdmin):
    resource_classes = [DepartmentResource]
    list_display = ("code", "name", "parent", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "name")
    autocomplete_fields = ("parent",)


@admin.register(Window)
class WindowAdmin(DirectoryAdmin):
    resource_classes = [WindowResource]
    list_display = ("code", "number", "name", "centre", "department", "is_active", "poster")
    list_filter = ("centre", "is_active")
    search_fields = ("code", "name", "department__name")
    autocomplete_fields = ("centre", "department")
    list_select_related = ("centre", "department")
    actions = ["print_posters"]

    @admin.action(description="打印二维码海报（PDF）", permissions=["view"])
    def print_posters(
        self, request: HttpRequest, queryset: QuerySet[Window]
    ) -> FileResponse | None:
        # An inactive window's code opens nothing (the public page is for active ones).
        selected = queryset.select_related("centre", "department")
        windows = list(selected.filter(is_active=True).order_by("centre__path", "number"))
        skipped = selected.filter(is_active=False).count()
        if skipped and windows:
            self.message_user(request, f"已跳过 {skipped} 个停用窗口。", messages.WARNING)
        return _posters_download(request, self, windows, "posters")

    @admin.display(description="二维码海报")
    def poster(self, window: Window) -> str:
        if not window.is_active:
            return "—"
        return format_html(
            '<a href="{}">PDF</a> · <a href="{}">PNG</a>',
            reverse("admin:directory_window_poster", args=[window.pk, "pdf"]),
            reverse("admin:directory_window_poster", args=[window.pk, "png"]),
        )

    def get_urls(self) -> list[URLPattern]:
        poster = path(
            "<path:object_id>/poster.<str:file_format>",
            self.admin_site.admin_view(self.poster_view),
            name="directory_window_poster",
        )
        return [poster, *super().get_urls()]

    def poster_view(
        self, request: HttpRequest, object_id: str, file_format: str
    ) -> HttpResponseBase:
        """One window's poster, shown in the browser to print or save."""
        window = self.get_object(request, unquote(object_id))
        if window is None or not window.is_active or file_format not in ("pdf", "png"):
            raise Http404
        if not self.has_view_permission(request, window):
            raise PermissionDenied
        if file_format == "pdf":
            content, content_type = poster_pdf([window]), "application/pdf"
        else:
            try:
                content, content_type = poster_png(window), "image/png"
            except PosterFontMissing as exc:
                self.message_user(request, str(exc), messages.ERROR)
                return redirect("admin:directory_window_changelist")
        return FileResponse(
            io.BytesIO(content),
            filename=f"poster-{window.code}.{file_format}",
            content_type=content_type,
        )


@admin.register(Staff)
class StaffAdmin(DirectoryAdmin):
    resource_classes = [StaffResource]
    list_display = ("employee_no", "name", "department", "window", "phone", "is_active")
    list_filter = ("is_active",)
    search_fields = ("employee_no", "name")
    autocomplete_fields = ("window", "department")
    list_select_related = ("department", "window__centre")


@admin.register(ServiceItem)
class ServiceItemAdmin(DirectoryAdmin):
    resource_classes = [ServiceItemResource]
    list_display = ("code", "name", "department", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "name")
    autocomplete_fields = ("department",)
    list_select_related = ("department",)
