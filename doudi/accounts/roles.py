"""Roles and what each may do, as data.

A capability names a piece of work; views and navigation ask for capabilities, never for roles,
so that giving a role a new duty is a change to this table alone.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CLERK = "clerk", _("受理员")
    TASKFORCE = "taskforce", _("专班")
    HANDLER = "handler", _("承办人")
    SUPERVISOR = "supervisor", _("督办员")
    LEADER = "leader", _("领导")
    ADMIN = "admin", _("管理员")


class ScopeKind(models.TextChoices):
    """What a role's scope is anchored on."""

    CENTRE = "centre", _("中心")
    DEPARTMENT = "department", _("部门")
    CENTRE_OR_DEPARTMENT = "either", _("中心或部门")
    GLOBAL = "global", _("全局")


class Capability(models.TextChoices):
    CASE_VIEW = "case.view", _("查看案件")
    CASE_REGISTER = "case.register", _("登记案件")
    CASE_IMPORT = "case.import", _("批量导入案件")
    TRIAGE = "triage", _("分拣派单")
    WORK_ORDER_HANDLE = "workorder.handle", _("办理工作单")
    SUPERVISE = "supervise", _("督办回访")
    APPEAL = "appeal", _("差评与问责申诉")
    DASHBOARD = "dashboard", _("查看统计")
    # Recurring problems and policy issues, read (acting on them is TRIAGE's).
    POLICY_VIEW = "policy.view", _("查看疑难杂症")
    DIRECTORY_VIEW = "directory.view", _("查看组织机构")
    DIRECTORY_MANAGE = "directory.manage", _("维护组织机构")
    PERSONAL_DATA = "personal_data.view", _("查看完整个人信息")


# Which scope each role must carry (checked by User.clean and a database constraint).
ROLE_SCOPE: dict[str, ScopeKind] = {
    Role.CLERK: ScopeKind.CENTRE,
    Role.TASKFORCE: ScopeKind.CENTRE,
    Role.HANDLER: ScopeKind.DEPARTMENT,
    Role.SUPERVISOR: ScopeKind.CENTRE,
    Role.LEADER: ScopeKind.CENTRE_OR_DEPARTMENT,
    Role.ADMIN: ScopeKind.GLOBAL,
}

# Every staff role reads cases and the directory (each within its scope).
_STAFF = frozenset({Capability.CASE_VIEW, Capability.DIRECTORY_VIEW})

ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.CLERK: _STAFF | frozenset({Capability.CASE_REGISTER, Capability.PERSONAL_DATA}),
    Role.TASKFORCE: _STAFF
    | frozenset(
        {
            Capability.CASE_REGISTER,
            Capability.CASE_IMPORT,
            Capability.TRIAGE,
            Capability.DASHBOARD,
            Capability.POLICY_VIEW,
            Capability.PERSONAL_DATA,
        }
    ),
    # A handler speaks for their department's windows and staff: appeals of 差评 and findings.
    Role.HANDLER: _STAFF
    | frozenset({Capability.WORK_ORDER_HANDLE, Capability.APPEAL, Capability.PERSONAL_DATA}),
    Role.SUPERVISOR: _STAFF
    | frozenset(
        {
            Capability.SUPERVISE,
            Capability.DASHBOARD,
            Capability.POLICY_VIEW,
            Capability.PERSONAL_DATA,
        }
    ),
    Role.LEADER: _STAFF | frozenset({Capability.DASHBOARD, Capability.POLICY_VIEW}),
    Role.ADMIN: _STAFF
    | frozenset({Capability.DASHBOARD, Capability.DIRECTORY_MANAGE, Capability.CASE_IMPORT}),
}


def capabilities_of(role: str) -> frozenset[Capability]:
    return ROLE_CAPABILITIES.get(role, frozenset())
