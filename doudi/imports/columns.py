"""The columns of a case import: which headers name them, and how each cell is checked.

A file's first row is its header. Each header is matched, after trimming and ignoring case,
to one column below by its Chinese name or one of its aliases (the names 12345 platforms and
spreadsheets commonly use); headers that match nothing are ignored and listed in the report.
docs/import.md prints this table.

``check_row`` turns one row into the values a case is made of, or into the list of what is
wrong with it. It knows nothing of the database: whether a service item code exists and
whether the source id was imported before are the action's questions.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from doudi.cases.models import Channel, Urgency
from doudi.lib.idcard import id_number_error, normalise_id_number
from doudi.lib.phone import normalise_phone, phone_kind
from doudi.lib.uscc import credit_code_error, normalise_credit_code

CHINA = ZoneInfo("Asia/Shanghai")
OPEN, CLOSED = "open", "closed"


@dataclass(frozen=True)
class Column:
    key: str
    name: str  # the Chinese header, as the template file has it
    aliases: tuple[str, ...]
    help: str | Promise
    required: bool = False
    max_length: int | None = None


COLUMNS: tuple[Column, ...] = (
    Column("source_id", "来源编号", ("工单编号", "工单号", "编号", "source_id", "id"),
           _("来源系统中的唯一编号；同一来源再次导入时跳过已有的编号"), required=True,
           max_length=80),
    Column("title", "标题", ("诉求标题", "主题", "title"),
           _("不填时取经过的前 30 个字"), max_length=100),
    Column("description", "经过", ("诉求内容", "内容", "来电内容", "反映内容", "description",
           "body"), _("事情经过"), required=True, max_length=5000),
    Column("request", "诉求", ("诉求要求", "request"), _("希望怎样解决"), max_length=2000),
    Column("service_code", "事项编码", ("服务事项编码", "service_code"),
           _("办事指南中的事项编码；不填时按“所办事项”记录")),
    Column("matter", "所办事项", ("事项名称", "matter"), _("清单外事项的名称"),
           max_length=200),
    Column("name", "姓名", ("反映人", "来电人", "联系人", "name"), _("反映人姓名，加密保存"),
           max_length=60),
    Column("phone", "联系电话", ("电话", "来电号码", "手机", "phone"),
           _("手机或固定电话，加密保存")),
    Column("id_number", "身份证号码", ("身份证号", "证件号码", "id_number"),
           _("18 位，核对校验位，加密保存")),
    Column("email", "电子邮箱", ("邮箱", "email"), _("加密保存"), max_length=254),
    Column("company_name", "企业名称", ("单位名称", "company_name"), _("企业反映时填写"),
           max_length=100),
    Column("credit_code", "统一社会信用代码", ("信用代码", "credit_code"), _("18 位")),
    Column("channel", "渠道", ("来源渠道", "channel"),
           _("12345转办（默认）、窗口、热线、网上、接口")),
    Column("urgency", "紧急程度", ("urgency",), _("一般（默认）、紧急、特急")),
    Column("registered_at", "登记时间", ("来电时间", "受理时间", "创建时间", "registered_at"),
           _("如 2026-11-27 09:30 或 2026/11/27 9:30:00；不填为导入时间")),
    Column("status", "状态", ("办理状态", "status"),
           _("不填或“待办”：进入本中心的办理流程；“已办结”：作为历史案件导入")),
    Column("outcome", "处理结果", ("办理结果", "答复内容", "outcome"),
           _("已办结的案件必填"), max_length=5000),
    Column("answered_at", "答复时间", ("办结时间", "回复时间", "answered_at"),
           _("已办结的案件的答复时间；不填取登记时间")),
)  # fmt: skip

BY_HEADER: dict[str, Column] = {
    header.strip().lower(): column
    for column in COLUMNS
    for header in (column.name, *column.aliases)
}

CHANNELS: dict[str, str] = {
    **{str(label): value for value, label in Channel.choices},
    **{value: value for value in Channel.values},
    "12345": Channel.TRANSFER_12345,
    "网上办事": Channel.ONLINE,
    "电话": Channel.HOTLINE,
}
# Cases that enter through the other ways of their own (a bad review, a QR code) are not
# imported as such.
IMPORTABLE_CHANNELS = {Channel.TRANSFER_12345, Channel.WINDOW, Channel.HOTLINE, Channel.ONLINE,
                       Channel.API}  # fmt: skip
URGENCIES: dict[str, str] = {
    **{str(label): value for value, label in Urgency.choices},
    **{value: value for value in Urgency.values},
}
STATUSES: dict[str, str] = {
    "": OPEN, "待办": OPEN, "待办理": OPEN, "办理中": OPEN, "open": OPEN,
    "已办结": CLOSED, "办结": CLOSED, "已答复": CLOSED, "closed": CLOSED,
}  # fmt: skip

# 2026-11-27 9:30, 2026/11/27 09:30:00, 2026.11.27, 2026年11月27日 9时30分, 20261127 (an
# ISO time with an offset goes to ``fromisoformat``).
_MOMENT = re.compile(
    r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?"
    r"(?:[ T]+(\d{1,2})[:：时](\d{1,2})分?(?:[:：](\d{1,2})(?:\.\d+)?秒?)?)?$"
)
_SOURCE = re.compile(r"^[\w.\-]{1,16}$")


@dataclass(frozen=True)
class Header:
    """Which file column holds each of our columns, and the headers nobody reads."""

    positions: dict[str, int]
    ignored: tuple[str, ...]
    missing: tuple[str, ...]  # required columns without a header
    repeated: tuple[str, ...]  # our columns named by two headers


def read_header(cells: Sequence[Any]) -> Header:
    positions: dict[str, int] = {}
    ignored, repeated = [], []
    for position, cell in enumerate(cells):
        text = str(cell or "").strip()
        column = BY_HEADER.get(text.lower())
        if column is None:
            if text:
                ignored.append(text)
        elif column.key in positions:
            repeated.append(text)
        else:
            positions[column.key] = position
    missing = tuple(c.name for c in COLUMNS if c.required and c.key not in positions)
    return Header(positions, tuple(ignored), missing, tuple(repeated))


@dataclass
class Row:
    """One data row: its number in the file (the header is row 1), its checked values, and
    what is wrong with it (column name, message)."""

    number: int
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)

    def error(self, column: str, message: str | Promise) -> None:
        self.errors.append((column, str(message)))


def cell_text(value: Any) -> str:
    """A cell as text: spreadsheets give numbers (a phone typed as 13800001234.0) and dates."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def parse_moment(text: str) -> datetime | None:
    """A local (China) time from the forms spreadsheets and 12345 exports use; None if none
    fits. ISO times with an offset keep it."""
    text = text.strip()
    if len(text) == 8 and text.isdigit():
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    found = _MOMENT.match(text)
    try:
        if found is None:
            moment = datetime.fromisoformat(text)
            return moment if moment.tzinfo else moment.replace(tzinfo=CHINA)
        year, month, day, hour, minute, second = (int(part or 0) for part in found.groups())
        return datetime(year, month, day, hour, minute, second, tzinfo=CHINA)
    except ValueError:
        return None


