from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from doudi.directory.models import Department
from doudi.triage.models import Cause, Mode, SolutionPackage, Tier


class TriageForm(forms.Form):
    cause = forms.ModelChoiceField(label=_("原因分类"), queryset=Cause.objects.none())
    # Left at "", the chosen cause's own default tier (a 不给办 cause: 3 working days).
    tier = forms.ChoiceField(
        label=_("时限档次"),
        choices=[("", _("按原因分类的默认档次")), *Tier.choices],
        required=False,
    )
    lead = forms.ModelChoiceField(label=_("主办部门"), queryset=Department.objects.none())
    co_handlers = forms.ModelMultipleChoiceField(
        label=_("协办部门"), queryset=Department.objects.none(), required=False
    )
    mode = forms.ChoiceField(label=_("办理方式"), choices=Mode.choices, initial=Mode.PARALLEL)
    package = forms.ModelChoiceField(
        label=_("解决方案"), queryset=SolutionPackage.objects.none(), required=False
    )
    instructions = forms.CharField(
        label=_("办理要求"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, departments: QuerySet[Department], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Leaves only: a second-level cause, or a top-level one without children (办不了, 其他).
        self.fields["cause"].queryset = (  # type: ignore[attr-defined]
            Cause.objects.filter(is_active=True)
            .exclude(children__is_active=True)
            .select_related("parent")
            .order_by("parent__order", "order", "code")
        )
        self.fields["lead"].queryset = departments  # type: ignore[attr-defined]
        self.fields["co_handlers"].queryset = departments  # type: ignore[attr-defined]
        self.fields["package"].queryset = SolutionPackage.objects.filter(  # type: ignore[attr-defined]
            is_active=True
        ).select_related("cause")
        for field in self.fields.values():
            small = (
                "form-select form-select-sm"
                if isinstance(field.widget, forms.Select)
                else ("form-control form-control-sm")
            )
            field.widget.attrs.setdefault("class", small)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        lead = data.get("lead")
        co = list(data.get("co_handlers") or [])
        if lead is not None and lead in co:
            raise ValidationError(_("主办部门不能同时是协办部门。"))
        return data

    def departments(self) -> list[Department]:
        return [self.cleaned_data["lead"], *self.cleaned_data.get("co_handlers", [])]


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("审核"), choices=[("accept", _("通过并答复反映人")), ("rework", _("退回重办"))]
    )
    reason = forms.CharField(label=_("意见"), max_length=2000, required=False)


class ReassignForm(forms.Form):
    department = forms.ModelChoiceField(label=_("改派至"), queryset=Department.objects.none())

    def __init__(self, *args: Any, departments: QuerySet[Department], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments  # type: ignore[attr-defined]
        self.fields["department"].widget.attrs["class"] = "form-select form-select-sm"


class ExtensionDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("批准")), ("deny", _("不批准"))])
    note = forms.CharField(label=_("意见"), max_length=500, required=False)
