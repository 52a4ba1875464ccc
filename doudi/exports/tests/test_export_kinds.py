"""Each list exports exactly what its page shows the requester: the case list (unchanged), the
work-order inbox, the ratings, the return-visit queue and the findings; personal data masked
unless asked for by a role that may see it; the button on every list page."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from doudi.accountability.actions import finding_record
from doudi.accounts.actions import user_create
from doudi.accounts.roles import Role
from doudi.audit.models import AuditEntry
from doudi.cases.actions import Intake, Reporter, case_register
from doudi.cases.models import Case
from doudi.conftest import PASSWORD, Org, Personas, at
from doudi.deadlines.models import Clock, ClockKind
from doudi.exports.actions import export_request, export_run
from doudi.exports.models import ExportJob
from doudi.exports.sources import SOURCES
from doudi.exports.tests.conftest import read_back
from doudi.feedback.actions import Scores, rating_submit, visit_attempt_log, visit_open
from doudi.feedback.models import ReturnVisit
from doudi.workorders.actions import work_order_sign
from doudi.workorders.models import WorkOrder

pytestmark = pytest.mark.usefixtures("immediate_huey")


def local(moment) -> str:  # type: ignore[no-untyped-def]
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}" if moment else ""


def exported(client, export, **data: str) -> tuple[ExportJob, list[list[object]]]:  # type: ignore[no-untyped-def]
    """Ask for an export through the button's URL; the finished job and the file's rows."""
    before = set(ExportJob.objects.values_list("pk", flat=True))
    response = export(client, **data)
    job = ExportJob.objects.exclude(pk__in=before).get()
    assert response.url == f"/exports/{job.pk}/"
    assert job.status == "done", job.error
    rows = read_back(client, job)
    assert job.total == job.written == len(rows) - 1
    return job, rows


def export_form(html: str) -> str:
    found = re.search(r'<form[^>]*data-testid="export-form".*?</form>', html, re.S)
    assert found is not None, "no export button"
    return found.group(0)


# --- Cases: the same headers and rows as before ------------------------------------------


def test_the_case_export_keeps_its_columns_and_masking(
    org: Org, people: Personas, client_for, export
) -> None:
    def register(title: str, **reporter: object) -> Case:
        return case_register(
            actor=people.clerk_a,
            intake=Intake(
                centre=org.centre_a,
                channel="window",
                title=title,
                description="经过",
                reporter=Reporter(name="赵铁柱", phone="13800001234", **reporter),  # type: ignore[arg-type]
                service_item=org.item_x,
            ),
        )

    with time_machine.travel(at("2026-02-12 15:00"), tick=False):
        plain = register("普通")
    with time_machine.travel(at("2026-02-12 15:01"), tick=False):
        register("匿名", anonymous=True)
    with time_machine.travel(at("2026-02-12 15:02"), tick=False):
        register("保密", confidential=True)

    _, rows = exported(client_for(people.clerk_a), export, kind="cases", format="csv")
    assert rows[0] == [
        "案件编号", "登记时间", "中心", "渠道", "状态", "所办事项", "标题", "反映人", "联系电话",
        "跑动次数", "答复时间", "答复用时（工作日）", "重办次数",
    ]  # fmt: skip
    assert rows[3] == [
        plain.number, "2026-02-12 15:00", "甲区政务服务中心", "窗口", plain.get_state_display(),
        "失业保险金申领", "普通", "赵**", "138****1234", "1", "", "", "0",
    ]  # fmt: skip
    assert [row[6:9] for row in rows[1:]] == [
        ["保密", "赵**", "138****1234"],
        ["匿名", "", ""],
        ["普通", "赵**", "138****1234"],
    ]
    # Unmasked: a clerk sees all but the confidential case in full; the task force that too.
    _, rows = exported(client_for(people.clerk_a), export, kind="cases", format="csv", unmask="1")
    assert [row[7:9] for row in rows[1:]] == [
        ["赵**", "138****1234"],
        ["", ""],
        ["赵铁柱", "13800001234"],
    ]
    _, rows = exported(
        client_for(people.taskforce_a), export, kind="cases", format="xlsx", unmask="1"
    )
    assert rows[1][7:9] == ["赵铁柱", "13800001234"]


# --- Work orders ---------------------------------------------------------------------------

WORK_ORDER_HEADERS = [
    "工作单编号", "案件编号", "标题", "中心", "承办部门", "承办方式", "状态", "派单时间",
    "签收期限", "答复期限", "签收时间",
]  # fmt: skip


def test_a_work_order_export_is_the_departments_inbox_tab(
    dispatched, people: Personas, client_for, export
) -> None:
    case = dispatched()  # one work order to X (lead), one to Y (co)
    order_x = WorkOrder.objects.get(case=case, department__code="X")
    order_y = WorkOrder.objects.get(case=case, department__code="Y")
    sign_due = Clock.objects.get(work_order=order_x, kind=ClockKind.SIGN).due_at
    client = client_for(people.handler_x)
    page = client.get("/workorders/").content.decode()
    assert order_x.number in page
    assert order_y.number not in page

    job, rows = exported(client, export, kind="workorders", format="xlsx")
    assert job.params == {}
    assert rows[0] == WORK_ORDER_HEADERS
    assert rows[1:] == [
        [
            order_x.number, case.number, case.title, "甲区政务服务中心", "区人社局", "主办",
            "待签收", "2026-02-12 16:00", local(sign_due), local(order_x.answer_due), "",
        ]
    ]  # fmt: skip
    # Department Y sees its own work order only.
    _, rows = exported(client_for(people.handler_y), export, kind="workorders", format="csv")
    assert [row[0] for row in rows[1:]] == [order_y.number]
    assert rows[1][5] == "协办"

    # The tab travels with the request: once signed, it is under 办理中, with its signing time.
    with time_machine.travel(at("2026-02-13 09:00"), tick=False):
        work_order_sign(actor=people.handler_x, work_order_id=order_x.pk)
    client = client_for(people.handler_x)
    _, rows = exported(client, export, kind="workorders", format="csv", tab="issued")
    assert rows[1:] == []
    job, rows = exported(client, export, kind="workorders", format="csv", tab="signed")
    assert job.params == {"tab": "signed"}
    assert [row[0] for row in rows[1:]] == [order_x.number]
    assert rows[1][6] == "办理中"
    assert rows[1][8] == ""  # no sign clock runs any more, as on the page
    assert rows[1][10] == "2026-02-13 09:00"


def test_a_centre_sees_its_cases_work_orders_and_no_other_centres(
    dispatched, people: Personas, client_for, export
) -> None:
    case = dispatched()
    ours = sorted(WorkOrder.objects.filter(case=case).values_list("number", flat=True))
    _, rows = exported(client_for(people.taskforce_a), export, kind="workorders", format="csv")
    assert sorted(row[0] for row in rows[1:]) == ours
    _, rows = exported(client_for(people.clerk_b), export, kind="workorders", format="csv")
    assert rows == [WORK_ORDER_HEADERS]


def test_asking_to_unmask_a_list_without_personal_data_is_an_ordinary_export(
    dispatched, people: Personas, client_for, export
) -> None:
    dispatched()
    job, _ = exported(
        client_for(people.handler_x), export, kind="workorders", format="csv", unmask="1"
    )
    assert not job.unmasked
    assert AuditEntry.objects.filter(action="export", object_id=str(job.pk)).exists()
    assert not AuditEntry.objects.filter(action="export.unmasked").exists()


def test_a_work_order_export_runs_the_same_queries_for_more_rows(
    dispatched, people: Personas
) -> None:
    def queries() -> tuple[int, int]:
        job = export_request(actor=people.taskforce_a, kind="workorders", params={}, fmt="csv")
        with CaptureQueriesContext(connection) as captured:
            job = export_run(job.pk)
        return job.total, len(captured)

    dispatched()
    two, few = queries()
    dispatched()
    dispatched()
    six, more = queries()
    assert (two, six) == (2, 6)
    assert more == few


# --- Ratings -------------------------------------------------------------------------------

RATING_HEADERS = [
    "评价时间", "来源", "中心", "窗口", "工作人员", "总体评价", "办事效率", "服务态度",
    "业务水平", "评价内容", "状态", "回电号码", "整改案件",
]  # fmt: skip


@pytest.fixture
def ratings(org: Org) -> None:
    """A good rating of A's 社保窗口 (dept X), a 差评 of A's 企业开办 (dept Y) and one of B's."""
    with time_machine.travel(at("2026-02-12 10:00"), tick=False):
        rating_submit(
            window=org.window_a_x,
            event_key="good-a-x",
            scores=Scores(level=5, efficiency=5, professionalism=4),
            comment="很耐心",
            callback_phone="13912345678",
            staff=org.staff_a_x,
        )
    with time_machine.travel(at("2026-02-12 11:00"), tick=False):
        rating_submit(
            window=org.window_a_y,
            event_key="bad-a-y",
            scores=Scores(level=1, attitude=1),
            comment="讲不清缺什么",
            callback_phone="13700001111",
        )
    with time_machine.travel(at("2026-02-12 12:00"), tick=False):
        rating_submit(
            window=org.window_b_y,
            event_key="bad-b-y",
            scores=Scores(level=2),
            comment="乙区的评价",
            callback_phone="13600002222",
            staff=org.staff_b_y,
        )


