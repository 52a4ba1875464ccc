"""Who reads which report: figure readers of the report's centre subtree (admins: all)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q
from django.http import Http404

from doudi.accounts.access import NOTHING, centre_scope_q, is_centre_scoped, is_global, may
from doudi.accounts.roles import Capability
from doudi.reports.models import Report

if TYPE_CHECKING:
    from doudi.accounts.access import AnyUser


def report_visibility(user: AnyUser) -> Q:
    """A report covers a centre's whole subtree: only readers whose scope holds that centre.
    A department's readers have their own figures on the dashboard instead."""
    if not may(user, Capability.DASHBOARD):
        return NOTHING
    if is_global(user):
        return Q()
    if is_centre_scoped(user):
        return centre_scope_q(user, "centre__")
    return NOTHING


def access_report(user: AnyUser, report_id: int) -> Report:
    report = (
        Report.objects.filter(report_visibility(user))
        .select_related("centre")
        .filter(pk=report_id)
        .first()
    )
    if report is None:
        raise Http404
    return report
