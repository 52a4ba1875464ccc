from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from doudi.cases.forms import AttachmentsMixin, DressedForm, MultipleFileField
from doudi.workorders.models import ContactMethod, ResultKind


class _Versioned(DressedForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class SignForm(_Versioned):
    pass


class DisputeForm(_Versioned):
    reason = forms.CharField(
        label=_("退单理由（不属于本部门职责的依据）"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ContactForm(DressedForm):
    method = forms.ChoiceField(label=_("方式"), choices=ContactMethod.choices)
    reached = forms.BooleanField(label=_("已联系上"), required=False, initial=True)
    note = forms.CharField(label=_("情况"), max_length=1000, required=False)


class NoteForm(DressedForm):
    text = forms.CharField(
        label=_("办理进展"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ExtensionForm(DressedForm):
    working_days = forms.IntegerField(label=_("延长工作日"), min_value=1, max_value=20)
    reason = forms.CharField(label=_("延期理由"), max_length=1000)


class SubmitForm(AttachmentsMixin, _Versioned):
    result_kind = forms.ChoiceField(
        label=_("办理结果"), choices=ResultKind.choices, widget=forms.RadioSelect
    )
    result = forms.CharField(
        label=_("结果说明"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    legal_basis = forms.CharField(
        label=_("法律政策依据（不能办理时必填）"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    attachments = MultipleFileField(label=_("附件（图片或PDF）"), required=False)


FORMS: dict[str, type[forms.Form]] = {
    "sign": SignForm,
    "dispute": DisputeForm,
    "contact": ContactForm,
    "note": NoteForm,
    "extension": ExtensionForm,
    "submit": SubmitForm,
}