def test_a_ratings_export_is_the_centres_list_with_the_phone_masked(
    ratings: None, org: Org, people: Personas, client_for, export
) -> None:
    client = client_for(people.clerk_a)
    page = client.get("/feedback/ratings/").content.decode()
    assert "很耐心" in page
    assert "讲不清缺什么" in page
    assert "乙区的评价" not in page
    rectification = Case.objects.get(rectified_rating__window=org.window_a_y)

    job, rows = exported(client, export, kind="ratings", format="csv")
    assert not job.unmasked
    assert rows[0] == RATING_HEADERS
    assert rows[1:] == [  # the newest first, as on the page
        [
            "2026-02-12 11:00", "窗口扫码评价", "甲区政务服务中心", "A-02 企业开办", "",
            "非常不满意", "", "非常不满意", "", "讲不清缺什么", "待核实", "137****1111",
            rectification.number,
        ],
        [
            "2026-02-12 10:00", "窗口扫码评价", "甲区政务服务中心", "A-01 社保窗口", "张三",
            "非常满意", "非常满意", "", "满意", "很耐心", "有效", "139****5678", "",
        ],
    ]  # fmt: skip


def test_an_unmasked_ratings_export_shows_the_phone_to_a_role_that_may(
    ratings: None, people: Personas, client_for, export
) -> None:
    client = client_for(people.clerk_a)
    job, rows = exported(client, export, kind="ratings", format="xlsx", unmask="1")
    assert job.unmasked
    assert [row[11] for row in rows[1:]] == ["13700001111", "13912345678"]
    assert AuditEntry.objects.filter(action="export.unmasked", object_id=str(job.pk)).exists()
    # A leader may not: refused, nothing queued.
    export(client_for(people.leader_a), kind="ratings", format="xlsx", unmask="1")
    assert ExportJob.objects.count() == 1


