"""Intake and case forms. Forms validate and turn input into the actions' dataclasses; they
decide nothing about the workflow."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from doudi.cases.actions import MAX_UPLOAD_BYTES, MAX_UPLOADS, Intake, Reporter, Upload
from doudi.cases.models import Channel, ReporterKind, Urgency
from doudi.core.validators import validate_credit_code, validate_id_number, validate_phone
from doudi.core.widgets import DateTimeInput
from doudi.directory.models import Centre, ServiceItem, Staff, Window
from doudi.directory.selectors import active_service_item, active_service_item_named
from doudi.lib.idcard import normalise_id_number
from doudi.lib.uscc import normalise_credit_code

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


# What a reporter may give as the time the matter happened: not before this, and not later
# than now (with a little slack for a clock that runs ahead).
EARLIEST_OCCURRED = datetime(2000, 1, 1, tzinfo=UTC)
OCCURRED_SKEW = timedelta(hours=1)
ACCEPTED_UPLOADS = "image/jpeg,image/png,image/webp,application/pdf"  # what sniff() admits
RESELECT_ATTACHMENTS = _("页面有错误，已选的附件没有保存，改正后请重新选择附件。")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


def dress(fields: dict[str, forms.Field]) -> None:
    """Bootstrap's classes on the widgets of a form's own fields, for a page."""
    for field in fields.values():
        widget = field.widget
        if isinstance(widget, forms.RadioSelect | forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        elif not isinstance(widget, forms.HiddenInput):
            widget.attrs.setdefault("class", "form-control")


class DressedForm(forms.Form):
    """A form whose fields ``cases/_field.html`` shows: its widgets dressed for the page."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        dress(self.fields)


def _text(label: StrOrPromise, max_length: int, **kwargs: Any) -> forms.CharField:
    return forms.CharField(label=label, max_length=max_length, required=False, **kwargs)


class AttachmentsMixin:
    """Size checks on the ``attachments`` field and the uploads handed to the actions."""

    cleaned_data: dict[str, Any]

    def clean_attachments(self) -> list[UploadedFile]:
        return _check_sizes(self.cleaned_data.get("attachments") or [])

    def uploads(self) -> list[Upload]:
        return [
            Upload(name=f.name or "file", data=f.read()) for f in self.cleaned_data["attachments"]
        ]


