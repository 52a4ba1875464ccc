from __future__ import annotations

from django.contrib import admin
from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import CSV, XLSX

from doudi.directory.models import Centre, Department, ServiceItem, Staff, Window
from doudi.directory.resources import (
    CentreResource,
    DepartmentResource,
    ServiceItemResource,
    StaffResource,
    WindowResource,
)

admin.site.site_header = "兜底 · 系统管理"
admin.site.site_title = "兜底系统管理"
admin.site.index_title = "组织机构、用户与配置"


class DirectoryAdmin(ImportExportModelAdmin):
    """Import and export as CSV or XLSX; bad rows are listed by their line in the file."""

    import_formats = [CSV, XLSX]
    export_formats = [CSV, XLSX]


@admin.register(Centre)
class CentreAdmin(DirectoryAdmin):
    resource_classes = [CentreResource]
    list_display = ("code", "name", "level", "parent", "is_active")
    list_filter = ("level", "is_active")
    search_fields = ("code", "name")
    autocomplete_fields = ("parent",)


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
    list_display = ("code", "number", "name", "centre", "department", "is_active")
    list_filter = ("centre", "is_active")
    search_fields = ("code", "name", "department__name")
    autocomplete_fields = ("centre", "department")
    list_select_related = ("centre", "department")


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
