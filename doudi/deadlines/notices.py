"""Tell the department's head and the centre's supervisors about new supervision items, through
the outbox, by SMS to the phone of the staff record linked to their account."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from doudi.accounts.models import User
from doudi.accounts.roles import Role
from doudi.deadlines.models import Supervision
from doudi.notify.actions import notification_enqueue


def supervision_recipients(item: Supervision) -> list[User]:
    heads = Q(role=Role.LEADER, scope_department__isnull=False)
    if item.department is not None:
        heads &= Q(scope_department__path__in=_ancestor_paths(item.department.path))
    else:
        heads = Q(pk__in=[])
    centre_path = item.case.centre.path
    supervisors = Q(role=Role.SUPERVISOR, scope_centre__path__in=_ancestor_paths(centre_path))
    users = User.objects.filter(heads | supervisors, is_active=True).select_related("staff")
    return list(users)


def _ancestor_paths(path: str) -> list[str]:
    """'/1/4/9/' → ['/1/', '/1/4/', '/1/4/9/']: the node and every node above it."""
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def send_supervision_notices(supervision_ids: list[int]) -> int:
    items = Supervision.objects.filter(pk__in=supervision_ids).select_related(
        "clock", "case__centre", "work_order", "department"
    )
    sent = 0
    with transaction.atomic():
        for item in items:
            for user in supervision_recipients(item):
                phone = user.staff.phone if user.staff else ""
                notice = notification_enqueue(
                    channel="sms",
                    to=phone,
                    template="supervision_raised",
                    context={
                        "work_order_number": item.work_order.number
                        if item.work_order
                        else item.case.number,
                        "department": item.department.name if item.department else "",
                        "clock_label": item.clock.get_kind_display(),
                        "due": timezone.localtime(item.clock.due_at).strftime("%Y-%m-%d %H:%M"),
                        "centre_name": item.case.centre.name,
                    },
                    case_id=item.case_id,
                )
                sent += notice is not None
    return sent
