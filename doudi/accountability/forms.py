"""Forms for recording and deciding findings."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from doudi.accountability.selectors import Candidates
from doudi.accountability.workflow import FindingKind
from doudi.directory.models import Staff, Window


class FindingForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("问题类型"),
        choices=FindingKind.choices,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    staff = forms.ModelChoiceField(
        label=_("工作人员"),
        queryset=Staff.objects.none(),
        required=False,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    window = forms.ModelChoiceField(
        label=_("窗口"),
        queryset=Window.objects.none(),
        required=False,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    evidence = forms.CharField(
        label=_("事实与证据"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control form-control-sm"}),
    )

    def __init__(self, *args: Any, candidates: Candidates, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = Staff.objects.filter(  # type: ignore[attr-defined]
            pk__in=[s.pk for s in candidates.staff]
        )
        self.fields["window"].queryset = Window.objects.filter(  # type: ignore[attr-defined]
            pk__in=[w.pk for w in candidates.windows]
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("staff") and not data.get("window"):
            raise forms.ValidationError(_("请选择被认定的工作人员或窗口。"))
        return data


class FindingMoveForm(forms.Form):
    reason = forms.CharField(
        label=_("理由"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control form-control-sm"}),
    )
