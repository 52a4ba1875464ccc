"""Importing cases: checked by row, all or nothing or good rows only, idempotent on the
source's id, encrypted like any case, found by search, followed on a page and on the command
line."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from doudi.accounts.actions import user_create
from doudi.accounts.roles import Role
from doudi.audit.models import AuditEntry
from doudi.cases.models import Case
from doudi.cases.workflow import State
from doudi.conftest import PASSWORD, Org, Personas
from doudi.core.errors import DomainError
from doudi.imports.actions import import_dir, import_request, import_run
from doudi.imports.models import ImportJob
from doudi.lib.cjk import document_tokens
from doudi.search import actions as search_actions
from doudi.search.actions import BackgroundTokens, case_tokens
from doudi.search.models import TEXT_FIELDS, CaseIndex, Term
from doudi.search.selectors import search_cases

pytestmark = pytest.mark.usefixtures("immediate_huey")

HEADER = "工单编号,标题,诉求内容,来电人,来电号码,事项编码,来电时间,状态,处理结果,办结时间\n"
GOOD = (
    "GD1,社保转移办不了,参保登记要原单位证明，原单位已注销,孙大成,13800005678,{item},"
    "2026/11/20 9:30:00,,,\n"
    "GD2,历史件路灯,2019年反映的路灯问题,李四,021-62345678,,2019/5/1 8:00:00,已办结,已修复,"
    "2019/5/10 17:00\n"
)
BAD = "GD3,坏电话,内容,王五,12345,,,,,\n"


def csv_file(org: Org, *lines: str) -> bytes:
    return (HEADER + "".join(lines).format(item=org.item_x.code)).encode("utf-8")


def run(people: Personas, org: Org, data: bytes, *, mode: str = "all", name: str = "t.csv"):  # type: ignore[no-untyped-def]
    job = import_request(
        actor=people.taskforce_a,
        name=name,
        data=data,
        centre_id=org.centre_a.pk,
        source="12345",
        mode=mode,
        enqueue=False,
    )
    return import_run(job.pk)


def test_all_or_nothing_imports_nothing_when_a_row_is_bad(org: Org, people: Personas) -> None:
    job = run(people, org, csv_file(org, GOOD, BAD))
    assert (job.status, job.total, job.imported, job.bad_rows) == ("refused", 3, 0, 1)
    assert job.report["errors"] == [[4, "联系电话", "不是有效的手机或固定电话号码"]]
    assert not Case.objects.exists()


def test_good_rows_only_imports_the_good_ones(org: Org, people: Personas) -> None:
    job = run(people, org, csv_file(org, GOOD, BAD), mode="good")
    assert (job.status, job.imported, job.bad_rows) == ("done", 2, 1)
    open_case = Case.objects.get(source_ref="12345:GD1")
    assert open_case.state == State.REGISTERED
    assert open_case.channel == "12345"
    assert open_case.number.startswith("A-20261120-")
    assert open_case.service_item == org.item_x
    assert open_case.registered_by == people.taskforce_a
    assert [e.kind for e in open_case.events.all()] == ["register"]
    past = Case.objects.get(source_ref="12345:GD2")
    assert (past.state, past.outcome) == (State.CLOSED, "已修复")
    assert past.number.startswith("A-20190501-")
    assert past.answered_at is not None
    assert past.answered_at.hour == 9
    # 1 May 2019 (a holiday) to 10 May: the 5 May make-up day and 6-10 May.
    assert past.answer_working_days == 6
    assert sorted(e.kind for e in past.events.all()) == ["imported_closed", "register"]


def test_importing_the_same_file_again_adds_nothing(org: Org, people: Personas) -> None:
    run(people, org, csv_file(org, GOOD))
    again = run(people, org, csv_file(org, GOOD, "GD9,新的,新的一行,,,,,,,\n"))
    assert (again.status, again.imported, again.skipped) == ("done", 1, 2)
    assert Case.objects.count() == 3
    # Another source's id GD1 is another case.
    job = import_request(actor=people.taskforce_a, name="t.csv", data=csv_file(org, GOOD),
                         centre_id=org.centre_a.pk, source="hist", mode="all",
                         enqueue=False)  # fmt: skip
    assert import_run(job.pk).imported == 2


def test_an_id_twice_in_one_file_is_an_error(org: Org, people: Personas) -> None:
    job = run(people, org, csv_file(org, GOOD, GOOD), mode="good")
    assert job.imported == 2
    assert [row[:2] for row in job.report["errors"]] == [[4, "来源编号"], [5, "来源编号"]]


def test_personal_data_is_encrypted_and_masked_like_any_case(org: Org, people: Personas) -> None:
    run(people, org, csv_file(org, GOOD))
    case = Case.objects.get(source_ref="12345:GD1")
    assert (case.reporter_name, case.reporter_phone) == ("孙大成", "13800005678")
    assert (case.reporter_name_masked, case.reporter_phone_masked) == ("孙**", "138****5678")
    with connection.cursor() as cursor:
        cursor.execute("SELECT reporter_phone FROM cases_case WHERE id = %s", [case.pk])
        stored = cursor.fetchone()[0]
    assert "13800005678" not in stored


def test_imported_cases_are_found_by_search(org: Org, people: Personas) -> None:
    run(people, org, csv_file(org, GOOD))
    case = Case.objects.get(source_ref="12345:GD1")
    assert list(search_cases(Case.objects.all(), "原单位")) == [case]
    assert Term.objects.get(term="注销").docs == 1  # similar cases weigh terms by these counts


def test_a_large_import_makes_the_same_search_tokens_in_a_second_process(
    org: Org, people: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = []

    class Watched(BackgroundTokens):
        def start(self, texts):  # type: ignore[no-untyped-def]
            started.append(len(texts))
            return super().start(texts)

    monkeypatch.setattr(search_actions, "BACKGROUND_FROM", 0)
    monkeypatch.setattr(search_actions, "BackgroundTokens", Watched)
    run(people, org, csv_file(org, GOOD, "GD3,路灯不亮,Ａｐｐ上报后无人处理,,,,,,,\n"))
    assert started == [3]
    for case in Case.objects.values("id", *TEXT_FIELDS):
        assert CaseIndex.objects.get(case_id=case["id"]).tokens == case_tokens(case)
    past = Case.objects.get(source_ref="12345:GD2")
    assert list(search_cases(Case.objects.all(), past.number)) == [past]
    third = Case.objects.get(source_ref="12345:GD3")
    assert list(search_cases(Case.objects.all(), "app")) == [third]


def test_tokens_are_made_here_when_the_second_process_is_gone() -> None:
    texts = [{"title": "社保转移", "request": "App"}]
    expected = [document_tokens("社保转移", "App")]
    background = BackgroundTokens()
    try:
        first = background.start(texts)
        assert first() == expected  # the second process answered
        for process in list(background._pool._processes.values()):
            process.kill()
            process.join()
        assert background.start(texts)() == expected
    finally:
        background.close()
    assert background.start(texts)() == expected  # closed: made here too


def test_a_spreadsheet_and_a_gb18030_csv(org: Org, people: Personas, tmp_path: Path) -> None:
    from rustpy_xlsxwriter import write_worksheet

    records = list(csv.DictReader(io.StringIO(csv_file(org, GOOD).decode())))
    write_worksheet(records, str(tmp_path / "t.xlsx"))
    job = run(people, org, (tmp_path / "t.xlsx").read_bytes(), name="t.xlsx")
    assert (job.status, job.imported) == ("done", 2)
    gbk = csv_file(org, "GD7,户口,户口迁入要结婚证,,,,,,,\n").decode().encode("gb18030")
    assert run(people, org, gbk).imported == 1
    assert Case.objects.get(source_ref="12345:GD7").title == "户口"


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"title,body\nx,y\n", "t.csv", "缺少必需的列"),
        (HEADER.encode(), "t.csv", "没有数据行"),
        (b"", "t.csv", "空"),
        (b"PK\x03\x04 not a zip", "t.xlsx", "无法读取"),
        (b"a,b\n", "t.txt", "CSV 或 XLSX"),
    ],
)
def test_a_file_that_cannot_be_imported_is_refused_at_once(
    org: Org, people: Personas, data: bytes, name: str, message: str
) -> None:
    with pytest.raises(DomainError, match=message):
        run(people, org, data, name=name)
    assert not ImportJob.objects.exists()


def test_a_job_that_cannot_be_saved_leaves_no_file(
    org: Org, people: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(**fields: object) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(ImportJob.objects, "create", fail)
    kept = set(import_dir().glob("*"))
    with pytest.raises(RuntimeError):
        run(people, org, csv_file(org, GOOD))
    assert set(import_dir().glob("*")) == kept


def test_only_importers_and_only_into_their_centre(org: Org, people: Personas) -> None:
    data = csv_file(org, GOOD)
    with pytest.raises(DomainError, match="角色"):
        import_request(actor=people.clerk_a, name="t.csv", data=data, centre_id=org.centre_a.pk,
                       source="12345", mode="all")  # fmt: skip
    with pytest.raises(DomainError, match="中心"):
        import_request(actor=people.taskforce_a, name="t.csv", data=data,
                       centre_id=org.centre_b.pk, source="12345", mode="all")  # fmt: skip
    with pytest.raises(DomainError, match="来源"):
        import_request(actor=people.taskforce_a, name="t.csv", data=data,
                       centre_id=org.centre_a.pk, source="12345:x", mode="all")  # fmt: skip


def test_the_page_imports_and_shows_the_report(  # type: ignore[no-untyped-def]
    org: Org, people: Personas, client_for, django_capture_on_commit_callbacks
) -> None:
    client = client_for(people.taskforce_a)
    assert "/imports/" in client.get("/cases/").content.decode()  # the case list links it
    page = client.get("/imports/")
    assert page.status_code == 200
    assert "来源编号" in page.content.decode()
    # Sent without a file: the message names the field by its label, not "file".
    refused = client.post("/imports/", {"centre": org.centre_a.pk, "source": "12345"}).content
    assert "文件（CSV 或 XLSX）：此项必填。" in refused.decode()
    assert "* file" not in refused.decode()
    upload = io.BytesIO(csv_file(org, GOOD, BAD))
    upload.name = "transfers.csv"
    with django_capture_on_commit_callbacks(execute=True):  # queued after commit, run then
        response = client.post(
            "/imports/",
            {"file": upload, "centre": org.centre_a.pk, "source": "12345", "mode": "good"},
        )
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response.url == f"/imports/{job.pk}/"
    detail = client.get(response.url).content.decode()
    assert "不是有效的手机或固定电话号码" in detail
    imported = Case.objects.filter(source_ref__isnull=False).first()
    assert imported is not None
    history = client.get(f"/cases/{imported.pk}/").content.decode()
    assert f"批量导入，来源编号 {imported.source_ref}" in history
    assert "100%" in detail
    report = client.get(f"/imports/{job.pk}/report.csv")
    assert b"".join(report.streaming_content).decode("utf-8-sig").splitlines()[1].startswith("4,")
    assert AuditEntry.objects.filter(action="import", object_id=str(job.pk)).exists()
    # A clerk has no import page, and nobody else's job is visible to them.
    clerk = client_for(people.clerk_a)
    assert clerk.get("/imports/").status_code == 404
    assert clerk.get(f"/imports/{job.pk}/").status_code == 404
    other = user_create(actor=None, username="taskforce_b", password=PASSWORD,
                        role=Role.TASKFORCE, scope_centre=org.centre_b)  # fmt: skip
    assert client_for(other).get(f"/imports/{job.pk}/").status_code == 404
    assert client_for(people.admin).get(f"/imports/{job.pk}/").status_code == 200


def test_the_command_prints_a_summary_and_fails_on_refusal(
    org: Org, people: Personas, tmp_path: Path
) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(csv_file(org, GOOD, BAD))
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import", str(path), centre="A", user="taskforce_a", stdout=out)
    assert "第 4 行" in out.getvalue()
    out = io.StringIO()
    call_command("import", str(path), centre="A", user="taskforce_a", mode="good", stdout=out)
    assert "导入 2" in out.getvalue()
