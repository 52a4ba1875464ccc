"""Set-up actions that span apps: the demo district, its users and its cases."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from doudi.accounts.actions import user_create
from doudi.accounts.models import User
from doudi.accounts.roles import Role
from doudi.cases.demo import demo_cases_load
from doudi.directory import demo_data
from doudi.directory.models import Centre, Department, ServiceItem, Staff, Window
from doudi.feedback.demo import demo_feedback_load
from doudi.reports.actions import reports_make_due
from doudi.search.actions import search_rebuild

DEMO_PASSWORD = "doudi-demo-2026"  # noqa: S105 - printed for the demo; never used in production
_LEVELS = (Centre.Level.DISTRICT, Centre.Level.STREET, Centre.Level.COMMUNITY)


@dataclass(frozen=True)
class DemoResult:
    created: int
    users: tuple[tuple[str, str, str], ...]  # (username, role label, scope)


@transaction.atomic
def demo_load() -> DemoResult:
    """Load the demo district; rows that exist already are left exactly as they are.

    Steps: departments and centres (parents first, as listed), windows, service items, staff,
    then one user per role, then about 300 cases (doudi.cases.demo, only while there is no
    case at all), then last week's and last month's reports if missing. Every lookup is by
    natural key, so a second run creates nothing.
    """
    created = 0
    departments: dict[str, Department] = {}
    for code, name, parent in demo_data.DEPARTMENTS:
        departments[code], new = Department.objects.get_or_create(
            code=code, defaults={"name": name, "parent": departments.get(parent or "")}
        )
        created += new
    centres: dict[str, Centre] = {}
    for code, name, parent, address in demo_data.CENTRES:
        parent_centre = centres.get(parent or "")
        level = _LEVELS[0] if parent_centre is None else _LEVELS[min(parent_centre.depth + 1, 2)]
        centres[code], new = Centre.objects.get_or_create(
            code=code,
            defaults={"name": name, "parent": parent_centre, "level": level, "address": address},
        )
        created += new
    windows: dict[tuple[str, str], Window] = {}
    for centre_code, number, name, department_code in demo_data.WINDOWS:
        window, new = Window.objects.get_or_create(
            centre=centres[centre_code],
            number=number,
            defaults={"name": name, "department": departments[department_code]},
        )
        windows[(centre_code, number)] = window
        created += new
    for code, name, department_code in demo_data.SERVICE_ITEMS:
        _, new = ServiceItem.objects.get_or_create(
            code=code, defaults={"name": name, "department": departments[department_code]}
        )
        created += new
    staff: dict[str, Staff] = {}
    for employee_no, name, home_centre, window_number, department_code, phone in demo_data.STAFF:
        staff[employee_no], new = Staff.objects.get_or_create(
            employee_no=employee_no,
            defaults={
                "name": name,
                "window": windows.get((home_centre, window_number or "")),
                "department": departments[department_code],
                "phone": phone,
            },
        )
        created += new
    existing = set(User.objects.values_list("username", flat=True))
    users = []
    for (
        username,
        display_name,
        role,
        scope_centre,
        scope_department,
        staff_no,
    ) in demo_data.DEMO_USERS:
        centre = centres.get(scope_centre or "")
        department = departments.get(scope_department or "")
        if username not in existing:
            user_create(
                actor=None,
                username=username,
                password=DEMO_PASSWORD,
                role=Role(role),
                display_name=display_name,
                scope_centre=centre,
                scope_department=department,
                staff=staff.get(staff_no or ""),
            )
            created += 1
        scope = centre.name if centre else department.name if department else "全区"
        users.append((username, str(Role(role).label), scope))
    created += demo_cases_load()
    search_rebuild()  # the demo dates its cases back past the actions that index them
    created += demo_feedback_load()
    # Last week's and last month's reports, as the nightly task would have made them.
    created += len(reports_make_due(today=timezone.localdate()))
    return DemoResult(created=created, users=tuple(users))
