"""Directory pages: lists of what the user's scope holds, and a page per object."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from doudi.directory import selectors
from doudi.directory.access import (
    access_centre,
    access_department,
    access_service_item,
    access_staff,
    access_window,
)

if TYPE_CHECKING:
    from doudi.accounts.access import AnyUser


@dataclass(frozen=True)
class Listing:
    title: str | Promise
    rows: Callable[[AnyUser, str], QuerySet[Any]]


LISTINGS: dict[str, Listing] = {
    "windows": Listing(_("窗口"), selectors.visible_windows),
    "centres": Listing(_("中心"), selectors.visible_centres),
    "departments": Listing(_("部门"), selectors.visible_departments),
    "staff": Listing(_("工作人员"), selectors.visible_staff),
    "items": Listing(_("服务事项"), selectors.visible_service_items),
}


@login_required
def index(request: HttpRequest) -> HttpResponse:
    return redirect("directory:list", kind="windows")


@login_required
def listing(request: HttpRequest, kind: str) -> HttpResponse:
    spec = LISTINGS.get(kind)
    if spec is None:
        raise Http404
    query = request.GET.get("q", "").strip()[:50]
    page = Paginator(spec.rows(request.user, query), 50).get_page(request.GET.get("page"))
    context = {
        "kind": kind,
        "tabs": list(LISTINGS.items()),
        "title": spec.title,
        "page": page,
        "q": query,
    }
    # HTMX asks for the table alone when the search box changes.
    template = (
        "directory/_table.html" if request.headers.get("HX-Request") else "directory/list.html"
    )
    return render(request, template, context)


@login_required
def centre_detail(request: HttpRequest, pk: int) -> HttpResponse:
    centre = access_centre(request.user, pk)
    windows = selectors.visible_windows(request.user).filter(centre=centre)
    return render(request, "directory/centre.html", {"centre": centre, "windows": windows})


@login_required
def department_detail(request: HttpRequest, pk: int) -> HttpResponse:
    department = access_department(request.user, pk)
    context = {
        "department": department,
        "windows": selectors.visible_windows(request.user).filter(department=department),
        "staff": selectors.visible_staff(request.user).filter(department=department),
        "items": selectors.visible_service_items(request.user).filter(department=department),
    }
    return render(request, "directory/department.html", context)


@login_required
def window_detail(request: HttpRequest, pk: int) -> HttpResponse:
    window = access_window(request.user, pk)
    staff = selectors.visible_staff(request.user).filter(window=window)
    return render(request, "directory/window.html", {"window": window, "staff": staff})


@login_required
def staff_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "directory/staff.html", {"person": access_staff(request.user, pk)})


@login_required
def service_item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = access_service_item(request.user, pk)
    return render(request, "directory/item.html", {"item": item})
