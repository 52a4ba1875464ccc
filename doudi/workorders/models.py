"""Problem work orders (问题工作单): one per department a case is sent to, with their events,
contacts with the reporter, extensions, and results."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from doudi.cases.models import Case
from doudi.directory.models import Department
from doudi.workorders.workflow import WorkOrderState


class Role(models.TextChoices):
    LEAD = "lead", _("主办")
    CO = "co", _("协办")


class ResultKind(models.TextChoices):
    SOLVED = "solved", _("已解决")
    PARTLY = "partly", _("部分解决")
    NOT_POSSIBLE = "not_possible", _("依法依规不能办理")


class WorkOrder(models.Model):
    number = models.CharField(_("工作单编号"), max_length=56, unique=True)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="work_orders")
    department = models.ForeignKey(
        Department, verbose_name=_("承办部门"), on_delete=models.PROTECT, related_name="work_orders"
    )
    role = models.CharField(_("承办角色"), max_length=8, choices=Role.choices)
    # Position in a sequence (串联); all 1 when parallel (并联).
    step = models.PositiveSmallIntegerField(_("顺序"), default=1)
    state = models.CharField(
        _("状态"), max_length=12, choices=WorkOrderState.choices, db_index=True
    )
    instructions = models.TextField(_("办理要求"), blank=True)
    issued_at = models.DateTimeField(_("派单时间"), null=True, blank=True, db_index=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answer_due = models.DateTimeField(_("答复期限"), null=True, blank=True)
    answer_due_provisional = models.BooleanField(default=False)
    result_kind = models.CharField(
        _("办理结果"), max_length=16, choices=ResultKind.choices, blank=True
    )
    result = models.TextField(_("结果说明"), blank=True)
    legal_basis = models.TextField(_("法律政策依据"), blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    dispute_reason = models.TextField(_("退单理由"), blank=True)
    reassigned_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rework_count = models.PositiveSmallIntegerField(_("退回重办次数"), default=0)
    # Bumped by every action: a form that carries an older version is a conflict.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("问题工作单")
        verbose_name_plural = _("问题工作单")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["department", "state"], name="wo_department_state"),
            models.Index(fields=["case", "step"], name="wo_case_step"),
        ]

    def __str__(self) -> str:
        return self.number


class WorkOrderEvent(models.Model):
    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=32)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_state = models.CharField(max_length=12, blank=True)
    to_state = models.CharField(max_length=12, blank=True)
    reason = models.TextField(blank=True)
    payload = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.work_order_id} {self.kind}"


class ContactMethod(models.TextChoices):
    PHONE = "phone", _("电话")
    SMS = "sms", _("短信")
    VISIT = "visit", _("上门/当面")
    OTHER = "other", _("其他")


class Contact(models.Model):
    """A contact with the reporter, logged by the handler."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="contacts")
    at = models.DateTimeField(_("联系时间"), default=timezone.now)
    method = models.CharField(_("方式"), max_length=8, choices=ContactMethod.choices)
    reached = models.BooleanField(_("已联系上"))
    note = models.TextField(_("情况"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.work_order_id} {self.method} {self.at:%Y-%m-%d}"


class ExtensionDecision(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    DENIED = "denied", _("未批准")


class Extension(models.Model):
    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="extensions")
    requested_at = models.DateTimeField(default=timezone.now)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    working_days = models.PositiveSmallIntegerField(_("延长工作日"))
    reason = models.TextField(_("理由"))
    old_due = models.DateTimeField()
    new_due = models.DateTimeField()
    new_due_provisional = models.BooleanField(default=False)
    decision = models.CharField(
        max_length=8, choices=ExtensionDecision.choices, default=ExtensionDecision.PENDING
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["requested_at", "id"]

    def __str__(self) -> str:
        return f"{self.work_order_id} +{self.working_days} {self.decision}"


class CaseRecipient(models.Model):
    """A department that a case has been sent to (it holds a work order of the case): one row
    per pair, written with the work order in the same transaction (``work_order_create``).

    ``doudi.cases.access.case_visibility`` reads it for "the cases sent to a department":
    a narrow, indexed list instead of the work orders themselves. Rows are never removed,
    as work orders are never deleted nor moved to another department (a reassignment makes a
    new work order). Loads written past the actions fill it with
    ``actions.case_recipients_fill``.

    Not ``analytics.CaseDepartment``: the roll-up keeps that one for figures, applied up to a
    minute later and with the ancestors and the item's department; access needs the pair the
    moment the work order exists."""

    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+", db_index=False)

    class Meta:
        verbose_name = "案件承办部门"
        verbose_name_plural = "案件承办部门"
        constraints = [
            # "The cases sent to these departments" (the scope's subquery, read from the
            # index alone).
            models.UniqueConstraint(fields=["department", "case"], name="case_recipient_pair")
        ]
        indexes = [
            # "Was this case sent to one of these departments" (a case at a time).
            models.Index(fields=["case", "department"], name="case_recipient_case")
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.department_id}"
