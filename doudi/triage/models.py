"""Triage: the cause taxonomy, deadline tiers per centre, the library of standard solutions
(套餐式解决方案), and each case's triage record."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from doudi.cases.models import Case
from doudi.directory.models import Centre, Department


class Tier(models.TextChoices):
    SIMPLE = "simple", _("简单（当场办结）")
    GENERAL = "general", _("一般")
    COMPLEX = "complex", _("复杂或多部门")
    CANNOT = "cannot", _("办不了（书面说明依据）")
    REFUSED = "refused", _("不给办（限期解决并问责）")
    RECTIFICATION = "rectification", _("差评整改")


# Working days per tier when a centre has not set its own (DESIGN.md).
DEFAULT_TIER_DAYS: dict[str, int] = {
    Tier.SIMPLE: 0,
    Tier.GENERAL: 5,
    Tier.COMPLEX: 10,
    Tier.CANNOT: 3,
    Tier.REFUSED: 3,
    Tier.RECTIFICATION: 15,
}


class Cause(models.Model):
    """A node of the two-level cause taxonomy (办不了 / 很难办 › 需多部门 …)."""

    code = models.CharField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级分类"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        limit_choices_to={"parent__isnull": True},
    )
    default_tier = models.CharField(
        _("默认时限档次"), max_length=16, choices=Tier.choices, default=Tier.GENERAL
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("原因分类")
        verbose_name_plural = _("原因分类")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return f"{self.parent.name} › {self.name}" if self.parent_id and self.parent else self.name


class TierPolicy(models.Model):
    """A centre's working days for a tier; a centre without its own row uses its parent's, and
    the district's, and finally DEFAULT_TIER_DAYS."""

    centre = models.ForeignKey(
        Centre, verbose_name=_("中心"), on_delete=models.CASCADE, related_name="tier_policies"
    )
    tier = models.CharField(_("档次"), max_length=16, choices=Tier.choices)
    working_days = models.PositiveSmallIntegerField(_("办理时限（工作日）"))

    class Meta:
        verbose_name = _("时限档次")
        verbose_name_plural = _("时限档次")
        constraints = [
            models.UniqueConstraint(fields=["centre", "tier"], name="tier_policy_centre_tier")
        ]

    def __str__(self) -> str:
        return f"{self.centre} {self.get_tier_display()} {self.working_days}"


class SolutionPackage(models.Model):
    """A standard solution for a cause: what to do and which departments usually do it."""

    cause = models.ForeignKey(
        Cause, verbose_name=_("原因"), on_delete=models.PROTECT, related_name="packages"
    )
    title = models.CharField(_("方案名称"), max_length=100)
    steps = models.TextField(_("办理步骤"))
    departments = models.ManyToManyField(
        Department, verbose_name=_("常用承办部门"), blank=True, related_name="packages"
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("套餐式解决方案")
        verbose_name_plural = _("套餐式解决方案")
        ordering = ["cause__order", "title"]

    def __str__(self) -> str:
        return self.title


class Mode(models.TextChoices):
    PARALLEL = "parallel", _("并联（同时办理）")
    SEQUENCE = "sequence", _("串联（依次办理）")


class Triage(models.Model):
    """How the task force classified a case and where it sent it."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="triage")
    cause = models.ForeignKey(Cause, verbose_name=_("原因"), on_delete=models.PROTECT)
    tier = models.CharField(_("时限档次"), max_length=16, choices=Tier.choices)
    working_days = models.PositiveSmallIntegerField(_("办理时限（工作日）"))
    mode = models.CharField(_("办理方式"), max_length=10, choices=Mode.choices)
    package = models.ForeignKey(
        SolutionPackage,
        verbose_name=_("解决方案"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    instructions = models.TextField(_("办理要求"), blank=True)
    triaged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    triaged_at = models.DateTimeField(_("分拣时间"))
    # Filled when the work orders go out (batch issue).
    issued_at = models.DateTimeField(_("派单时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("分拣记录")
        verbose_name_plural = _("分拣记录")

    def __str__(self) -> str:
        return f"{self.case_id} {self.cause}"


class TriageDepartment(models.Model):
    """A department a triaged case goes to: the lead (主办) first, then co-handlers (协办), in
    the order of a sequence (串联) when the mode is sequential."""

    triage = models.ForeignKey(Triage, on_delete=models.CASCADE, related_name="targets")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["triage", "department"], name="triage_department_once")
        ]

    def __str__(self) -> str:
        return f"{self.triage_id} {self.position} {self.department_id}"


class DailySummary(models.Model):
    """The daily summary (日报) made at the cut-off for each centre: the previous day's cases by
    cause and department, work orders issued, overdue ones."""

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="daily_summaries")
    day = models.DateField(_("日期"))
    made_at = models.DateTimeField(_("生成时间"))
    data = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("日报")
        verbose_name_plural = _("日报")
        ordering = ["-day", "centre__path"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "day"], name="daily_summary_centre_day")
        ]

    def __str__(self) -> str:
        return f"{self.centre} {self.day}"


class RoutingTarget(models.TextChoices):
    DEPARTMENT = "department", _("承办部门")
    CAUSE = "cause", _("原因分类")
    TIER = "tier", _("时限档次")


class RoutingModel(models.Model):
    """A trained routing model, kept in the database so that every app server and worker reads
    the same versions (and a backup holds them). The newest version of a target is the one in
    use."""

    target = models.CharField(_("建议对象"), max_length=16, choices=RoutingTarget.choices)
    version = models.PositiveIntegerField(_("版本"))
    trained_at = models.DateTimeField(_("训练时间"))
    source = models.CharField(_("训练数据"), max_length=200)
    examples = models.PositiveIntegerField(_("样本数"))
    labels = models.JSONField(_("类别"), default=list)
    seconds = models.FloatField(_("训练用时（秒）"), default=0)
    blob = models.BinaryField(editable=False)

    class Meta:
        verbose_name = _("分拣建议模型")
        verbose_name_plural = _("分拣建议模型")
        ordering = ["target", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["target", "version"], name="routing_model_version")
        ]

    def __str__(self) -> str:
        return f"{self.get_target_display()} v{self.version}"


class TrainingExample(models.Model):
    """An imported historical message with the department (or area) that handled it. Labels
    that name a department (by code or name) are stored as the department's code."""

    source = models.CharField(_("来源"), max_length=200)
    title = models.CharField(_("标题"), max_length=200, blank=True)
    body = models.TextField(_("内容"), blank=True)
    label = models.CharField(_("类别"), max_length=100)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    imported_at = models.DateTimeField(_("导入时间"))

    class Meta:
        verbose_name = _("历史训练样本")
        verbose_name_plural = _("历史训练样本")

    def __str__(self) -> str:
        return f"{self.label}: {self.title[:30]}"


class RoutingSuggestion(models.Model):
    """What Doudi suggested for a case waiting in triage, and whether the task force took it
    (the admin's acceptance rate per version). Training learns from what was chosen and
    settled: the triage record and the department that answered."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="routing_suggestions")
    target = models.CharField(max_length=16, choices=RoutingTarget.choices)
    rank = models.PositiveSmallIntegerField()
    label = models.CharField(max_length=100)
    confidence = models.FloatField()
    # NULL: the rule fallback (service item → department), not a model.
    model = models.ForeignKey(RoutingModel, null=True, blank=True, on_delete=models.SET_NULL)
    made_at = models.DateTimeField()
    chosen = models.BooleanField(null=True)  # set when the case is triaged

    class Meta:
        ordering = ["target", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "target", "rank"], name="routing_suggestion_rank"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.target} {self.label} {self.confidence:.2f}"
