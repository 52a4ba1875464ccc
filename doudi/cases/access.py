"""Who may see which case, and who may see a reporter's personal data unmasked.

Centre-scoped staff see the cases of their centre subtree. Department-scoped staff see the
cases about their department subtree's service items and the cases sent to it as work orders.
Admins see every case. "Missing" and "not yours" are the same 404.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import connection
from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.lookups import In, IsNull
from django.http import Http404

from doudi.accounts.access import (
    NOTHING,
    active_user,
    centre_scope_q,
    department_scope_q,
    is_centre_scoped,
    is_global,
    may,
)
from doudi.accounts.roles import Capability, Role
from doudi.cases.models import Case
from doudi.directory.models import Centre, Department, ServiceItem
from doudi.workorders.models import CaseRecipient

if TYPE_CHECKING:
    from doudi.accounts.access import AnyUser

# Who may unmask the identity of a reporter who asked for confidentiality (保密).
CONFIDENTIAL_ROLES = frozenset({Role.TASKFORCE, Role.SUPERVISOR})


def case_visibility(user: AnyUser, prefix: str = "", *, page: bool = False) -> Q:
    """The cases ``user`` may see; with ``prefix`` (e.g. "case__"), as a condition on rows
    that point to a case, so that a list joins instead of testing membership in a subquery.
    ``page``: for a query that walks the cases in order and stops at a page (a list), rather
    than one that reads them all (counts, figures); see the department's part below."""
    if active_user(user) is None:
        return NOTHING
    if is_global(user):
        return Q()
    member = active_user(user)
    if member is not None and is_centre_scoped(member):
        centre = member.scope_centre
        if centre is not None and centre.parent_id is None and connection.vendor == "sqlite":
            # SQLite, a whole district (its root centre): most cases. As a test of each row,
            # so that a list walks registration newest first; joined to the centres, SQLite
            # reads the district's cases centre by centre and sorts them all.
            centres = Centre.objects.filter(path__startswith=centre.path).order_by().values("pk")
            return Q(In(F(f"{prefix}centre_id") + 0, centres))
        return centre_scope_q(user, f"{prefix}centre__")
    # A department sees the cases about its service items and those sent to it (as work
    # orders: ``CaseRecipient`` lists them, one narrow indexed row per case and department).
    departments = Department.objects.filter(department_scope_q(user)).order_by().values("pk")
    if page:
        # For a page, each case's recipients are looked up as the walk reaches it (one row, by
        # the unique index): reading the list of every case ever sent to a department costs
        # more than the page (55,000 of them at a million cases: 18-20 ms of a 25 ms page, on
        # both databases). A subquery of one row, because PostgreSQL turns an EXISTS under OR
        # into that same list. A query that reads every case is the other way round (a count:
        # 0.3 s with the list, 0.8 s case by case on SQLite), so it keeps the list.
        first = CaseRecipient.objects.filter(
            case_id=OuterRef(f"{prefix}pk"), department__in=departments
        ).values("case_id")[:1]
        sent = Q(IsNull(Subquery(first), False))
    else:
        recipients = CaseRecipient.objects.filter(department__in=departments).values("case_id")
        sent = (
            Q(In(F(f"{prefix}pk") + 0, recipients))
            if connection.vendor == "sqlite"
            else Q(**{f"{prefix}pk__in": recipients})
        )
    if connection.vendor != "sqlite":
        # PostgreSQL: its item's department joined (and the recipients hashed once).
        return department_scope_q(user, f"{prefix}service_item__department__") | sent
    # SQLite: the items as a list read once, each case tested against it ("+ 0": a test of
    # each row, not an index to start from), and so the recipients unless for a page. Given
    # two indexed lists, SQLite reads every case of both (a department's hundred thousand) and
    # sorts them, where the list wants the newest first: walking registration newest first,
    # it stops at the page.
    items = ServiceItem.objects.filter(department__in=departments).order_by().values("pk")
    return Q(In(F(f"{prefix}service_item_id") + 0, items)) | sent


# --- Reach: the department part of the scope, as marks in the search index -------------------
#
# A department sees the cases about its items and those sent to it. Each case's search row
# carries that as marks ("@i<item id>" for its service item, "@d<department id>" for each
# department it was sent to; "@" is in no term of any text, so no search finds a mark), and
# a department reader's search asks for the words and any of its own marks: on PostgreSQL
# the GIN index then finds a word's matches among the reader's cases before any case row is
# read (户口 is in 49,000 cases of a million, a department sees 868 of them). The marks only
# narrow; ``case_visibility`` still decides, in the same query.


def case_reach(service_item_id: int | None, recipients: Iterable[int]) -> str:
    """A case's marks, space-separated: its item's and its recipients' departments'."""
    marks = [f"@i{service_item_id}"] if service_item_id is not None else []
    marks += [f"@d{pk}" for pk in sorted(set(recipients))]
    return " ".join(marks)


def is_department_reader(user: AnyUser) -> bool:
    """Whether ``user`` reads cases through a department's scope (``reader_reach``)."""
    member = active_user(user)
    return member is not None and not is_global(member) and not is_centre_scoped(member)


def reader_reach(user: AnyUser) -> list[str] | None:
    """The marks of the cases a department-scoped ``user`` may see (the items and departments
    of their subtree); None for readers whose scope is not a department's."""
    member = active_user(user)
    if member is None or not is_department_reader(member):
        return None
    departments = list(
        Department.objects.filter(department_scope_q(member)).values_list("pk", flat=True)
    )
    items = ServiceItem.objects.filter(department__in=departments).values_list("pk", flat=True)
    return [f"@i{pk}" for pk in items] + [f"@d{pk}" for pk in departments]


def reader_centres_q(user: AnyUser, prefix: str = "") -> Q:
    """A centre-scoped reader's centres as a condition on rows with a centre (through
    ``prefix``), and no condition for other readers: for narrowing the search index's rows
    before any case is read (similar cases); ``case_visibility`` still decides."""
    member = active_user(user)
    if member is not None and is_centre_scoped(member):
        return centre_scope_q(member, prefix)
    return Q()


def access_case(user: AnyUser, case_id: int) -> Case:
    case = (
        Case.objects.filter(case_visibility(user))
        .select_related("centre", "service_item__department", "registered_by", "merged_into")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise Http404
    return case


def access_case_by_number(user: AnyUser, number: str) -> Case:
    """``access_case`` for callers that name a case by its number (the JSON API)."""
    found = Case.objects.filter(case_visibility(user), number=number).values_list("pk", flat=True)
    pk = found.first()
    if pk is None:
        raise Http404
    return access_case(user, pk)


def may_unmask(user: AnyUser, case: Case) -> bool:
    """Whether ``user`` (who can already see ``case``) may see its personal data in full."""
    member = active_user(user)
    if member is None:
        return False
    if not may(member, Capability.PERSONAL_DATA):
        return False
    if case.is_confidential and member.role not in CONFIDENTIAL_ROLES:
        return False
    return True


def may_act(user: AnyUser) -> bool:
    return may(user, Capability.CASE_REGISTER)
