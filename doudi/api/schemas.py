"""Input and output shapes of the JSON API (pydantic, through django-ninja): the OpenAPI
description is generated from them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import AfterValidator, BaseModel


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


# CaseOut and CasePage are plain pydantic models, not ninja Schemas: a Schema's validator wraps
# every value it checks to read attributes off ORM objects, and ninja checks the response again,
# which cost a list of 50 cases a third of its CPU. They are built from the database's values
# (``api._out``) and pass through as they are.
class CaseOut(BaseModel):
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


class CasePage(BaseModel):
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


class VisitOut(Schema):
    id: int
    case_number: str
    round: int = Field(description="第几轮回访（重办后再次回访）")
    opened_at: datetime = Field(description="答复时间，回访从此计时")
    outcome: str = Field(description="open 待回访，或回访结果")
    outcome_label: str
    solved: bool | None
    level: int | None = Field(description="满意度 1–5")
    comment: str
    concluded_at: datetime | None
    attempts: int = Field(description="联系次数")


class VisitPage(Schema):
    items: list[VisitOut]
    next_cursor: str | None


class VisitAttemptIn(Schema):
    method: Literal["phone", "sms", "on_site"] = "phone"
    reached: bool
    note: Text = Field(default="", max_length=200)


Level = Annotated[int, Field(ge=1, le=5, description="5 非常满意 … 1 非常不满意")]


class ScoresIn(Schema):
    level: Level
    efficiency: Level | None = None
    attitude: Level | None = None
    professionalism: Level | None = None
    comment: Text = Field(default="", max_length=500)


class VisitConcludeIn(ScoresIn):
    solved: bool
    method: Literal["phone", "sms", "on_site"] = "phone"


class RatingIn(ScoresIn):
    window: Text = Field(max_length=40, description="窗口编码，如 SFQ-01")
    staff: Text = Field(default="", max_length=40, description="工作人员工号（可不填）")
    callback_phone: Text = Field(default="", max_length=20)


class RatingOut(Schema):
    id: int
    source: str
    centre: str
    window: str | None
    staff: str | None = Field(description="工号")
    case_number: str | None
    level: int
    efficiency: int | None
    attitude: int | None
    professionalism: int | None
    comment: str
    state: str
    state_label: str
    rated_at: datetime
    rectification_case: str | None = Field(description="差评引起的整改案件编号")


class RatingPage(Schema):
    items: list[RatingOut]
    next_cursor: str | None


class Reason(Schema):
    reason: Text = Field(default="", max_length=2000)
