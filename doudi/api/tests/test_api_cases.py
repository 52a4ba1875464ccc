"""The JSON API: tokens, creating a case with an idempotency key, the cursor list, one error
shape, scope."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from doudi.api.actions import integration_token_create, token_create, token_revoke
from doudi.api.models import ApiToken, Scope
from doudi.cases.models import Case, CaseEvent
from doudi.conftest import Org, Personas


def body(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "centre": "A",
        "channel": "12345",
        "title": "失业金申领被要求原单位证明",
        "description": "原单位已注销，无法开具证明，跑了三次。",
        "service_item": "X-0001",
        "windows": ["A-01"],
        "reporter": {"name": "赵铁柱", "phone": "13800001234"},
    }
    data.update(overrides)
    return data


def post(client: Client, token: str, data: dict[str, Any], **headers: str) -> Any:
    return client.post(
        "/api/v1/cases",
        data,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}", **headers},
    )


def get(client: Client, token: str, path: str, **params: Any) -> Any:
    return client.get(path, params, headers={"Authorization": f"Bearer {token}"})


@pytest.fixture
def integration(org: Org) -> str:
    return integration_token_create(actor=None, name="12345", centre=org.centre_a).secret


def test_an_integration_registers_a_case_once_per_idempotency_key(
    org: Org, integration: str, client: Client
) -> None:
    first = post(client, integration, body(), **{"Idempotency-Key": "transfer-0001"})
    assert first.status_code == 201, first.content
    created = first.json()
    case = Case.objects.get(number=created["number"])
    assert (case.channel, case.state, case.centre.code) == ("12345", "registered", "A")
    assert case.registered_by.username == "api-12345"
    assert created["reporter_phone"] == "138****1234"  # masked
    assert CaseEvent.objects.filter(case=case, kind="register").exists()

    again = post(client, integration, body(), **{"Idempotency-Key": "transfer-0001"})
    assert again.status_code == 201
    assert again.json() == created
    assert again.headers["Idempotent-Replayed"] == "true"
    # The same key for another matter is refused, not answered with the first case.
    reused = post(
        client, integration, body(title="另一件事"), **{"Idempotency-Key": "transfer-0001"}
    )
    assert reused.status_code == 422
    assert reused.json()["code"] == "idempotency_key_reused"
    other = post(client, integration, body(), **{"Idempotency-Key": "transfer-0002"})
    assert other.json()["number"] != created["number"]
    assert Case.objects.count() == 2
    # The retries went through the action and were rolled back: nothing of theirs was kept.
    assert CaseEvent.objects.filter(kind="register").count() == 2


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"reporter": {"name": "赵铁柱", "phone": "12345"}}, "reporter.phone"),
        (
            {"reporter": {"name": "赵", "phone": "13800001234", "id_number": "110101199003071234"}},
            "reporter.id_number",
        ),
        ({"reporter": {"phone": "13800001234"}}, "reporter.name"),
        ({"centre": "B"}, "centre"),  # another district's centre
        ({"windows": ["B-01", "NOPE"]}, "windows"),
        ({"windows": ["A-01", "A-1-01"]}, "windows"),  # a street centre's, at the district's
        ({"service_item": "NOPE"}, "service_item"),
        ({"title": ""}, "title"),
        ({"visits": 0}, "visits"),
        ({"channel": "window"}, "channel"),
        ({"centre": "A\u0000"}, "centre"),  # PostgreSQL cannot even compare it: refused first
    ],
)
def test_bad_input_gets_a_field_error_and_creates_nothing(
    org: Org, integration: str, client: Client, change: dict[str, Any], field: str
) -> None:
    response = post(client, integration, body(**change))
    assert response.status_code == 422, response.content.decode()
    error = response.json()
    assert error["code"] == "validation_error"
    assert field in error["fields"], error
    assert Case.objects.count() == 0


def test_malformed_json_and_missing_tokens_get_the_error_shape(
    org: Org, integration: str, client: Client
) -> None:
    broken = client.post(
        "/api/v1/cases",
        "{not json",
        content_type="application/json",
        headers={"Authorization": f"Bearer {integration}"},
    )
    assert broken.status_code in (400, 422)
    assert set(broken.json()) == {"code", "message", "fields"}
    huge = client.post(
        "/api/v1/cases",
        '{"title": "' + "很" * (4 * 1024 * 1024) + '"}',  # 12 MB of UTF-8
        content_type="application/json",
        headers={"Authorization": f"Bearer {integration}"},
    )
    assert (huge.status_code, huge.json()["code"]) == (413, "too_large")
    xml = client.post(
        "/api/v1/cases",
        "<case/>",
        content_type="application/xml",
        headers={"Authorization": f"Bearer {integration}"},
    )
    assert (xml.status_code, xml.json()["code"]) == (400, "bad_request")
    anonymous = client.get("/api/v1/cases")
    assert (anonymous.status_code, anonymous.json()["code"]) == (401, "unauthenticated")
    wrong = get(client, integration[:-2] + "xx", "/api/v1/cases")
    assert wrong.status_code == 401
    assert Case.objects.count() == 0


def test_a_revoked_token_or_a_missing_scope_is_refused(
    org: Org, people: Personas, client: Client
) -> None:
    reader = token_create(actor=None, user=people.clerk_a, name="只读", scopes=[Scope.CASES_READ])
    refused = post(client, reader.secret, body())
    assert (refused.status_code, refused.json()["code"]) == (403, "forbidden_scope")
    assert get(client, reader.secret, "/api/v1/cases").status_code == 200
    token_revoke(actor=None, prefix=reader.token.prefix)
    assert get(client, reader.secret, "/api/v1/cases").status_code == 401
    # A handler may read within their department but not register.
    handler = token_create(actor=None, user=people.handler_x, name="承办")
    assert post(client, handler.secret, body()).json()["code"] == "forbidden"


def test_the_list_pages_by_cursor_and_keeps_to_the_token_s_scope(
    org: Org, people: Personas, integration: str, client: Client
) -> None:
    numbers = [post(client, integration, body(title=f"案件{n}")).json()["number"] for n in range(5)]
    seen: list[str] = []
    cursor = ""
    while True:
        page = get(client, integration, "/api/v1/cases", limit=2, cursor=cursor).json()
        seen += [item["number"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(numbers))  # newest first, each once
    # Another district's clerk sees none of them, and reading one is a 404.
    other = token_create(actor=None, user=people.clerk_b, name="乙区")
    assert get(client, other.secret, "/api/v1/cases").json()["items"] == []
    assert get(client, other.secret, f"/api/v1/cases/{numbers[0]}").status_code == 404
    assert get(client, integration, f"/api/v1/cases/{numbers[0]}").json()["title"] == "案件0"
    too_many = get(client, integration, "/api/v1/cases", limit=101)
    assert (too_many.status_code, list(too_many.json()["fields"])) == (422, ["limit"])
    bad = get(client, integration, "/api/v1/cases", cursor="!!!")
    assert (bad.status_code, bad.json()["fields"]) == (422, {"cursor": ["游标无效。"]})


def test_the_openapi_description_and_docs_are_served(db: None, client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    assert {"/api/v1/cases", "/api/v1/cases/{number}"} <= set(schema["paths"])
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower()  # served from our static files, offline


def test_the_token_command_prints_the_token_last_and_stores_only_its_hash(org: Org) -> None:
    out = StringIO()
    call_command("token", "create", "--integration", "12345", "--centre", "A", stdout=out)
    secret = out.getvalue().splitlines()[-1]
    assert secret.startswith("ddt_")
    token = ApiToken.objects.get()
    assert token.integration
    assert secret not in (token.digest, token.prefix)
    assert token.user.has_usable_password() is False
    with pytest.raises(CommandError, match="no such centre"):
        call_command("token", "create", "--integration", "x", "--centre", "NOPE", stdout=out)
    call_command("token", "revoke", token.prefix, stdout=out)
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_a_secret_holding_underscores_still_authenticates(org: Org, people: Personas) -> None:
    from doudi.api.access import token_digest, token_for

    new = token_create(actor=None, user=people.clerk_a, name="t")
    secret = f"ddt_{new.token.prefix}_ab_cd_ef"
    ApiToken.objects.filter(pk=new.token.pk).update(digest=token_digest(secret))
    assert token_for(secret) == new.token
    assert token_for(secret + "x") is None
    assert token_for("ddt_nope") is None


def test_a_case_moves_through_the_api_as_on_its_page(
    org: Org, people: Personas, integration: str, client: Client
) -> None:
    number = post(client, integration, body()).json()["number"]
    clerk = token_create(actor=None, user=people.clerk_a, name="窗口").secret

    def move(name: str, data: dict[str, str], token: str = clerk) -> Any:
        return client.post(
            f"/api/v1/cases/{number}/moves/{name}",
            data,
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}"},
        )

    assert move("withdraw", {}).json()["fields"] == {"reason": ["此项必填。"]}
    moved = move("send_to_triage", {"note": "需多部门"})
    assert (moved.status_code, moved.json()["state"]) == (200, "triage")
    assert CaseEvent.objects.filter(case__number=number, kind="send_to_triage").exists()
    again = move("send_to_triage", {})
    assert (again.status_code, again.json()["code"]) == (409, "invalid_move")
    assert move("fly", {}).status_code == 404
    unknown = move("merge", {"into": "NO-SUCH-CASE"})  # wrong input, not a wrong state
    assert (unknown.status_code, unknown.json()["code"]) == (422, "validation_error")
    other = token_create(actor=None, user=people.clerk_b, name="乙区").secret
    assert move("withdraw", {"reason": "x"}, token=other).status_code == 404


def test_an_integration_registers_and_reads_only_its_own_cases(
    org: Org, people: Personas, integration: str, client: Client
) -> None:
    from doudi.cases.actions import Intake, Reporter, case_register

    window_case = case_register(
        actor=people.clerk_a,
        intake=Intake(
            centre=org.centre_a,
            channel="window",
            title="窗口登记的案件",
            description="经过",
            reporter=Reporter(name="钱七", phone="13900002222"),
            service_item=org.item_x,
        ),
    )
    own = post(client, integration, body()).json()["number"]
    listed = [c["number"] for c in get(client, integration, "/api/v1/cases").json()["items"]]
    assert listed == [own]
    assert get(client, integration, f"/api/v1/cases/{window_case.number}").status_code == 404
    moved = client.post(
        f"/api/v1/cases/{window_case.number}/moves/withdraw",
        {"reason": "x"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {integration}"},
    )
    assert (moved.status_code, moved.json()["code"]) == (403, "forbidden_scope")


def test_nobody_reaches_an_api_case_by_replaying_its_key_elsewhere(
    org: Org, integration: str, client: Client
) -> None:
    from doudi.cases.actions import Intake, Reporter, case_register
    from doudi.cases.workflow import DomainError

    number = post(client, integration, body(), **{"Idempotency-Key": "GD-0001"}).json()["number"]
    stored = Case.objects.get(number=number).submission_key
    assert stored != "GD-0001"
    assert len(stored) == 64  # a keyed hash: nobody outside can compute it
    with pytest.raises(DomainError):  # the public form, replaying the stored key
        case_register(
            actor=None,
            intake=Intake(
                centre=org.centre_a,
                channel="online",
                title="冒用",
                description="冒用",
                reporter=Reporter(name="某人", phone="13900009999"),
            ),
            submission_key=stored,
        )
    assert Case.objects.count() == 1


def test_an_integration_name_cannot_capture_a_person_s_account(org: Org) -> None:
    from doudi.accounts.actions import user_create
    from doudi.accounts.roles import Role
    from doudi.cases.workflow import DomainError

    user_create(
        actor=None,
        username="api-hr",
        password="a-long-password-1",
        role=Role.SUPERVISOR,
        scope_centre=org.centre_a,
    )
    with pytest.raises(DomainError, match="已被其他账号使用"):
        integration_token_create(actor=None, name="hr", centre=org.centre_a)
    first = integration_token_create(actor=None, name="gov", centre=org.centre_a)
    again = integration_token_create(actor=None, name="gov", centre=org.centre_a)
    assert again.token.user == first.token.user  # the system's own account is reused


def test_every_api_error_has_the_one_shape(org: Org, integration: str, client: Client) -> None:
    unknown = get(client, integration, "/api/v1/nothing/here")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "not_found")
    anonymous = client.get("/api/v1/cases")
    assert anonymous.headers["WWW-Authenticate"] == "Bearer"
    naive = get(client, integration, "/api/v1/cases", registered_from="2026-01-01T00:00")
    assert (naive.status_code, list(naive.json()["fields"])) == (422, ["registered_from"])
    aware = get(client, integration, "/api/v1/cases", registered_from="2026-01-01T00:00+08:00")
    assert aware.status_code == 200


def test_a_case_is_created_in_a_fixed_number_of_queries(
    org: Org, integration: str, client: Client, django_assert_max_num_queries: Any
) -> None:
    """Speed (docs/benchmarks.md): token, centre, item (the tests keep none of them per
    process); counter, case, figures' mark, search row and terms, event, audit entry, outbox;
    the case's savepoint. A new query here shows up as a failure."""
    assert post(client, integration, body(), **{"Idempotency-Key": "warm"}).status_code == 201
    with django_assert_max_num_queries(12):
        created = post(client, integration, body(windows=[]), **{"Idempotency-Key": "k-1"})
    assert created.status_code == 201, created.content
    # A window: its code, the form's check of its id, the links there, the new link.
    with django_assert_max_num_queries(17):
        created = post(client, integration, body(), **{"Idempotency-Key": "k-2"})
    assert created.status_code == 201, created.content


