"""Users: every user has one role and a scope (a centre subtree or a department subtree)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from doudi.accounts.roles import ROLE_SCOPE, Capability, Role, ScopeKind, capabilities_of
from doudi.directory.models import Centre, Department, Staff


def _scope_condition(kind: ScopeKind) -> Q:
    has_centre = Q(scope_centre__isnull=False)
    has_department = Q(scope_department__isnull=False)
    if kind == ScopeKind.CENTRE:
        return has_centre & ~has_department
    if kind == ScopeKind.DEPARTMENT:
        return has_department & ~has_centre
    if kind == ScopeKind.CENTRE_OR_DEPARTMENT:
        return has_centre ^ has_department
    return ~has_centre & ~has_department


def _role_scope_rules() -> Q:
    rules = Q()
    for role, kind in ROLE_SCOPE.items():
        rules |= Q(role=role) & _scope_condition(kind)
    return rules


class User(AbstractUser):
    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices)
    scope_centre = models.ForeignKey(
        Centre,
        verbose_name=_("所属中心（含下级）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    scope_department = models.ForeignKey(
        Department,
        verbose_name=_("所属部门（含下级）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    staff = models.OneToOneField(
        Staff,
        verbose_name=_("对应工作人员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="user",
    )

    REQUIRED_FIELDS = ["email", "role"]

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(condition=_role_scope_rules(), name="user_role_has_its_scope")
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    def clean(self) -> None:
        super().clean()
        kind = ROLE_SCOPE.get(self.role)
        if kind is None:
            raise ValidationError({"role": _("请选择角色。")})
        has_centre = self.scope_centre_id is not None
        has_department = self.scope_department_id is not None
        if kind == ScopeKind.CENTRE and (not has_centre or has_department):
            raise ValidationError({"scope_centre": _("该角色须指定所属中心，且不指定部门。")})
        if kind == ScopeKind.DEPARTMENT and (not has_department or has_centre):
            raise ValidationError({"scope_department": _("该角色须指定所属部门，且不指定中心。")})
        if kind == ScopeKind.CENTRE_OR_DEPARTMENT and has_centre == has_department:
            raise ValidationError(_("领导须指定所属中心或所属部门中的一个。"))
        if kind == ScopeKind.GLOBAL and (has_centre or has_department):
            raise ValidationError(_("管理员不限定中心或部门。"))

    def can(self, capability: Capability) -> bool:
        return self.is_active and capability in capabilities_of(self.role)

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label) if self.role in Role.values else ""
