from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from doudi.directory.models import Centre
from doudi.imports.models import ImportMode


class ImportForm(forms.Form):
    file = forms.FileField(label=_("文件（CSV 或 XLSX）"))
    centre = forms.ModelChoiceField(label=_("导入到"), queryset=Centre.objects.none())
    source = forms.CharField(
        label=_("来源名称"),
        max_length=16,
        initial="12345",
        help_text=_("与来源编号一起识别已导入的案件，如 12345、历史2019"),
    )
    mode = forms.ChoiceField(
        label=_("方式"),
        choices=ImportMode.choices,
        initial=ImportMode.ALL_OR_NOTHING,
        widget=forms.RadioSelect,
    )

    def __init__(
        self, *args: Any, centres: QuerySet[Centre], home: Centre | None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["centre"].queryset = centres  # type: ignore[attr-defined]
        self.fields["centre"].initial = home  # the importer's own centre