def test_the_list_reads_no_encrypted_column(org: Org, integration: str, client: Client) -> None:
    """Speed: the list shows personal data masked, so the encrypted columns are not read (and
    not decrypted, five per row)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from doudi.cases.models import ENCRYPTED_FIELDS

    post(client, integration, body())
    with CaptureQueriesContext(connection) as queries:
        page = get(client, integration, "/api/v1/cases").json()
    assert page["items"][0]["reporter_phone"] == "138****1234"
    listed = [q["sql"] for q in queries.captured_queries if 'FROM "cases_case"' in q["sql"]]
    assert listed
    assert "reporter_phone" in ENCRYPTED_FIELDS
    for name in ENCRYPTED_FIELDS:
        assert all(f'"{name}"' not in sql for sql in listed), name


def test_a_listed_case_is_the_case_as_read_in_one_query_for_the_page(
    org: Org, integration: str, client: Client
) -> None:
    """The list reads only some columns (``_OUT_COLUMNS``): each item is still the whole case as
    its own page gives it, and no item reads a column the list left out (a query per row)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    post(client, integration, body(), **{"Idempotency-Key": "with-item"})

    def listed() -> tuple[list[dict[str, Any]], int]:
        with CaptureQueriesContext(connection) as queries:
            page = get(client, integration, "/api/v1/cases").json()
        return page["items"], len(queries.captured_queries)

    _, queries_for_one = listed()
    other = body(service_item="", matter_text="路灯不亮")
    assert post(client, integration, other, **{"Idempotency-Key": "m"}).status_code == 201
    items, queries_for_two = listed()
    assert queries_for_two == queries_for_one
    assert {item["matter"] for item in items} == {org.item_x.name, "路灯不亮"}
    for item in items:
        assert item == get(client, integration, f"/api/v1/cases/{item['number']}").json()