def test_a_ratings_export_keeps_the_lists_filters_and_the_departments_scope(
    ratings: None, people: Personas, client_for, export
) -> None:
    client = client_for(people.clerk_a)
    job, rows = exported(client, export, kind="ratings", format="csv", bad="1")
    assert job.params == {"bad": "1"}
    assert [row[9] for row in rows[1:]] == ["讲不清缺什么"]
    _, rows = exported(client, export, kind="ratings", format="csv", state="valid")
    assert [row[9] for row in rows[1:]] == ["很耐心"]
    # Department Y: the ratings of its windows in both centres, not X's.
    client = client_for(people.handler_y)
    page = client.get("/feedback/ratings/").content.decode()
    assert "很耐心" not in page
    _, rows = exported(client, export, kind="ratings", format="csv")
    assert [row[9] for row in rows[1:]] == ["乙区的评价", "讲不清缺什么"]
    assert [row[11] for row in rows[1:]] == ["136****2222", "137****1111"]


# --- Return visits -------------------------------------------------------------------------

VISIT_HEADERS = [
    "案件编号", "标题", "回访轮次", "答复时间", "回访期限", "已联系次数", "回访结果",
    "回访完成时间",
]  # fmt: skip


def test_a_visit_export_is_the_supervisors_queue(
    answered, org: Org, people: Personas, client_for, export
) -> None:
    # Another centre's case with an open return visit.
    with time_machine.travel(at("2026-02-24 16:00"), tick=False):
        other = case_register(
            actor=people.clerk_b,
            intake=Intake(
                centre=org.centre_b, channel="window", title="乙区案件", description="经过"
            ),
        )
        visit_open(case=other)
    visit = ReturnVisit.objects.get(case=answered)
    with time_machine.travel(at("2026-02-25 10:00"), tick=False):
        visit_attempt_log(
            actor=people.supervisor_a, visit_id=visit.pk, method="phone", reached=False
        )
    due = Clock.objects.get(case=answered, kind=ClockKind.VISIT).due_at

    client = client_for(people.supervisor_a)
    page = client.get("/feedback/visits/").content.decode()
    assert answered.number in page
    assert other.number not in page
    _, rows = exported(client, export, kind="visits", format="csv")
    assert rows[0] == VISIT_HEADERS
    assert rows[1:] == [
        [answered.number, answered.title, "1", "2026-02-24 15:00", local(due), "1", "待回访", ""]
    ]


