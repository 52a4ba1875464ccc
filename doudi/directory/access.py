"""Who may see which part of the directory.

Centre-scoped users (clerk, task force, supervisor, centre leader) see every department and
service item (they route cases to them) and the windows and staff of their centre subtree.
Department-scoped users (handler, department leader) see their department subtree and its
windows, staff and service items. Admins see everything. "Missing" and "not yours" are the same
404.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from django.db.models import Model, Q, QuerySet
from django.http import Http404

from doudi.accounts.access import (
    NOTHING,
    centre_scope_q,
    department_scope_q,
    is_centre_scoped,
    is_global,
    may,
)
from doudi.accounts.roles import Capability
from doudi.directory.models import Centre, Department, ServiceItem, Staff, Window

if TYPE_CHECKING:
    from doudi.accounts.access import AnyUser

M = TypeVar("M", bound=Model)


def _may_view_directory(user: AnyUser) -> bool:
    return may(user, Capability.DIRECTORY_VIEW)


def centre_visibility(user: AnyUser) -> Q:
    if not _may_view_directory(user):
        return NOTHING
    if is_global(user):
        return Q()
    if is_centre_scoped(user):
        return centre_scope_q(user)
    # A department-scoped user sees the centres where their department has windows.
    return Q(windows__in=Window.objects.filter(department_scope_q(user, "department__")))


def department_visibility(user: AnyUser) -> Q:
    if not _may_view_directory(user):
        return NOTHING
    if is_global(user) or is_centre_scoped(user):
        return Q()
    return department_scope_q(user)


def window_visibility(user: AnyUser) -> Q:
    if not _may_view_directory(user):
        return NOTHING
    if is_global(user):
        return Q()
    if is_centre_scoped(user):
        return centre_scope_q(user, "centre__")
    return department_scope_q(user, "department__")


def staff_visibility(user: AnyUser) -> Q:
    if not _may_view_directory(user):
        return NOTHING
    if is_global(user):
        return Q()
    if is_centre_scoped(user):
        return centre_scope_q(user, "window__centre__")
    return department_scope_q(user, "department__")


def service_item_visibility(user: AnyUser) -> Q:
    if not _may_view_directory(user):
        return NOTHING
    if is_global(user) or is_centre_scoped(user):
        return Q()
    return department_scope_q(user, "department__")


def _get_or_404(queryset: QuerySet[M], pk: int) -> M:
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


def access_centre(user: AnyUser, centre_id: int) -> Centre:
    return _get_or_404(Centre.objects.filter(centre_visibility(user)).distinct(), centre_id)


def access_department(user: AnyUser, department_id: int) -> Department:
    return _get_or_404(Department.objects.filter(department_visibility(user)), department_id)


def access_window(user: AnyUser, window_id: int) -> Window:
    queryset = Window.objects.select_related("centre", "department")
    return _get_or_404(queryset.filter(window_visibility(user)), window_id)


def access_staff(user: AnyUser, staff_id: int) -> Staff:
    queryset = Staff.objects.select_related("window__centre", "department")
    return _get_or_404(queryset.filter(staff_visibility(user)), staff_id)


def access_service_item(user: AnyUser, item_id: int) -> ServiceItem:
    queryset = ServiceItem.objects.select_related("department")
    return _get_or_404(queryset.filter(service_item_visibility(user)), item_id)
