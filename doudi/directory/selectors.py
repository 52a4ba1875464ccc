"""Reads of the directory, always filtered by the reader's scope."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet

from doudi.directory.access import (
    centre_visibility,
    department_visibility,
    service_item_visibility,
    staff_visibility,
    window_visibility,
)
from doudi.directory.models import Centre, Department, ServiceItem, Staff, Window
from doudi.lib.ttlcache import TtlCache

if TYPE_CHECKING:
    from doudi.accounts.access import AnyUser


def _search(queryset: QuerySet[Any], query: str, *fields: str) -> QuerySet[Any]:
    if not query:
        return queryset
    condition = Q()
    for field in fields:
        condition |= Q(**{f"{field}__icontains": query})
    return queryset.filter(condition)


def visible_centres(user: AnyUser, query: str = "") -> QuerySet[Centre]:
    queryset = Centre.objects.filter(centre_visibility(user)).distinct()
    # Ordered again: a query with an aggregate drops Meta.ordering (and the list is paginated).
    queryset = queryset.select_related("parent").annotate(
        window_count=Count("windows", distinct=True)
    )
    return _search(queryset.order_by("path"), query, "name", "code", "address")


def visible_departments(user: AnyUser, query: str = "") -> QuerySet[Department]:
    queryset = Department.objects.filter(department_visibility(user)).select_related("parent")
    queryset = queryset.annotate(item_count=Count("items", distinct=True)).order_by("path")
    return _search(queryset, query, "name", "code")


def visible_windows(user: AnyUser, query: str = "") -> QuerySet[Window]:
    queryset = Window.objects.filter(window_visibility(user)).select_related("centre", "department")
    return _search(queryset, query, "name", "code", "department__name")


def visible_staff(user: AnyUser, query: str = "") -> QuerySet[Staff]:
    queryset = Staff.objects.filter(staff_visibility(user))
    queryset = queryset.select_related("window__centre", "department")
    return _search(queryset, query, "name", "employee_no", "department__name")


def visible_service_items(user: AnyUser, query: str = "") -> QuerySet[ServiceItem]:
    queryset = ServiceItem.objects.filter(service_item_visibility(user))
    queryset = queryset.select_related("department")
    return _search(queryset, query, "name", "code", "department__name")


# Kept per process for DOUDI_DIRECTORY_CACHE_SECONDS: every registration looks up its centre and
# service item by code, and they change a few times a year. A centre, item or account saved in
# this process clears them at once (receivers); a change in another process, or a bulk update,
# is seen within those seconds.
_active_items: TtlCache[str, ServiceItem] = TtlCache()
_active_centres: TtlCache[tuple[int, str], Centre] = TtlCache()


def active_service_item(code: str) -> ServiceItem | None:
    """The active service item of this code, or None."""
    return _active_items.get(
        code,
        lambda: ServiceItem.objects.filter(code=code, is_active=True).first(),
        settings.DOUDI_DIRECTORY_CACHE_SECONDS,
    )


def active_service_item_named(name: str) -> ServiceItem | None:
    """The one active service item of exactly this name (as the catalogue writes it), or None
    when there is none or more than one."""
    items = list(ServiceItem.objects.filter(name=name.strip(), is_active=True)[:2])
    return items[0] if len(items) == 1 else None


def active_centre(user: AnyUser, code: str) -> Centre | None:
    """The active centre of this code if the user's scope reaches it, or None."""
    return _active_centres.get(
        (user.pk or 0, code),
        lambda: Centre.objects.filter(centre_visibility(user), is_active=True, code=code).first(),
        settings.DOUDI_DIRECTORY_CACHE_SECONDS if user.pk else 0,
    )


def directory_cache_clear() -> None:
    _active_items.clear()
    _active_centres.clear()


def home_summary(user: AnyUser) -> dict[str, Any]:
    """Counts for the home page and, for leaders, service items per department."""
    items_by_department = list(
        visible_service_items(user)
        .values("department__name")
        .annotate(n=Count("id"))
        .order_by("-n", "department__name")[:12]
    )
    return {
        "centres": visible_centres(user).count(),
        "departments": visible_departments(user).count(),
        "windows": visible_windows(user).count(),
        "staff": visible_staff(user).count(),
        "items": visible_service_items(user).count(),
        "items_by_department": [
            {"name": row["department__name"], "value": row["n"]} for row in items_by_department
        ],
    }


def centre_windows_for_posters(centres: Iterable[Centre]) -> QuerySet[Window]:
    """The active windows of the given centres (not of their sub-centres), for the QR posters.

    Unscoped: the callers are the admin pages and the set-up commands.
    """
    queryset = Window.objects.filter(centre__in=centres, is_active=True)
    return queryset.select_related("centre", "department").order_by("centre__path", "number")
