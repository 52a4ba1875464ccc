"""Forms of the rating pages and of the return visit."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from doudi.core.validators import validate_phone
from doudi.directory.models import Staff
from doudi.feedback.actions import COMMENT_MAX, Scores
from doudi.feedback.workflow import Level, Method


def _levels(label: Any, *, required: bool) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=Level.choices,
        coerce=int,
        empty_value=None,
        required=required,
        widget=forms.RadioSelect(attrs={"class": "btn-check"}),
        error_messages={"required": _("请选择总体评价。")},
    )


class ScoresMixin(forms.Form):
    level = _levels(_("总体评价"), required=True)
    comment = forms.CharField(
        label=_("意见或建议（选填）"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )

    def scores(self) -> Scores:
        data = self.cleaned_data
        return Scores(
            level=data["level"],
            efficiency=data.get("efficiency"),
            attitude=data.get("attitude"),
            professionalism=data.get("professionalism"),
        )


class WindowRatingForm(ScoresMixin):
    """The public rating of a window: phone first, no login."""

    efficiency = _levels(_("办事效率"), required=False)
    attitude = _levels(_("服务态度"), required=False)
    professionalism = _levels(_("业务水平"), required=False)
    staff = forms.ModelChoiceField(
        label=_("为您服务的工作人员（选填）"),
        queryset=Staff.objects.none(),
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    callback_phone = forms.CharField(
        label=_("手机号（选填，需要回电时填写）"),
        required=False,
        max_length=20,
        validators=[validate_phone],
        widget=forms.TextInput(attrs={"inputmode": "tel", "class": "form-control"}),
    )
    token = forms.CharField(widget=forms.HiddenInput)
    # A field people never see; a bot that fills it is refused.
    website = forms.CharField(required=False, widget=forms.HiddenInput)

    DIMENSIONS = ("efficiency", "attitude", "professionalism")

    def __init__(self, *args: Any, staff: list[Staff], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["staff"]
        field.queryset = Staff.objects.filter(pk__in=[s.pk for s in staff])  # type: ignore[attr-defined]
        field.empty_label = _("不清楚 / 不选")  # type: ignore[attr-defined]
        if not staff:
            del self.fields["staff"]

    def clean_website(self) -> str:
        if self.cleaned_data.get("website"):
            raise ValidationError(_("提交未通过校验。"))
        return ""

    def dimensions(self) -> list[forms.BoundField]:
        return [self[name] for name in self.DIMENSIONS]


class CaseRatingForm(ScoresMixin):
    """The reporter's own rating of a case's result, through the link sent by SMS."""

    solved = forms.TypedChoiceField(
        label=_("您反映的问题解决了吗？"),
        choices=[("1", _("已解决")), ("0", _("未解决"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect(attrs={"class": "btn-check"}),
        error_messages={"required": _("请选择问题是否解决。")},
    )


class VisitOutcomeForm(CaseRatingForm):
    """A supervisor's record of a return visit that reached the reporter."""

    method = forms.ChoiceField(
        label=_("回访方式"),
        choices=Method.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )


class VisitAttemptForm(forms.Form):
    method = forms.ChoiceField(
        label=_("回访方式"),
        choices=Method.choices,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    note = forms.CharField(
        label=_("说明"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )


class RatingMoveForm(forms.Form):
    reason = forms.CharField(
        label=_("理由"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )
