from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest

from doudi.accounts.models import User
from doudi.accounts.roles import Role


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = (
        "username",
        "display_name",
        "role",
        "scope_centre",
        "scope_department",
        "is_active",
    )
    list_filter = ("role", "is_active")
    search_fields = ("username", "display_name")
    autocomplete_fields = ("scope_centre", "scope_department", "staff")
    list_select_related = ("scope_centre", "scope_department")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (
            "身份与范围",
            {"fields": ("display_name", "role", "scope_centre", "scope_department", "staff")},
        ),
        ("状态", {"fields": ("is_active", "last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username", "password1", "password2", "display_name", "role",
                    "scope_centre", "scope_department", "staff",
                ),
            },
        ),
    )  # fmt: skip
    readonly_fields = ("last_login", "date_joined")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # Admin rights follow the role: only the admin role may enter these pages.
        obj.is_staff = obj.is_superuser = obj.role == Role.ADMIN
        super().save_model(request, obj, form, change)
