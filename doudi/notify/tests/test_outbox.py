"""The notification outbox: written in the caller's transaction, delivered after commit, retried."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from huey.contrib.djhuey import HUEY
from pytest_django.fixtures import Settings

from doudi.conftest import Personas
from doudi.notify import backends
from doudi.notify.actions import (
    notification_claim,
    notification_enqueue,
    render_message,
    retry_delay,
)
from doudi.notify.backends import DeliveryError, sms_request_body
from doudi.notify.models import Notification
from doudi.notify.selectors import due_notification_ids
from doudi.notify.tasks import deliver_notification, retry_due_notifications

PHONE = "13812345678"
EMAIL = "zhang.san@example.com"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

# Every template with a realistic context, as the cases app will pass it.
TEMPLATES: dict[str, dict[str, str]] = {
    "case_registered": {
        "case_number": "JQ-20260302-0012",
        "query_code": "7KQ2M9",
        "expected_by": "3月9日",
    },
    "case_resolved_on_spot": {
        "case_number": "JQ-20260302-0012",
        "result": "已由社保窗口现场补办失业登记。",
    },
    "case_out_of_scope": {
        "case_number": "JQ-20260302-0012",
        "explanation": "该事项属司法诉讼范围。",
        "where_to_go": "区人民法院诉讼服务中心",
    },
    "case_transferred": {
        "case_number": "JQ-20260302-0012",
        "receiver": "12345政务服务便民热线",
        "reference": "RX2026030200871",
    },
    "case_sent_to_triage": {"case_number": "JQ-20260302-0012", "expected_by": "3月16日"},
    "case_withdrawn": {"case_number": "JQ-20260302-0012"},
    "case_merged": {"case_number": "JQ-20260302-0012", "target_number": "JQ-20260301-0007"},
    "case_info_added": {"case_number": "JQ-20260302-0012"},
}


@pytest.fixture(autouse=True)
def immediate_huey() -> Iterator[None]:
    """Tasks run in the calling thread, and nothing reaches the queue file."""
    previous = HUEY.immediate
    HUEY.immediate = True
    yield
    HUEY.immediate = previous


@pytest.fixture
def outbox(settings: Settings, tmp_path: Path) -> Path:
    settings.NOTIFY_OUTBOX_DIR = tmp_path
    settings.NOTIFY_SMS_BACKEND = "file"
    settings.NOTIFY_CENTRE_NAME = "甲区政务服务中心"
    settings.NOTIFY_TRACK_URL = "https://doudi.example.gov.cn/q"
    return tmp_path


def sms_lines(outbox: Path) -> list[dict[str, Any]]:
    path = outbox / "sms.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def enqueue_sms(template: str = "case_withdrawn", **context: str) -> Notification:
    notification = notification_enqueue(
        channel="sms",
        to=PHONE,
        template=template,
        context={**TEMPLATES[template], **context},
        case_id=12,
    )
    assert notification is not None
    return notification


def enqueue_then_fail(template: str) -> None:
    """An action that writes its notification, then fails and rolls back."""
    with transaction.atomic():
        enqueue_sms(template)
        raise RuntimeError("the change could not be saved")


class FailingBackend:
    name = "sms.failing"

    def send(self, notification: Notification) -> str:
        raise DeliveryError(f"gateway refused {notification.recipient}")


@pytest.fixture
def failing_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(backends, "backend_for", lambda channel: FailingBackend())


# --- Transactions -----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_leaves_no_row_and_sends_nothing(outbox: Path) -> None:
    with pytest.raises(RuntimeError):
        enqueue_then_fail("case_withdrawn")
    assert Notification.objects.count() == 0
    assert sms_lines(outbox) == []


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_savepoint_discards_its_notification_only(outbox: Path) -> None:
    with transaction.atomic():
        kept = enqueue_sms("case_withdrawn")
        with pytest.raises(RuntimeError):
            enqueue_then_fail("case_merged")
    assert list(Notification.objects.values_list("pk", flat=True)) == [kept.pk]
    assert [line["id"] for line in sms_lines(outbox)] == [kept.pk]


@pytest.mark.django_db(transaction=True)
def test_a_committed_notification_is_delivered_once_after_commit(outbox: Path) -> None:
    with transaction.atomic():
        notification = enqueue_sms("case_registered")
        assert sms_lines(outbox) == []  # nothing leaves before the commit
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert notification.attempts == 1
    assert notification.sent_at is not None
    assert notification.backend == "sms.file"
    # Queued again, by the sweep or a duplicate: still one message.
    deliver_notification(notification.pk)
    retry_due_notifications.call_local()
    lines = sms_lines(outbox)
    assert len(lines) == 1
    assert lines[0]["phone"] == PHONE  # the dev outbox keeps the full number
    assert lines[0]["text"].startswith("【兜底】您在甲区政务服务中心反映的问题已受理")
    assert lines[0]["case_id"] == 12


@pytest.mark.django_db(transaction=True)
def test_commits_within_the_kick_time_share_one_delivery_request(
    outbox: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from doudi.notify import actions

    settings.NOTIFY_KICK_SECONDS = 0.5
    clock = [1000.0]
    monkeypatch.setattr(actions, "_clock", lambda: clock[0])
    monkeypatch.setattr(actions, "_next_kick", 0.0)
    HUEY.flush()
    first = enqueue_sms("case_registered")  # each in a transaction of its own
    second = enqueue_sms("case_withdrawn")
    # One request, queued to run after the kick time: nothing is sent before it runs.
    requests = HUEY.scheduled()
    assert len(requests) == 1
    assert requests[0].name.endswith("deliver_due_notifications")
    assert sms_lines(outbox) == []
    clock[0] += 0.6
    third = enqueue_sms("case_merged")
    assert len(HUEY.scheduled()) == 2
    # The first request, when it runs, finds every row committed before it.
    assert HUEY.execute(requests[0], timestamp=requests[0].eta) == 3
    assert sorted(line["id"] for line in sms_lines(outbox)) == [first.pk, second.pk, third.pk]
    HUEY.flush()


def test_nothing_is_written_without_a_reachable_address(db: None, outbox: Path) -> None:
    unreachable = [("sms", ""), ("sms", "  "), ("sms", "010-64010001"), ("email", "nobody")]
    for channel, to in unreachable:
        notification = notification_enqueue(
            channel=channel, to=to, template="case_withdrawn", context={"case_number": "A-1"}
        )
        assert notification is None
    assert Notification.objects.count() == 0


def test_it_normalises_the_number_it_stores(db: None, outbox: Path) -> None:
    notification = notification_enqueue(
        channel="sms", to="+86 138 1234 5678", template="case_withdrawn", context={}
    )
    assert notification is not None
    notification.refresh_from_db()
    assert notification.recipient == PHONE


def test_it_rejects_a_template_name_outside_the_notify_folder(db: None) -> None:
    with pytest.raises(ValueError, match="template"):
        notification_enqueue(channel="sms", to=PHONE, template="../base", context={})


# --- Delivery, retries, claims ----------------------------------------------------------------


def test_a_failed_attempt_is_retried_later_with_the_error_kept(
    db: None, outbox: Path, failing_backend: None, time_machine: Any
) -> None:
    time_machine.move_to(NOW, tick=False)
    notification = enqueue_sms()
    deliver_notification.call_local(notification.pk)
    notification.refresh_from_db()
    assert notification.status == Notification.Status.PENDING
    assert notification.attempts == 1
    assert notification.next_attempt_at == NOW + timedelta(minutes=1)
    assert "gateway refused" in notification.last_error
    assert notification.backend == "sms.failing"
    assert due_notification_ids(now=NOW) == []
    assert due_notification_ids(now=NOW + timedelta(minutes=1)) == [notification.pk]


def test_it_gives_up_after_the_maximum_attempts_with_growing_waits(
    db: None, outbox: Path, failing_backend: None, time_machine: Any, settings: Settings
) -> None:
    settings.NOTIFY_MAX_ATTEMPTS = 3
    time_machine.move_to(NOW, tick=False)
    notification = enqueue_sms()
    waits = []
    for _ in range(3):
        deliver_notification.call_local(notification.pk)
        notification.refresh_from_db()
        waits.append(notification.next_attempt_at - datetime.now(UTC))
        time_machine.move_to(notification.next_attempt_at, tick=False)
    assert waits[:2] == [timedelta(minutes=1), timedelta(minutes=5)]
    assert notification.status == Notification.Status.FAILED
    assert notification.attempts == 3
    # A failed row is not due any more, and a late duplicate task does nothing.
    time_machine.move_to(NOW + timedelta(days=7), tick=False)
    assert due_notification_ids(now=datetime.now(UTC)) == []
    deliver_notification.call_local(notification.pk)
    notification.refresh_from_db()
    assert notification.attempts == 3


def test_the_waits_grow_from_one_minute_to_half_a_day_and_then_a_day() -> None:
    minutes = [retry_delay(n) / timedelta(minutes=1) for n in range(1, 9)]
    assert minutes == [1, 5, 30, 120, 720, 1440, 1440, 1440]


def test_only_one_of_two_concurrent_claims_wins(db: None, outbox: Path) -> None:
    notification = enqueue_sms()
    assert notification_claim(notification_id=notification.pk) is True
    assert notification_claim(notification_id=notification.pk) is False
    notification.refresh_from_db()
    assert notification.next_attempt_at > datetime.now(UTC)  # leased


def test_the_sweep_delivers_a_row_whose_queueing_was_lost(db: None, outbox: Path) -> None:
    # With the `db` fixture the on-commit hook never runs: as if the process died after commit.
    notification = enqueue_sms()
    assert sms_lines(outbox) == []
    retry_due_notifications.call_local()
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert len(sms_lines(outbox)) == 1


def test_resending_from_the_admin_requeues_failed_rows(
    outbox: Path,
    people: Personas,
    client_for: Callable[[Any], Client],
    django_capture_on_commit_callbacks: Any,
) -> None:
    failed = enqueue_sms()
    Notification.objects.filter(pk=failed.pk).update(
        status=Notification.Status.FAILED, attempts=6, last_error="DeliveryError: down"
    )
    client = client_for(people.admin)
    url = reverse("admin:notify_notification_changelist")
    page = client.get(url)
    assert page.status_code == 200
    assert "138****5678" in page.content.decode()
    assert PHONE not in page.content.decode()
    detail = client.get(reverse("admin:notify_notification_change", args=[failed.pk]))
    assert detail.status_code == 200
    assert PHONE not in detail.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "resend", "_selected_action": [failed.pk]})
    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.status == Notification.Status.SENT
    assert failed.attempts == 1
    assert len(sms_lines(outbox)) == 1


# --- Backends ---------------------------------------------------------------------------------


@dataclass
class Gateway:
    status: int = 200
    answer: bytes = b'{"code": 0, "id": "gw-1"}'
    requests: list[tuple[dict[str, str], bytes]] = field(default_factory=list)


@pytest.fixture
def gateway(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Gateway]:
    """An SMS gateway on 127.0.0.1 at an ephemeral port, recording what it is sent."""
    state = Gateway()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            state.requests.append((dict(self.headers.items()), self.rfile.read(length)))
            self.send_response(state.status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(state.answer)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    for name in ("no_proxy", "NO_PROXY"):
        monkeypatch.setenv(name, "127.0.0.1,localhost")
    settings.NOTIFY_SMS_BACKEND = "http"
    settings.NOTIFY_SMS_URL = f"http://127.0.0.1:{server.server_address[1]}/sms/send"
    settings.NOTIFY_SMS_TOKEN = "t0ken"
    yield state
    server.shutdown()
    server.server_close()
    thread.join()


def test_the_http_gateway_gets_the_rendered_text_as_json(
    db: None, outbox: Path, gateway: Gateway
) -> None:
    notification = enqueue_sms("case_resolved_on_spot", result='补办完成 <b>& "加急"')
    deliver_notification.call_local(notification.pk)
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert notification.provider_ref == "gw-1"
    [(headers, body)] = gateway.requests
    assert headers["Content-Type"] == "application/json"
    assert headers["Authorization"] == "Bearer t0ken"
    assert json.loads(body) == {"phone": PHONE, "text": "【兜底】" + notification.body}
    assert '补办完成 <b>& "加急"' in json.loads(body)["text"]


def test_the_http_gateway_can_take_a_form_body(
    db: None, outbox: Path, gateway: Gateway, settings: Settings
) -> None:
    settings.NOTIFY_SMS_CONTENT_TYPE = "application/x-www-form-urlencoded"
    settings.NOTIFY_SMS_BODY_TEMPLATE = "mobile=$phone&sign=$sign&content=$body"
    notification = enqueue_sms("case_resolved_on_spot", result="A&B=C")
    deliver_notification.call_local(notification.pk)
    [(_headers, body)] = gateway.requests
    assert parse_qs(body.decode()) == {
        "mobile": [PHONE],
        "sign": ["【兜底】"],
        "content": [notification.body],
    }


def test_a_gateway_error_is_a_failed_attempt(db: None, outbox: Path, gateway: Gateway) -> None:
    gateway.status = 500
    gateway.answer = b'{"error": "internal"}'
    notification = enqueue_sms()
    deliver_notification.call_local(notification.pk)
    notification.refresh_from_db()
    assert notification.status == Notification.Status.PENDING
    assert notification.attempts == 1
    assert "HTTP 500" in notification.last_error
    assert len(gateway.requests) == 1


def test_json_body_values_are_escaped() -> None:
    body = sms_request_body(
        '{"to": "$phone", "msg": "$text"}',
        "application/json; charset=utf-8",
        phone=PHONE,
        text='第一行\n"引号" \\ 斜杠',
        sign="",
        body="",
    )
    assert json.loads(body) == {"to": PHONE, "msg": '第一行\n"引号" \\ 斜杠'}


def test_the_file_backend_appends_one_json_line_per_message(db: None, outbox: Path) -> None:
    first = enqueue_sms("case_withdrawn")
    second = enqueue_sms("case_info_added")
    deliver_notification.call_local(first.pk)
    deliver_notification.call_local(second.pk)
    lines = sms_lines(outbox)
    assert [line["id"] for line in lines] == [first.pk, second.pk]
    assert lines[1]["text"] == "【兜底】" + second.body
    assert lines[1]["template"] == "case_info_added"


def test_the_console_backend_logs_a_masked_number(
    db: None, outbox: Path, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    settings.NOTIFY_SMS_BACKEND = "console"
    caplog.set_level(logging.INFO, logger="doudi.notify")
    notification = enqueue_sms()
    deliver_notification.call_local(notification.pk)
    assert "138****5678" in caplog.text
    assert PHONE not in caplog.text
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT


def test_an_email_has_the_template_subject_and_a_message_id(
    db: None, outbox: Path, settings: Settings
) -> None:
    settings.NOTIFY_EMAIL_BACKEND = "locmem"
    notification = notification_enqueue(
        channel="email",
        to=EMAIL,
        template="case_registered",
        context=TEMPLATES["case_registered"],
    )
    assert notification is not None
    deliver_notification.call_local(notification.pk)
    [message] = mail.outbox
    assert message.to == [EMAIL]
    assert message.subject == "您的反映已受理（编号JQ-20260302-0012）"
    assert not message.body.startswith("subject:")
    assert "查询码7KQ2M9" in message.body
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert notification.provider_ref == message.extra_headers["Message-ID"]


def test_the_file_email_backend_writes_into_the_outbox(
    db: None, outbox: Path, settings: Settings
) -> None:
    settings.NOTIFY_EMAIL_BACKEND = "file"
    notification = notification_enqueue(
        channel="email", to=EMAIL, template="case_withdrawn", context={"case_number": "A-1"}
    )
    assert notification is not None
    deliver_notification.call_local(notification.pk)
    [written] = (outbox / "mail").iterdir()
    assert EMAIL in written.read_text(encoding="utf-8")


# --- Personal data ----------------------------------------------------------------------------


def test_the_table_holds_no_plaintext_addresses_or_texts(
    db: None, outbox: Path, failing_backend: None
) -> None:
    sms = enqueue_sms("case_transferred", receiver="张三丰")
    notification_enqueue(
        channel="email", to=EMAIL, template="case_withdrawn", context={"case_number": "A-1"}
    )
    deliver_notification.call_local(sms.pk)  # the error message quotes the number
    with connection.cursor() as cursor:
        cursor.execute("SELECT recipient, subject, body, last_error FROM notify_notification")
        rows = cursor.fetchall()
    stored = " ".join(value for row in rows for value in row if value)
    assert len(rows) == 2
    for secret in (PHONE, "5678", EMAIL, "zhang", "张三丰", "撤回", "gateway refused"):
        assert secret not in stored
    assert all(value.startswith("f1:") for row in rows for value in row if value)


# --- Templates --------------------------------------------------------------------------------


@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_every_template_renders_plain_text_without_escaping(
    template: str, settings: Settings
) -> None:
    settings.NOTIFY_TRACK_URL = "https://doudi.example.gov.cn/q"
    marked = {key: f"{value}<b>&'\"" for key, value in TEMPLATES[template].items()}
    for channel in ("sms", "email"):
        message = render_message(template, marked, channel=channel)
        assert "<b>&'\"" in message.body
        for escaped in ("&lt;", "&amp;", "&#x27;", "&quot;"):
            assert escaped not in message.body
        assert "{" not in message.body
        assert "subject:" not in message.body
    email = render_message(template, TEMPLATES[template], channel="email")
    assert "JQ-20260302-0012" in email.subject
    assert render_message(template, TEMPLATES[template], channel="sms").subject == ""


@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_every_sms_stays_short(template: str, settings: Settings) -> None:
    settings.NOTIFY_CENTRE_NAME = "甲区政务服务中心"
    settings.NOTIFY_TRACK_URL = ""
    text = "【兜底】" + render_message(template, TEMPLATES[template], channel="sms").body
    assert len(text) <= 120, text


def test_optional_parts_are_left_out_when_empty(settings: Settings) -> None:
    settings.NOTIFY_TRACK_URL = ""
    context = {**TEMPLATES["case_registered"], "expected_by": ""}
    body = render_message("case_registered", context, channel="sms").body
    assert "前答复" not in body
    assert "尽快答复您" in body
    assert "进度查询" not in body


def test_a_due_row_is_queued_once_until_its_task_runs(
    db: None, outbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The worker behind: the tasks wait in the queue while kicks and sweeps come.
    from doudi.notify import tasks

    queued: list[int] = []
    monkeypatch.setattr(tasks, "_queued", {})
    monkeypatch.setattr(tasks, "deliver_notification", queued.append)
    first, second = enqueue_sms(), enqueue_sms("case_withdrawn")
    assert retry_due_notifications.call_local() == 2
    assert tasks.deliver_due_notifications.call_local() == 0  # a kick: nothing queued again
    assert queued == [first.pk, second.pk]
    third = enqueue_sms("case_merged")
    assert retry_due_notifications.call_local() == 1
    assert queued[-1] == third.pk
    # A task lost with its queue: the row is queued again once QUEUED_FOR has passed.
    monkeypatch.setattr(tasks, "QUEUED_FOR", 0.0)
    assert retry_due_notifications.call_local() == 3


def test_a_row_is_queued_again_after_its_task_ran(db: None, outbox: Path) -> None:
    from doudi.notify import tasks

    notification = enqueue_sms()
    with tasks._queued_lock:
        tasks._queued[notification.pk] = 0.0
    # Its task ran and the attempt failed: due again later, it must be queued again then.
    tasks.deliver_notification.call_local(notification.pk)
    assert notification.pk not in tasks._queued
