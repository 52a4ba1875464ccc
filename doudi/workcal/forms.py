from __future__ import annotations

from pathlib import PurePath

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from doudi.workcal.files import FORMATS


class CalendarImportForm(forms.Form):
    file = forms.FileField(
        label=_("文件"), help_text=_("CSV 或 JSON，格式见 docs/calendar-import.md")
    )
    file_format = forms.ChoiceField(
        label=_("格式"),
        choices=[("", _("按扩展名")), ("csv", "CSV"), ("json", "JSON")],
        required=False,
    )
    note = forms.CharField(
        label=_("备注"),
        max_length=200,
        required=False,
        help_text=_("如：国务院办公厅关于2027年部分节假日安排的通知"),
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        upload = data.get("file")
        if upload is not None and not data.get("file_format"):
            suffix = PurePath(str(upload.name)).suffix.lower().lstrip(".")
            if suffix not in FORMATS:
                raise ValidationError(_("无法从扩展名判断格式，请选择 CSV 或 JSON。"))
            data["file_format"] = suffix
        return data