def check_row(number: int, cells: Sequence[Any], header: Header, *, now: datetime) -> Row:
    row = Row(number)
    raw = {
        key: cell_text(cells[position]) if position < len(cells) else ""
        for key, position in header.positions.items()
    }
    for column in COLUMNS:
        text = raw.get(column.key, "")
        if "\x00" in text:
            row.error(column.name, _("含有不可见的控制字符（NUL）"))
            continue
        if column.required and not text:
            row.error(column.name, _("必填"))
        elif column.max_length and len(text) > column.max_length:
            row.error(column.name, _("超过 %(n)s 个字") % {"n": column.max_length})
        else:
            CHECKS.get(column.key, _keep)(row, column, text, now)
    if not row.errors:
        _check_whole(row, now)
    return row


def _keep(row: Row, column: Column, text: str, now: datetime) -> None:
    row.values[column.key] = text


def _phone(row: Row, column: Column, text: str, now: datetime) -> None:
    if text and phone_kind(text) is None:
        row.error(column.name, _("不是有效的手机或固定电话号码"))
    row.values["phone"] = normalise_phone(text) if text else ""


def _id_number(row: Row, column: Column, text: str, now: datetime) -> None:
    problem = id_number_error(text, now.astimezone(CHINA).date()) if text else None
    if problem:
        row.error(column.name, problem)
    row.values["id_number"] = normalise_id_number(text)


