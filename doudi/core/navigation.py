"""The navigation, as data: each entry is shown to users holding its capability.

Entries that share a group are shown as one menu in the bar (a group with one entry a user
may see is shown as that entry), so that the bar fits one line for every role.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from doudi.accounts.roles import Capability


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    icon: str
    capability: Capability | None = None
    group: str | Promise = ""
    # Only for users scoped to a centre subtree (the page is about centres).
    centre_scoped: bool = False


SUPERVISION = _("监督评价")
ANALYSIS = _("统计分析")
MANAGEMENT = pgettext_lazy("navigation menu", "管理")

NAVIGATION: tuple[NavItem, ...] = (
    NavItem(_("工作台"), "core:home", "house"),
    NavItem(_("登记"), "cases:new", "journal-plus", Capability.CASE_REGISTER),
    NavItem(_("分拣派单"), "triage:workspace", "funnel", Capability.TRIAGE),
    NavItem(_("工作单"), "workorders:inbox", "inbox", Capability.CASE_VIEW),
    NavItem(_("案件"), "cases:list", "folder2-open", Capability.CASE_VIEW),
    NavItem(_("督办"), "workorders:supervision", "alarm", Capability.CASE_VIEW, SUPERVISION),
    NavItem(_("回访"), "feedback:visits", "telephone", Capability.SUPERVISE, SUPERVISION),
    NavItem(_("好差评"), "feedback:ratings", "star-half", Capability.CASE_VIEW, SUPERVISION),
    NavItem(_("问责"), "accountability:findings", "clipboard-check", Capability.CASE_VIEW,
            SUPERVISION),
    NavItem(_("统计"), "analytics:dashboard", "bar-chart-line", Capability.DASHBOARD, ANALYSIS),
    NavItem(_("报告"), "reports:list", "journal-text", Capability.DASHBOARD, ANALYSIS),
    NavItem(_("疑难杂症"), "policy:problems", "diagram-2", Capability.POLICY_VIEW, ANALYSIS,
            centre_scoped=True),
    NavItem(_("组织机构"), "directory:index", "diagram-3", Capability.DIRECTORY_VIEW, MANAGEMENT),
    NavItem(_("系统管理"), "admin:index", "gear", Capability.DIRECTORY_MANAGE, MANAGEMENT),
)  # fmt: skip