class IntakeForm(AttachmentsMixin, forms.Form):
    """The intake form: the clerk's (window and hotline) and, with ``public=True``, the
    reporter's own online form."""

    # Replays are per actor (case_register): a key only ever finds its own sender's case.
    submission_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    centre = forms.ModelChoiceField(
        label=_("受理中心"), queryset=Centre.objects.none(), empty_label=_("请选择受理中心")
    )
    reporter_kind = forms.ChoiceField(
        label=_("反映人类型"),
        choices=ReporterKind.choices,
        initial=ReporterKind.PERSON,
        widget=forms.RadioSelect,
    )
    is_anonymous = forms.BooleanField(label=_("匿名反映"), required=False)
    is_confidential = forms.BooleanField(label=_("要求对身份保密"), required=False)
    reporter_name = _text(_("姓名"), 50)
    reporter_phone = _text(_("联系电话"), 20, validators=[validate_phone])
    reporter_id_number = _text(_("身份证号码"), 18, validators=[validate_id_number])
    reporter_email = forms.EmailField(label=_("电子邮箱"), required=False)
    company_name = _text(_("企业名称"), 100)
    company_credit_code = _text(_("统一社会信用代码"), 18, validators=[validate_credit_code])
    service_item = _text(_("所办事项"), 220)
    matter_text = _text(_("所办事项（清单中没有时填写）"), 200)
    windows = forms.ModelMultipleChoiceField(
        label=_("涉及窗口"), queryset=Window.objects.none(), required=False
    )
    staff = _text(_("涉及工作人员（工号，多个用逗号分隔）"), 200)
    visits = forms.IntegerField(label=_("已跑动次数"), min_value=1, max_value=99, initial=1)
    title = forms.CharField(label=_("标题"), max_length=100)
    description = forms.CharField(label=_("经过"), max_length=5000, widget=forms.Textarea)
    request = _text(_("诉求"), 2000, widget=forms.Textarea(attrs={"rows": 3}))
    urgency = forms.ChoiceField(label=_("紧急程度"), choices=Urgency.choices, initial="normal")
    occurred_at = forms.DateTimeField(
        label=_("发生时间"),
        required=False,
        widget=DateTimeInput(),
    )
    attachments = MultipleFileField(
        label=_("附件（图片或PDF，每个不超过10MB，最多5个）"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": ACCEPTED_UPLOADS}),
    )
    # A field people never see; a bot that fills it is refused.
    website = forms.CharField(required=False, widget=forms.HiddenInput)

    PUBLIC_FIELDS_OMITTED = ("staff", "urgency")
    # Shown on a page: the widgets get their classes and hints (``IntakeChecks`` is not).
    presented = True

    def __init__(
        self,
        *args: Any,
        centres: QuerySet[Centre],
        windows: QuerySet[Window],
        staff_scope: QuerySet[Staff] | None = None,
        public: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.staff_scope = staff_scope if staff_scope is not None else Staff.objects.none()
        self.fields["centre"].queryset = centres  # type: ignore[attr-defined]
        self.fields["windows"].queryset = windows  # type: ignore[attr-defined]
        if not self.is_bound:
            self.initial.setdefault("submission_key", uuid.uuid4().hex)
        if public:
            for name in self.PUBLIC_FIELDS_OMITTED:
                del self.fields[name]
            self.fields["windows"].label = _("在哪个窗口没办成（可不选）")
        if self.presented:
            self._present()

    def _present(self) -> None:
        dress(self.fields)
        # Needed unless the report is anonymous (``clean``): starred like the required ones.
        for name in ("reporter_name", "reporter_phone", "company_name", "company_credit_code"):
            self.fields[name].starred = True  # type: ignore[attr-defined]
        # The list may hold several centres' windows, each centre numbering its own from 01.
        self.fields["windows"].label_from_instance = _window_with_centre  # type: ignore[attr-defined]
        self.fields["description"].widget.attrs.setdefault("rows", 5)
        self.fields["service_item"].widget.attrs.update(
            {"list": "service-item-options", "autocomplete": "off"}
        )
        if "staff" in self.fields:
            self.fields["staff"].widget.attrs.update(
                {"list": "staff-options", "autocomplete": "off"}
            )
        self.fields["reporter_phone"].widget.attrs.update({"inputmode": "tel"})

    def clean_occurred_at(self) -> datetime | None:
        at = self.cleaned_data.get("occurred_at")
        if at is None:
            return None
        # A mistyped year (0001, 2062) would be stored as a date nobody meant; year 1 in this
        # time zone is not even a date the database can hold.
        if at < EARLIEST_OCCURRED:
            raise ValidationError(
                _("发生时间不能早于 %(year)s 年，请检查年份。"),
                params={"year": EARLIEST_OCCURRED.year},
            )
        if at > timezone.now() + OCCURRED_SKEW:
            raise ValidationError(_("发生时间不能晚于现在，请检查日期。"))
        return at

    def clean_website(self) -> str:
        if self.cleaned_data.get("website"):
            raise ValidationError(_("提交未通过校验。"))
        return ""

    def clean_reporter_id_number(self) -> str:
        return normalise_id_number(self.cleaned_data.get("reporter_id_number", ""))

    def clean_company_credit_code(self) -> str:
        return normalise_credit_code(self.cleaned_data.get("company_credit_code", ""))

    def clean_service_item(self) -> ServiceItem | None:
        raw = self.cleaned_data.get("service_item", "").strip()
        if not raw:
            return None
        code = raw.split()[0]
        # The code (a suggestion picked: "RS-SB-0001 name"), or the catalogue's name typed out.
        item = active_service_item(code) or active_service_item_named(raw)
        if item is None:
            raise ValidationError(
                _("找不到事项“%(code)s”，请从列表中选择，或在下方填写事项名称。"),
                params={"code": code},
            )
        return item

    def clean_staff(self) -> list[Staff]:
        raw = self.cleaned_data.get("staff", "")
        numbers = [
            part.strip().split()[0] for part in raw.replace("，", ",").split(",") if part.strip()
        ]
        if not numbers:
            return []
        found = {s.employee_no: s for s in self.staff_scope.filter(employee_no__in=numbers)}
        missing = [n for n in numbers if n not in found]
        if missing:
            raise ValidationError(_("找不到工号：%(nos)s"), params={"nos": "、".join(missing)})
        return list(found.values())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        anonymous = data.get("is_anonymous")
        company = data.get("reporter_kind") == ReporterKind.COMPANY
        if not anonymous:
            if company:
                for name, message in (
                    ("company_name", _("请填写企业名称。")),
                    ("company_credit_code", _("请填写统一社会信用代码。")),
                ):
                    if not data.get(name) and name not in self.errors:
                        self.add_error(name, message)
            elif not data.get("reporter_name") and "reporter_name" not in self.errors:
                self.add_error("reporter_name", _("请填写姓名，或选择匿名反映。"))
            if not data.get("reporter_phone") and "reporter_phone" not in self.errors:
                self.add_error("reporter_phone", _("请留下联系电话，以便告知办理进度。"))
        centre = data.get("centre")
        # Said at the field on a page; the checks have no such field, and case_register refuses
        # a window of another centre whoever calls it.
        if (
            "windows" in self.fields
            and centre is not None
            and any(w.centre_id != centre.pk for w in _listed(data.get("windows")))
        ):
            self.add_error("windows", _("所选窗口不属于所选受理中心，请重新选择。"))
        no_matter = not data.get("service_item") and not data.get("matter_text")
        if no_matter and "service_item" not in self.errors:
            self.add_error("matter_text", _("请选择所办事项，或填写事项名称。"))
        if self.errors and self.files.getlist("attachments") and "attachments" not in self.errors:
            # A browser never fills a file field again: say so where the files were chosen,
            # rather than let the case be sent later without them.
            self.add_error("attachments", RESELECT_ATTACHMENTS)
        return data

    def intake(self, *, channel: str) -> Intake:
        data = self.cleaned_data
        return Intake(
            centre=data["centre"],
            channel=channel,
            title=data["title"].strip(),
            description=data["description"].strip(),
            request=data.get("request", "").strip(),
            reporter=Reporter(
                kind=data["reporter_kind"],
                anonymous=bool(data.get("is_anonymous")),
                confidential=bool(data.get("is_confidential")),
                name=data.get("reporter_name", "").strip(),
                phone=data.get("reporter_phone", "").strip(),
                id_number=data.get("reporter_id_number", ""),
                email=data.get("reporter_email", ""),
                company_name=data.get("company_name", "").strip(),
                credit_code=data.get("company_credit_code", ""),
            ),
            service_item=data.get("service_item"),
            matter_text=data.get("matter_text", "").strip(),
            windows=_listed(data.get("windows")),
            staff=list(data.get("staff") or []),
            visits=data.get("visits") or 1,
            urgency=data.get("urgency") or Urgency.NORMAL,
            occurred_at=data.get("occurred_at"),
        )


class _Shared(dict[str, forms.Field]):
    """A form's declared fields, which Django deep-copies for each form (every field, widget
    and choice): here only a new dict of the same fields, for forms that change none of them."""

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, forms.Field]:
        return dict(self)


class IntakeChecks(IntakeForm):
    """The intake form's checks for data that no page shows (the API, Open311): the same
    fields and cleaning, so that they check exactly what the window checks, without the
    widgets' presentation and without a copy of any field per request (under load the form
    was 30% of an API registration's Python, half of it those copies: docs/benchmarks.md).

    The centre and the windows are not fields here: the caller has read them, in its user's
    scope (the API by their codes), and hands them over (``case_register`` refuses windows of
    another centre). Nor is the staff field: neither interface takes staff. So every field is
    shared between instances and threads, which only read them."""

    presented = False

    def __init__(
        self, data: Mapping[str, Any], *, centre: Centre, windows: Sequence[Window] = ()
    ) -> None:
        forms.Form.__init__(self, data)
        self.chosen = {"centre": centre, "windows": list(windows)}

    def clean(self) -> dict[str, Any]:
        self.cleaned_data.update(self.chosen)
        return super().clean()


IntakeChecks.base_fields = _Shared(
    (name, field)
    for name, field in IntakeForm.base_fields.items()
    if name not in {"centre", "windows", "staff"}
)


def _window_with_centre(window: Window) -> str:
    return f"{window.centre.name} · {window}"


def _listed(windows: QuerySet[Window] | list[Window] | None) -> list[Window]:
    # No window chosen is the field's queryset.none(): empty without compiling its query.
    if windows is None or (isinstance(windows, QuerySet) and windows.query.is_empty()):
        return []
    return list(windows)


def _check_sizes(files: list[UploadedFile]) -> list[UploadedFile]:
    if len(files) > MAX_UPLOADS:
        raise ValidationError(_("最多上传 %(n)s 个文件。"), params={"n": MAX_UPLOADS})
    for item in files:
        if (item.size or 0) > MAX_UPLOAD_BYTES:
            raise ValidationError(_("文件“%(name)s”超过 10 MB。"), params={"name": item.name})
    return files


# The channels a clerk can register on, by intake page.
CLERK_CHANNELS = {"window": Channel.WINDOW, "hotline": Channel.HOTLINE}


class ResolveForm(DressedForm):
    result = forms.CharField(
        label=_("办理结果"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class OutOfScopeForm(DressedForm):
    explanation = forms.CharField(
        label=_("一次性告知内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    where_to_go = forms.CharField(label=_("办理途径（去哪里办）"), max_length=500)


class TransferForm(DressedForm):
    RECEIVERS = [
        ("信访", _("信访")),
        ("12345", _("12345热线")),
        ("110", _("110")),
        ("法院", _("法院")),
        ("其他", _("其他")),
    ]
    receiver = forms.ChoiceField(label=_("转至"), choices=RECEIVERS)
    reference = forms.CharField(label=_("对方受理编号"), max_length=100, required=False)


class NoteForm(DressedForm):
    note = forms.CharField(
        label=_("说明"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class WithdrawForm(DressedForm):
    reason = forms.CharField(label=_("撤回原因"), max_length=500)


class MergeForm(DressedForm):
    into = forms.CharField(label=_("合并到案件编号"), max_length=48)
    reason = forms.CharField(label=_("说明"), max_length=500, required=False)


class TrackForm(forms.Form):
    number = forms.CharField(label=_("案件编号"), max_length=48)
    code = forms.CharField(label=_("查询码"), max_length=16)


class AddInfoForm(AttachmentsMixin, DressedForm):
    text = forms.CharField(
        label=_("补充说明"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    attachments = MultipleFileField(
        label=_("补充材料（图片或PDF，每个不超过10MB，最多5个）"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": ACCEPTED_UPLOADS}),
    )


MOVE_FORMS: dict[str, type[forms.Form]] = {
    "resolve_on_spot": ResolveForm,
    "out_of_scope": OutOfScopeForm,
    "transfer": TransferForm,
    "send_to_triage": NoteForm,
    "withdraw": WithdrawForm,
    "merge": MergeForm,
}