def _credit_code(row: Row, column: Column, text: str, now: datetime) -> None:
    problem = credit_code_error(text) if text else None
    if problem:
        row.error(column.name, problem)
    row.values["credit_code"] = normalise_credit_code(text)


def _choice(table: dict[str, str], default: str) -> Callable[[Row, Column, str, datetime], None]:
    def check(row: Row, column: Column, text: str, now: datetime) -> None:
        value = table.get(text.lower(), table.get(text)) if text else default
        if value is None:
            row.error(column.name, _("无法识别“%(value)s”") % {"value": text[:20]})
        row.values[column.key] = value

    return check


def _moment(row: Row, column: Column, text: str, now: datetime) -> None:
    moment = parse_moment(text) if text else None
    if text and moment is None:
        row.error(column.name, _("无法识别的时间“%(value)s”") % {"value": text[:30]})
    elif moment is not None and moment > now:
        row.error(column.name, _("时间晚于导入时间"))
    row.values[column.key] = moment


def _channel(row: Row, column: Column, text: str, now: datetime) -> None:
    _choice(CHANNELS, Channel.TRANSFER_12345)(row, column, text, now)
    if row.values["channel"] not in (None, *IMPORTABLE_CHANNELS):
        row.error(column.name, _("这种渠道的案件不能导入"))


CHECKS: dict[str, Callable[[Row, Column, str, datetime], None]] = {
    "phone": _phone,
    "id_number": _id_number,
    "credit_code": _credit_code,
    "channel": _channel,
    "urgency": _choice(URGENCIES, Urgency.NORMAL),
    "status": _choice(STATUSES, OPEN),
    "registered_at": _moment,
    "answered_at": _moment,
}


def _check_whole(row: Row, now: datetime) -> None:
    """What only the row as a whole says."""
    values = row.values
    if not values["title"]:
        values["title"] = _title_from(values["description"])
    if not (values["service_code"] or values["matter"]):
        values["matter"] = str(_("（导入时未注明事项）"))
    values["registered_at"] = values["registered_at"] or now
    if values["status"] == CLOSED:
        if not values["outcome"]:
            row.error(column_name("outcome"), _("已办结的案件必须有处理结果"))
        answered, registered = values["answered_at"], values["registered_at"]
        if answered and registered and answered < registered:
            row.error(column_name("answered_at"), _("答复时间早于登记时间"))
    elif values["answered_at"] or values["outcome"]:
        row.error(column_name("status"), _("有处理结果或答复时间的案件，状态应为“已办结”"))


def column_name(key: str) -> str:
    """The Chinese header of one of our columns, as the report names it."""
    return next(c.name for c in COLUMNS if c.key == key)


def _title_from(description: str) -> str:
    line = description.strip().splitlines()[0] if description.strip() else ""
    return line[:30] + ("…" if len(line) > 30 else "")


def check_source(text: str) -> str | None:
    """An error for a source name that cannot prefix ids ("12345", "hist-2019"), else None."""
    if not _SOURCE.match(text):
        return str(_("来源名称只能是 1–16 个汉字、字母、数字、点、横线或下划线"))
    return None


def source_ref(source: str, source_id: str) -> str:
    return f"{source}:{source_id}"
