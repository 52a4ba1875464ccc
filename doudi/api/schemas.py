"""Input and output shapes of the JSON API (pydantic, through django-ninja): the OpenAPI
description is generated from them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import AfterValidator


def _no_nul(value: str) -> str:
    # PostgreSQL cannot store or even compare a string holding NUL: refuse it as bad input.
    if "\x00" in value:
        raise ValueError("不能包含空字符（NUL）")
    return value


# Every string the API reads.
Text = Annotated[str, AfterValidator(_no_nul)]


class Error(Schema):
    """Every error has this shape; ``code`` is stable, ``message`` is for people (Chinese)."""

    code: str = Field(examples=["validation_error"])
    message: str
    fields: dict[str, list[str]] = Field(default_factory=dict)


class ReporterIn(Schema):
    kind: Literal["person", "company"] = "person"
    anonymous: bool = False
    confidential: bool = False
    name: Text = Field(default="", max_length=50)
    phone: Text = Field(default="", max_length=20, description="手机或固话；非匿名时必填")
    id_number: Text = Field(default="", max_length=18, description="居民身份证号码（校验位）")
    email: Text = Field(default="", max_length=254)
    company_name: Text = Field(default="", max_length=100)
    credit_code: Text = Field(default="", max_length=18, description="统一社会信用代码（校验位）")


class CaseIn(Schema):
    centre: Text = Field(description="受理中心编码", examples=["SFQ"])
    channel: Literal["api", "12345"] = "api"
    title: Text = Field(max_length=100)
    description: Text = Field(max_length=5000)
    request: Text = Field(default="", max_length=2000)
    service_item: Text = Field(default="", max_length=64, description="事项编码")
    matter_text: Text = Field(default="", max_length=200, description="事项不在清单中时的名称")
    windows: list[Text] = Field(default_factory=list, max_length=10, description="窗口编码")
    visits: int = Field(default=1, ge=1, le=99)
    urgency: Literal["normal", "urgent", "very_urgent"] = "normal"
    occurred_at: datetime | None = None
    reporter: ReporterIn = ReporterIn()


class CaseOut(Schema):
    id: int
    number: str
    centre: str
    channel: str
    state: str
    state_label: str
    title: str
    description: str
    request: str
    service_item: str | None
    matter: str
    reporter_name: str = Field(description="已脱敏")
    reporter_phone: str = Field(description="已脱敏")
    registered_at: datetime
    answered_at: datetime | None
    outcome: str


class CasePage(Schema):
    items: list[CaseOut]
    next_cursor: str | None = Field(description="下一页的游标；没有更多时为 null")


class WorkOrderOut(Schema):
    id: int
    number: str
    case_number: str
    department: str = Field(description="承办部门编码")
    role: str = Field(description="lead 主办 / co 协办")
    state: str
    state_label: str
    instructions: str
    issued_at: datetime | None
    answer_due: datetime | None
    signed_at: datetime | None
    result_kind: str
    result: str
    legal_basis: str
    submitted_at: datetime | None
    version: int = Field(description="乐观锁版本：办理时带上，防止覆盖他人的修改")


class WorkOrderPage(Schema):
    items: list[WorkOrderOut]
    next_cursor: str | None


class WorkOrderVersion(Schema):
    version: int | None = None


class WorkOrderResult(Schema):
    result_kind: Literal["solved", "partly", "not_possible"]
    result: Text = Field(max_length=5000)
    legal_basis: Text = Field(default="", max_length=5000)
    version: int | None = None


class WorkOrderDispute(Schema):
    reason: Text = Field(max_length=2000)
    version: int | None = None


class MetricOut(Schema):
    value: float | None = Field(description="比率为 0–1；平均数保留两位；无分母时为 null")
    numerator: int
    denominator: int


class MetricsOut(Schema):
    start: str
    end: str = Field(description="不含当日")
    metrics: dict[str, MetricOut]


class Named(Schema):
    code: str
    name: str
    parent: str | None = None


class WindowOut(Schema):
    code: str
    name: str
    centre: str
    department: str


class ItemOut(Schema):
    code: str
    name: str
    department: str