def test_who_may_not_see_the_visit_queue_exports_none_of_it(
    answered, people: Personas, client_for, export
) -> None:
    client = client_for(people.clerk_a)  # sees the case, but the queue is the supervisors'
    assert client.get("/feedback/visits/").status_code == 404
    _, rows = exported(client, export, kind="visits", format="xlsx")
    assert rows == [VISIT_HEADERS]


# --- Findings ------------------------------------------------------------------------------

FINDING_HEADERS = ["认定时间", "案件编号", "问题类型", "工作人员", "窗口", "状态", "认定人"]


@pytest.fixture
def findings(dispatched, org: Org, people: Personas) -> tuple[Case, Case]:
    """A finding about A's 张三 (department X), and one about B's 李四 (department Y)."""
    ours = dispatched()
    with time_machine.travel(at("2026-02-13 10:00"), tick=False):
        finding_record(
            actor=people.supervisor_a,
            case_id=ours.pk,
            kind="conditions",
            evidence="要求提供服务指南以外的材料",
            staff=org.staff_a_x,
        )
    supervisor_b = user_create(
        actor=None,
        username="supervisor_b",
        password=PASSWORD,
        role=Role.SUPERVISOR,
        scope_centre=org.centre_b,
    )
    theirs = case_register(
        actor=people.clerk_b,
        intake=Intake(centre=org.centre_b, channel="window", title="乙区案件", description="经过"),
    )
    finding_record(
        actor=supervisor_b,
        case_id=theirs.pk,
        kind="attitude",
        evidence="态度生硬",
        staff=org.staff_b_y,
    )
    return ours, theirs


def test_a_findings_export_is_the_centres_list(
    findings: tuple[Case, Case], people: Personas, client_for, export
) -> None:
    ours, theirs = findings
    client = client_for(people.supervisor_a)
    page = client.get("/accountability/").content.decode()
    assert ours.number in page
    assert theirs.number not in page
    _, rows = exported(client, export, kind="findings", format="xlsx")
    assert rows[0] == FINDING_HEADERS
    assert rows[1:] == [
        ["2026-02-13 10:00", ours.number, "增设条件", "张三", "A-01 社保窗口", "已认定",
         "supervisor_a"],
    ]  # fmt: skip
    _, rows = exported(client, export, kind="findings", format="csv", state="dismissed")
    assert rows == [FINDING_HEADERS]


def test_a_department_exports_the_findings_about_its_own_staff(
    findings: tuple[Case, Case], people: Personas, client_for, export
) -> None:
    ours, theirs = findings
    _, rows = exported(client_for(people.handler_y), export, kind="findings", format="csv")
    assert [row[1:5] for row in rows[1:]] == [[theirs.number, "态度", "李四", "B-01 企业开办"]]
    _, rows = exported(client_for(people.handler_x), export, kind="findings", format="csv")
    assert [row[1] for row in rows[1:]] == [ours.number]


# --- The button ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "url", "persona", "may_unmask"),
    [
        ("cases", "/cases/", "clerk_a", True),
        ("workorders", "/workorders/?tab=signed", "handler_x", False),
        ("ratings", "/feedback/ratings/?state=valid&bad=1", "clerk_a", True),
        ("ratings", "/feedback/ratings/", "leader_a", False),
        ("visits", "/feedback/visits/", "supervisor_a", False),
        ("findings", "/accountability/?state=recorded", "supervisor_a", False),
    ],
)
def test_each_list_page_has_the_export_button(
    kind: str, url: str, persona: str, may_unmask: bool, people: Personas, client_for
) -> None:
    assert kind in SOURCES
    response = client_for(getattr(people, persona)).get(url)
    assert response.status_code == 200
    form = export_form(response.content.decode())
    assert f'name="kind" value="{kind}"' in form
    assert ('name="unmask"' in form) is may_unmask
    # The list's own filters travel with the request.
    for key, value in re.findall(r"[?&](\w+)=(\w+)", url):
        assert f'name="{key}" value="{value}"' in form
