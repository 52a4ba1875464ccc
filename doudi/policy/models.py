"""Tracked policy issues: a recurring problem the task force promoted from a cluster of cases,
with its owner, proposal, linked cases (recurrences among them) and events."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from doudi.cases.models import Case
from doudi.core.statetable import event_label
from doudi.directory.models import Centre, Department
from doudi.policy.workflow import ISSUE_MOVES, IssueState, LinkKind


class PolicyIssue(models.Model):
    centre = models.ForeignKey(
        Centre, verbose_name=_("中心"), on_delete=models.PROTECT, related_name="policy_issues"
    )
    title = models.CharField(_("问题名称"), max_length=100)
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("负责人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_policy_issues",
    )
    owner_department = models.ForeignKey(
        Department,
        verbose_name=_("责任部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="policy_issues",
    )
    proposal = models.TextField(_("解决方案建议"), max_length=4000, blank=True)
    state = models.CharField(
        _("状态"), max_length=12, choices=IssueState.choices, default=IssueState.OPEN
    )
    # The words that named the cluster, and its heaviest bigrams (doudi.lib.clustering
    # Signature), which later cases are matched against.
    label = models.CharField(_("关键词"), max_length=100, blank=True)
    signature = models.JSONField(default=dict, blank=True, editable=False)
    period_start = models.DateField(_("聚类区间起"), null=True, blank=True)
    period_end = models.DateField(_("聚类区间止"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    outcome = models.TextField(_("解决情况"), blank=True)
    recurrences = models.PositiveIntegerField(_("复发次数"), default=0)
    cases = models.ManyToManyField(
        Case, through="PolicyIssueCase", related_name="policy_issues", blank=True
    )

    class Meta:
        verbose_name = _("政策问题")
        verbose_name_plural = _("政策问题")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["centre", "state"], name="policy_centre_state")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(owner_user__isnull=False)
                | models.Q(owner_department__isnull=False),
                name="policy_issue_has_an_owner",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def owner(self) -> str:
        parts = [str(o) for o in (self.owner_department, self.owner_user) if o is not None]
        return " · ".join(parts)


class PolicyIssueCase(models.Model):
    """A case linked to an issue: one of the cluster it came from, added by hand, or a later
    case that matched the closed issue (a recurrence)."""

    issue = models.ForeignKey(PolicyIssue, on_delete=models.CASCADE, related_name="links")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="policy_links")
    kind = models.CharField(_("关联方式"), max_length=12, choices=LinkKind.choices)
    score = models.FloatField(_("相似度"), null=True, blank=True)
    linked_at = models.DateTimeField(_("关联时间"), default=timezone.now)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["linked_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["issue", "case"], name="policy_link_issue_case")
        ]
        indexes = [models.Index(fields=["case", "kind"], name="policy_link_case_kind")]

    def __str__(self) -> str:
        return f"{self.issue_id} {self.case_id} {self.kind}"


# The issue's events that are not moves of its workflow.
ISSUE_EVENT_LABELS = {
    "promote": _("列为政策问题"),
    "update": _("修改"),
    "link": _("关联案件"),
    "recurrence": _("发现复发案件"),
}


class PolicyIssueEvent(models.Model):
    issue = models.ForeignKey(PolicyIssue, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("事件"), max_length=16)
    at = models.DateTimeField(_("时间"), default=timezone.now)
    # None: the system (a recurrence found after a case was registered).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_state = models.CharField(max_length=12, blank=True)
    to_state = models.CharField(max_length=12, blank=True)
    reason = models.TextField(_("说明"), blank=True)
    payload = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.issue_id} {self.kind}"

    @property
    def kind_label(self) -> str:
        return event_label(ISSUE_MOVES, self.kind, ISSUE_EVENT_LABELS)

    @property
    def to_state_label(self) -> str:
        return str(IssueState(self.to_state).label) if self.to_state in IssueState.values else ""
