"""Forms: the recurring-problems filter, promoting a cluster, editing an issue, its moves."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from doudi.accounts.models import User
from doudi.core.widgets import DateInput
from doudi.directory.models import Centre, Department
from doudi.policy.selectors import DEFAULT_DAYS, owner_users

MAX_DAYS = 366
SORTS = [("reporters", _("反映人数")), ("count", _("案件数")), ("growth", _("增长"))]
_SELECT = {"class": "form-select form-select-sm"}
_DATE = {"class": "form-control form-control-sm"}


class ProblemsForm(forms.Form):
    centre = forms.ModelChoiceField(
        label=_("中心"), queryset=Centre.objects.none(), widget=forms.Select(attrs=_SELECT)
    )
    start = forms.DateField(label=_("开始日期"), widget=DateInput(_DATE))
    end = forms.DateField(label=_("结束日期"), widget=DateInput(_DATE))
    by = forms.ChoiceField(label=_("排序"), choices=SORTS, widget=forms.Select(attrs=_SELECT))

    def __init__(self, *args: Any, centres: QuerySet[Centre], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["centre"].queryset = centres  # type: ignore[attr-defined]

    @staticmethod
    def defaults(centres: QuerySet[Centre]) -> dict[str, Any]:
        today = timezone.localdate()
        return {
            "centre": centres.first(),
            "start": today - timedelta(days=DEFAULT_DAYS - 1),
            "end": today,
            "by": "reporters",
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            raise forms.ValidationError(_("结束日期不能早于开始日期。"))
        if start and end and (end - start).days >= MAX_DAYS:
            raise forms.ValidationError(_("区间最长一年。"))
        return data


class OwnerFields(forms.Form):
    owner_user = forms.ModelChoiceField(
        label=_("负责人"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.Select(attrs=_SELECT),
    )
    owner_department = forms.ModelChoiceField(
        label=_("责任部门"),
        queryset=Department.objects.filter(is_active=True),
        required=False,
        widget=forms.Select(attrs=_SELECT),
    )

    def __init__(self, *args: Any, centre: Centre, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner_user"].queryset = owner_users(centre)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("owner_user") and not data.get("owner_department"):
            raise forms.ValidationError(_("请指定负责人或责任部门。"))
        return data


class IssueForm(OwnerFields):
    title = forms.CharField(
        label=_("问题名称"),
        max_length=100,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )
    proposal = forms.CharField(
        label=_("解决方案建议"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control form-control-sm"}),
    )
    field_order = ["title", "owner_user", "owner_department", "proposal"]


class PromoteForm(IssueForm):
    centre = forms.ModelChoiceField(queryset=Centre.objects.none(), widget=forms.HiddenInput)
    start = forms.DateField(required=False, widget=forms.HiddenInput)
    end = forms.DateField(required=False, widget=forms.HiddenInput)
    label = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)
    cases = forms.TypedMultipleChoiceField(
        label=_("关联案件"), coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def __init__(
        self, *args: Any, centre: Centre, centres: QuerySet[Centre], cases: list[Any], **kw: Any
    ) -> None:
        super().__init__(*args, centre=centre, **kw)
        self.fields["centre"].queryset = centres  # type: ignore[attr-defined]
        self.fields["cases"].choices = [  # type: ignore[attr-defined]
            (case.pk, f"{case.number} {case.title}") for case in cases
        ]


class MoveForm(forms.Form):
    reason = forms.CharField(
        label=_("说明"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control form-control-sm"}),
    )


class LinkForm(forms.Form):
    number = forms.CharField(
        label=_("案件编号"),
        max_length=48,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )
