"""Changes to the directory that are more than one admin form: bulk import, the demo district."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import tablib
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from doudi.directory.resources import RESOURCES

if TYPE_CHECKING:
    from doudi.accounts.models import User

FORMATS = ("csv", "xlsx")


class ImportFileError(Exception):
    """The file as a whole cannot be read (wrong format, encoding, or empty)."""


@dataclass(frozen=True)
class RowError:
    line: int  # the line in the file, counting the header as line 1
    message: str


@dataclass
class ImportReport:
    kind: str
    rows: int
    applied: bool
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)


def _decode_csv(content: bytes) -> str:
    # Excel in China saves CSV as GB18030/GBK unless told otherwise; UTF-8 (with or without BOM)
    # is what other tools write. Try UTF-8 first: GB18030 would accept almost any bytes.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(_("无法识别文件编码，请另存为 UTF-8 或 GBK 编码的 CSV。"))


def load_dataset(content: bytes, file_format: str) -> tablib.Dataset:
    if file_format not in FORMATS:
        raise ImportFileError(_("不支持的文件格式，请上传 CSV 或 XLSX 文件。"))
    if len(content) > settings.DOUDI_IMPORT_MAX_BYTES:
        limit = settings.DOUDI_IMPORT_MAX_BYTES // (1024 * 1024)
        raise ImportFileError(_("文件超过 %(mb)s MB 的上限，请拆分后导入。") % {"mb": limit})
    if not content.strip():
        raise ImportFileError(_("文件为空。"))
    try:
        if file_format == "csv":
            dataset = tablib.Dataset().load(_decode_csv(content), format="csv")
        else:
            dataset = tablib.Dataset().load(content, format="xlsx")
    except ImportFileError:
        raise
    except Exception:  # tablib/openpyxl raise many types for a damaged file
        raise ImportFileError(
            _("文件无法解析，请确认是有效的 %(fmt)s 文件。") % {"fmt": file_format.upper()}
        ) from None
    dataset.headers = [str(h or "").strip() for h in (dataset.headers or [])]
    return dataset


def _messages(error: Any) -> list[str]:
    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            return [f"{name}: {msg}" for name, msgs in error.message_dict.items() for msg in msgs]
        return list(error.messages)
    return [str(error)]


def directory_import(
    *, actor: User | None, kind: str, content: bytes, file_format: str
) -> ImportReport:
    """Import one kind of directory row from a CSV or XLSX file, all or nothing.

    Steps: read the file; check its columns; import every row inside one transaction, each row
    validated like an admin form; if any row failed, roll everything back and report each bad
    row with its line number; else keep it all.
    """
    resource_class = RESOURCES.get(kind)
    if resource_class is None:
        raise ImportFileError(_("未知的导入类型：%(kind)s") % {"kind": kind})
    dataset = load_dataset(content, file_format)
    resource = resource_class()
    expected = [f.column_name for f in resource.get_import_fields()]
    missing = [name for name in expected if name not in dataset.headers and name != "is_active"]
    report = ImportReport(kind=kind, rows=len(dataset), applied=False)
    if missing:
        report.errors.append(RowError(1, _("缺少列：%(cols)s") % {"cols": "、".join(missing)}))
        return report
    with transaction.atomic():
        result = resource.import_data(
            dataset, dry_run=False, raise_errors=False, use_transactions=True, user=actor
        )
        for error in result.base_errors:
            report.errors.append(RowError(1, str(error.error)))
        for number, errors in result.row_errors():
            for error in errors:
                for message in _messages(error.error):
                    report.errors.append(RowError(number, message))
        for invalid in result.invalid_rows:
            for message in _messages(invalid.error):
                report.errors.append(RowError(invalid.number, message))
        if report.errors:
            transaction.set_rollback(True)
            report.errors.sort(key=lambda e: e.line)
            return report
    report.applied = True
    report.created = result.totals.get("new", 0)
    report.updated = result.totals.get("update", 0)
    report.unchanged = result.totals.get("skip", 0)
    return report
