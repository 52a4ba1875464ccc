"""Intake through the real URLs: the clerk's window and hotline forms."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from doudi.audit.models import AuditEntry
from doudi.cases import actions
from doudi.cases.models import Case, CaseEvent
from doudi.cases.tests.conftest import PHONE, intake_post, png_bytes
from doudi.conftest import Org, Personas
from doudi.notify.models import Notification


def test_a_clerk_registers_a_case_at_the_window(client_for, org: Org, people: Personas) -> None:
    client = client_for(people.clerk_a)
    response = client.post("/cases/new/", intake_post(org, submission_key="k1"))
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.pk}/"
    assert re.fullmatch(r"A-\d{8}-0001", case.number)
    assert re.fullmatch(r"[2-9A-HJ-NP-Z]{8}", case.query_code)
    assert case.channel == "window"
    assert case.state == "registered"
    assert case.visits == 2
    assert case.service_item == org.item_x
    assert case.registered_by == people.clerk_a
    event = CaseEvent.objects.get(case=case)
    assert (event.kind, event.from_state, event.to_state, event.actor) == (
        "register",
        "",
        "registered",
        people.clerk_a,
    )
    # The receipt notice waits in the outbox for the reporter's phone.
    notice = Notification.objects.get(case_id=case.pk, channel="sms")
    assert case.number in notice.body
    assert case.query_code in notice.body


def test_numbers_count_up_per_centre_and_day(client_for, org: Org, people: Personas) -> None:
    client = client_for(people.clerk_a)
    client.post("/cases/new/", intake_post(org, submission_key="a"))
    client.post("/cases/new/", intake_post(org, submission_key="b"))
    client.post("/cases/new/", intake_post(org, submission_key="c", centre=org.centre_a1.pk))
    numbers = list(Case.objects.order_by("pk").values_list("number", flat=True))
    assert [n.rsplit("-", 1)[1] for n in numbers] == ["0001", "0002", "0001"]
    assert numbers[2].startswith("A-1-")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_the_number_s_counter_is_not_locked_while_the_case_is_written(
    client_for, org: Org, people: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every registration at a centre on a day writes the counter row; locked until the case's
    # commit, it made them queue (docs/benchmarks.md, the soak).
    client = client_for(people.clerk_a)
    client.post("/cases/new/", intake_post(org, submission_key="first"))
    real, updated = actions._new_case, []

    def probe(*args: Any, **kwargs: Any) -> Case:
        other = connections.create_connection("default")
        try:
            with other.cursor() as cursor:
                cursor.execute("SET lock_timeout = '2s'")  # locked: LockNotAvailable
                cursor.execute(
                    "UPDATE cases_casenumbercounter SET last = last WHERE centre_id = %s",
                    [org.centre_a.pk],
                )
                updated.append(cursor.rowcount)
        finally:
            other.close()
        return real(*args, **kwargs)

    monkeypatch.setattr(actions, "_new_case", probe)
    response = client.post("/cases/new/", intake_post(org, submission_key="second"))
    assert response.status_code == 302
    assert updated == [1]
    numbers = sorted(Case.objects.values_list("number", flat=True))
    assert [n.rsplit("-", 1)[1] for n in numbers] == ["0001", "0002"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="synchronous_commit: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_only_the_counter_s_own_commit_skips_the_wait_for_the_disk(org: Org) -> None:
    """The counter's UPDATE, committing by itself, does not wait for the WAL's flush (its
    case's commit does, and covers it); in a caller's transaction it changes nothing, and
    the setting never outlives the statement."""
    day = timezone.localdate()

    def skips_the_wait() -> bool:
        with CaptureQueriesContext(connection) as queries:
            actions._reserve_numbers(org.centre_a, day)
        (update,) = [q["sql"] for q in queries if q["sql"].startswith("UPDATE")]
        return "synchronous_commit" in update

    actions._reserve_numbers(org.centre_a, day)  # the day's row
    assert skips_the_wait()
    with transaction.atomic():  # an import's transaction: it must commit synchronously
        assert not skips_the_wait()
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            assert cursor.fetchone()[0] == "on"
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"
    numbers = [actions._reserve_numbers(org.centre_a, day)[0] for _ in range(2)]
    assert [n.rsplit("-", 1)[1] for n in numbers] == ["0004", "0005"]


def test_the_hotline_variant_records_its_channel(client_for, org: Org, people: Personas) -> None:
    client_for(people.clerk_a).post("/cases/new/hotline/", intake_post(org, submission_key="h"))
    assert Case.objects.get().channel == "hotline"


def test_a_form_sent_twice_makes_one_case(client_for, org: Org, people: Personas) -> None:
    client = client_for(people.clerk_a)
    first = client.post("/cases/new/", intake_post(org, submission_key="same"))
    second = client.post("/cases/new/", intake_post(org, submission_key="same"))
    assert Case.objects.count() == 1
    assert first["Location"] == second["Location"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("reporter_id_number", "110105194912310021", "校验位不正确"),
        ("reporter_id_number", "110105194913310028", "出生日期无效"),
        ("reporter_phone", "1234567", "不是有效的电话号码"),
        ("description", "很" * 50_000, "5000"),
        ("title", "", "此项必填"),
    ],
)
def test_bad_input_gets_a_message_next_to_the_field_and_creates_nothing(
    client_for, org: Org, people: Personas, field: str, value: str, message: str
) -> None:
    response = client_for(people.clerk_a).post("/cases/new/", intake_post(org, **{field: value}))
    assert response.status_code == 200
    assert message in "".join(response.context["form"].errors[field])
    assert 'class="invalid-feedback d-block"' in response.content.decode()
    assert Case.objects.count() == 0


def test_a_company_needs_a_valid_credit_code(client_for, org: Org, people: Personas) -> None:
    post = intake_post(org, reporter_kind="company", company_name="示范科技有限公司")
    response = client_for(people.clerk_a).post(
        "/cases/new/", {**post, "company_credit_code": "91350100M000100Y44"}
    )
    assert "校验位不正确" in "".join(response.context["form"].errors["company_credit_code"])
    response = client_for(people.clerk_a).post(
        "/cases/new/", {**post, "company_credit_code": "91350100m000100y43"}
    )
    assert response.status_code == 302
    assert Case.objects.get().company_credit_code == "91350100M000100Y43"


def test_an_anonymous_report_needs_no_identity(client_for, org: Org, people: Personas) -> None:
    post = intake_post(
        org, is_anonymous="on", reporter_name="", reporter_phone="", reporter_id_number=""
    )
    assert client_for(people.clerk_a).post("/cases/new/", post).status_code == 302
    assert Case.objects.get().is_anonymous


def test_markup_and_sql_are_kept_as_text_and_shown_as_text(
    client_for, org: Org, people: Personas
) -> None:
    hostile = "<script>alert(1)</script>'; DROP TABLE cases_case; --"
    client = client_for(people.clerk_a)
    client.post("/cases/new/", intake_post(org, title=hostile[:100], description=hostile))
    case = Case.objects.get()
    assert case.description == hostile
    html = client.get(f"/cases/{case.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_disguised_file_is_refused_and_nothing_is_created(
    client_for, org: Org, people: Personas
) -> None:
    fake = SimpleUploadedFile(
        "photo.jpg", b"<html><script>evil()</script></html>", content_type="image/jpeg"
    )
    response = client_for(people.clerk_a).post(
        "/cases/new/", {**intake_post(org), "attachments": [fake]}
    )
    assert response.status_code == 200
    assert "不是有效的图片" in response.content.decode()
    assert Case.objects.count() == 0


def test_an_oversized_file_is_refused(client_for, org: Org, people: Personas) -> None:
    big = SimpleUploadedFile("scan.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024) + b"%%EOF")
    response = client_for(people.clerk_a).post(
        "/cases/new/", {**intake_post(org), "attachments": [big]}
    )
    assert "超过 10 MB" in "".join(response.context["form"].errors["attachments"])
    assert Case.objects.count() == 0


def test_a_real_image_is_stored_privately_and_served_after_an_access_check(
    client_for, org: Org, people: Personas, settings
) -> None:
    image = SimpleUploadedFile("现场照片.png", png_bytes(), content_type="image/png")
    client = client_for(people.clerk_a)
    client.post("/cases/new/", {**intake_post(org), "attachments": [image]})
    attachment = Case.objects.get().attachments.get()
    assert attachment.content_type == "image/png"
    assert str(settings.DATA_DIR) in attachment.file.path
    assert str(settings.STATIC_ROOT) not in attachment.file.path
    url = f"/cases/{attachment.case_id}/files/{attachment.pk}/"
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == png_bytes()
    assert client_for(people.clerk_b).get(url).status_code == 404


def test_the_person_s_earlier_cases_show_when_the_phone_matches(
    client_for, make_case, people: Personas
) -> None:
    earlier = make_case()
    response = client_for(people.clerk_a).get("/cases/lookup/phone/", {"reporter_phone": PHONE})
    assert earlier.number in response.content.decode()
    response = client_for(people.clerk_a).get(
        "/cases/lookup/phone/", {"reporter_phone": "13700000000"}
    )
    assert earlier.number not in response.content.decode()


def test_autocomplete_offers_service_items_and_staff(
    client_for, org: Org, people: Personas
) -> None:
    client = client_for(people.clerk_a)
    assert (
        org.item_x.name
        in client.get("/cases/lookup/items/", {"service_item": "失业"}).content.decode()
    )
    assert "张三" in client.get("/cases/lookup/staff/", {"staff": "E1"}).content.decode()


def test_personal_data_is_masked_and_unmasking_is_logged(
    client_for, make_case, people: Personas
) -> None:
    case = make_case()
    client = client_for(people.clerk_a)
    html = client.get(f"/cases/{case.pk}/").content.decode()
    assert "139****5678" in html
    assert PHONE not in html
    revealed = client.post(f"/cases/{case.pk}/reveal/").content.decode()
    assert PHONE in revealed
    entry = AuditEntry.objects.get(action="personal_data.unmask")
    assert (entry.actor, entry.object_id) == (people.clerk_a, str(case.pk))


def test_a_confidential_reporter_is_revealed_to_the_task_force_only(
    client_for, make_case, people: Personas
) -> None:
    from doudi.cases.actions import Reporter

    case = make_case(reporter=Reporter(name="王五", phone=PHONE, confidential=True))
    assert client_for(people.clerk_a).post(f"/cases/{case.pk}/reveal/").status_code == 404
    assert client_for(people.taskforce_a).post(f"/cases/{case.pk}/reveal/").status_code == 200
    assert AuditEntry.objects.filter(action="personal_data.unmask").count() == 1
