"""Column mappings for importing and exporting the directory (django-import-export).

Rows refer to each other by code (a window's centre and department, a staff member's window),
never by database id, so that a spreadsheet made by hand can be imported.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from import_export import fields, resources
from import_export.results import Result
from import_export.widgets import ForeignKeyWidget

from doudi.directory.models import Centre, Department, ServiceItem, Staff, Window


class _StrictForeignKey(ForeignKeyWidget):
    """Like ForeignKeyWidget, but an unknown code is a row error that names the code."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        if value in (None, ""):
            return None
        try:
            return super().clean(value, row, **kwargs)
        except self.model.DoesNotExist:
            raise ValueError(
                _("找不到编码为“%(code)s”的%(model)s")
                % {"code": value, "model": self.model._meta.verbose_name}
            ) from None


def _by_code(attribute: str, column: str, model: type[Any]) -> fields.Field:
    """A foreign key given in the file by the referenced row's code."""
    key = "code"
    return fields.Field(
        attribute=attribute, column_name=column, widget=_StrictForeignKey(model, key)
    )


class FileLineResult(Result):
    """Numbers bad rows by their line in the file (the header is line 1), as a spreadsheet
    shows them, in the admin pages and the command alike."""

    def append_invalid_row(self, number: int, row: Any, validation_error: Any) -> None:
        super().append_invalid_row(number + 1, row, validation_error)

    def append_error_row(self, number: int, row: Any, errors: Any) -> None:
        super().append_error_row(number + 1, row, errors)


class _Base(resources.ModelResource):
    @classmethod
    def get_result_class(cls) -> type[Result]:
        return FileLineResult

    class Meta:
        skip_unchanged = True
        report_skipped = False
        clean_model_instances = True  # run model validation (phone format, tree cycles…)
        use_transactions = True


class CentreResource(_Base):
    parent = _by_code("parent", "parent_code", Centre)

    class Meta(_Base.Meta):
        model = Centre
        import_id_fields = ("code",)
        fields = ("code", "name", "level", "parent", "address", "is_active")


class DepartmentResource(_Base):
    parent = _by_code("parent", "parent_code", Department)

    class Meta(_Base.Meta):
        model = Department
        import_id_fields = ("code",)
        fields = ("code", "name", "parent", "is_active")


class WindowResource(_Base):
    centre = _by_code("centre", "centre_code", Centre)
    department = _by_code("department", "department_code", Department)

    class Meta(_Base.Meta):
        model = Window
        import_id_fields = ("centre", "number")
        fields = ("centre", "number", "name", "department", "is_active")


class StaffResource(_Base):
    window = _by_code("window", "window_code", Window)
    department = _by_code("department", "department_code", Department)

    class Meta(_Base.Meta):
        model = Staff
        import_id_fields = ("employee_no",)
        fields = ("employee_no", "name", "window", "department", "phone", "is_active")


class ServiceItemResource(_Base):
    department = _by_code("department", "department_code", Department)

    class Meta(_Base.Meta):
        model = ServiceItem
        import_id_fields = ("code",)
        fields = ("code", "name", "department", "is_active")


RESOURCES: dict[str, type[_Base]] = {
    "centres": CentreResource,
    "departments": DepartmentResource,
    "windows": WindowResource,
    "staff": StaffResource,
    "items": ServiceItemResource,
}
