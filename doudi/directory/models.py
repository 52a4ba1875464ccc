"""The organisation: centres and departments (trees), windows, staff, service items."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from doudi.core.validators import validate_phone


class TreeNode(models.Model):
    """A node of a tree kept as a materialised path ("/1/4/9/") for one-query subtree reads.

    The path is derived from the parent in ``save``; moving a node rewrites its descendants'
    paths in the same transaction.
    """

    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("路径"), max_length=255, editable=False, db_index=True, default="")
    depth = models.PositiveSmallIntegerField(_("层级"), editable=False, default=0)

    parent_id: int | None

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        with transaction.atomic():
            old_path = self.path
            super().save(*args, **kwargs)
            parent_path = self.parent.path if self.parent_id and self.parent else "/"
            new_path = f"{parent_path}{self.pk}/"
            if new_path == old_path:
                return
            self.path = new_path
            self.depth = new_path.count("/") - 2
            self._nodes().filter(pk=self.pk).update(path=self.path, depth=self.depth)
            if old_path:
                moved = list(self._nodes().filter(path__startswith=old_path).exclude(pk=self.pk))
                for node in moved:
                    node.path = new_path + node.path[len(old_path) :]
                    node.depth = node.path.count("/") - 2
                self._nodes().bulk_update(moved, ["path", "depth"])

    def clean(self) -> None:
        super().clean()
        if self.parent_id is None or self.pk is None:
            return
        parent = self._nodes().get(pk=self.parent_id)
        if parent.pk == self.pk or parent.path.startswith(self.path):
            raise ValidationError({"parent": _("上级不能是自身或其下级。")})

    def _nodes(self) -> models.Manager[Any]:
        return type(self)._default_manager


class Centre(TreeNode):
    class Level(models.TextChoices):
        DISTRICT = "district", _("区级中心")
        STREET = "street", _("街道/乡镇分中心")
        COMMUNITY = "community", _("社区/村服务站")

    code = models.CharField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("级别"), max_length=16, choices=Level.choices)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("政务服务中心")
        verbose_name_plural = _("政务服务中心")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name


class Department(TreeNode):
    code = models.CharField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name


class Window(models.Model):
    code = models.CharField(
        _("窗口编码"),
        max_length=48,
        unique=True,
        editable=False,
        help_text=_("中心编码-窗口号，二维码短链接 /r/<编码> 使用，不会改变。"),
    )
    centre = models.ForeignKey(
        Centre, verbose_name=_("中心"), on_delete=models.PROTECT, related_name="windows"
    )
    number = models.CharField(_("窗口号"), max_length=8)
    name = models.CharField(_("名称"), max_length=100)
    department = models.ForeignKey(
        Department, verbose_name=_("部门"), on_delete=models.PROTECT, related_name="windows"
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("窗口")
        verbose_name_plural = _("窗口")
        ordering = ["centre__path", "number"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "number"], name="window_number_per_centre")
        ]

    def __str__(self) -> str:
        return f"{self.number}号窗口 {self.name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The code is fixed at creation: it is printed on the window's QR poster.
        if not self.code:
            self.code = f"{self.centre.code}-{self.number}"
        super().save(*args, **kwargs)


class Staff(models.Model):
    employee_no = models.CharField(_("工号"), max_length=32, unique=True)
    name = models.CharField(_("姓名"), max_length=50)
    window = models.ForeignKey(
        Window,
        verbose_name=_("窗口"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="staff",
    )
    department = models.ForeignKey(
        Department, verbose_name=_("部门"), on_delete=models.PROTECT, related_name="staff"
    )
    phone = models.CharField(_("电话"), max_length=20, blank=True, validators=[validate_phone])
    is_active = models.BooleanField(_("在岗"), default=True)

    class Meta:
        verbose_name = _("工作人员")
        verbose_name_plural = _("工作人员")
        ordering = ["employee_no"]

    def __str__(self) -> str:
        return f"{self.name}（{self.employee_no}）"


class ServiceItem(models.Model):
    code = models.CharField(_("事项编码"), max_length=64, unique=True)
    name = models.CharField(_("事项名称"), max_length=200)
    department = models.ForeignKey(
        Department, verbose_name=_("实施部门"), on_delete=models.PROTECT, related_name="items"
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("政务服务事项")
        verbose_name_plural = _("政务服务事项")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"
