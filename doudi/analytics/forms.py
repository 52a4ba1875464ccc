"""The dashboard's filters: period, centre, department, cause, channel."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from doudi.analytics.selectors import Filters
from doudi.cases.models import Channel
from doudi.core.widgets import DateInput
from doudi.directory.models import Centre, Department
from doudi.lib.periods import PeriodError, period_for
from doudi.triage.models import Cause

PRESET_CHOICES = [
    ("month", _("本月")),
    ("week", _("本周")),
    ("last_month", _("上月")),
    ("quarter", _("本季度")),
    ("year", _("本年")),
    ("custom", _("自定义")),
]


class FilterForm(forms.Form):
    preset = forms.ChoiceField(label=_("统计区间"), choices=PRESET_CHOICES, required=False)
    start = forms.DateField(
        label=_("开始日期"),
        required=False,
        widget=DateInput({"class": "form-control form-control-sm"}),
    )
    end = forms.DateField(
        label=_("结束日期"),
        required=False,
        widget=DateInput({"class": "form-control form-control-sm"}),
    )
    centre = forms.ModelChoiceField(
        label=_("中心"), queryset=Centre.objects.none(), required=False, empty_label=_("全部中心")
    )
    department = forms.ModelChoiceField(
        label=_("部门"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=_("全部部门"),
    )
    cause = forms.ModelChoiceField(
        label=_("原因"), queryset=Cause.objects.none(), required=False, empty_label=_("全部原因")
    )
    channel = forms.ChoiceField(
        label=_("渠道"), choices=[("", _("全部渠道")), *Channel.choices], required=False
    )

    def __init__(
        self,
        *args: Any,
        centres: QuerySet[Centre],
        departments: QuerySet[Department],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["centre"].queryset = centres  # type: ignore[attr-defined]
        self.fields["department"].queryset = departments  # type: ignore[attr-defined]
        self.fields["cause"].queryset = Cause.objects.filter(is_active=True).select_related(  # type: ignore[attr-defined]
            "parent"
        )
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-select form-select-sm")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            data["period"] = period_for(
                data.get("preset") or "month",
                timezone.localdate(),
                start=data.get("start"),
                end=data.get("end"),
            )
        except PeriodError as error:
            raise forms.ValidationError(str(error)) from error
        return data

    def filters(self) -> Filters:
        data = self.cleaned_data
        return Filters(
            period=data["period"],
            centre=data.get("centre"),
            department=data.get("department"),
            cause=data.get("cause"),
            channel=data.get("channel") or "",
        )
