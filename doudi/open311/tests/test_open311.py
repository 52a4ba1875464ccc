"""Open311 GeoReport v2: a client lists services, posts a request and reads it back in XML and
JSON; clients that differ from the letter of the specification are served; errors are the
specification's documents and create nothing."""

from __future__ import annotations

from xml.etree import ElementTree as ET

import pytest
from django.test import Client

from doudi.api.actions import integration_token_create, token_revoke
from doudi.cases.actions import case_send_to_triage
from doudi.cases.models import Case
from doudi.conftest import Org, Personas

BASE = "/open311/v2"


@pytest.fixture
def api_key(org: Org) -> str:
    return integration_token_create(actor=None, name="civic", centre=org.centre_a).secret


def test_a_client_lists_services_posts_a_request_and_reads_it_back(
    org: Org, people: Personas, api_key: str, client: Client
) -> None:
    discovery = client.get(f"{BASE}/discovery.json").json()
    assert discovery["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
    services = client.get(f"{BASE}/services.json").json()
    assert {"service_code": "X-0001", "service_name": "失业保险金申领"}.items() <= next(
        s for s in services if s["service_code"] == "X-0001"
    ).items()
    xml = ET.fromstring(client.get(f"{BASE}/services.xml").content)
    assert xml.tag == "services"
    assert "X-0001" in [e.text for e in xml.iter("service_code")]
    definition = client.get(f"{BASE}/services/X-0001.json").json()
    assert [a["code"] for a in definition["attributes"]] == [
        "request",
        "visits",
        "id_number",
        "urgency",
    ]

    posted = client.post(
        f"{BASE}/requests.json",
        {
            "api_key": api_key,
            "service_code": "X-0001",
            "description": "失业金申领被要求原单位证明\n原单位已注销。",
            "first_name": "铁柱",
            "last_name": "赵",
            "phone": "13800001234",
            "attribute[visits]": "3",
        },
    )
    assert posted.status_code == 201, posted.content
    number = posted.json()[0]["service_request_id"]
    case = Case.objects.get(number=number)
    assert (case.channel, case.visits, case.title) == ("open311", 3, "失业金申领被要求原单位证明")
    assert case.reporter_phone_masked == "138****1234"

    as_json = client.get(f"{BASE}/requests/{number}.json", {"api_key": api_key}).json()
    assert as_json[0]["service_request_id"] == number
    assert as_json[0]["status"] == "open"
    assert as_json[0]["service_code"] == "X-0001"
    assert as_json[0]["service_notice"] == "已登记"
    # The reporter's words for the task force's steps, as on the tracking page.
    case_send_to_triage(actor=people.clerk_a, case_id=case.pk)
    notice = client.get(f"{BASE}/requests/{number}.json", {"api_key": api_key}).json()
    assert notice[0]["service_notice"] == "工作专班处理中"
    as_xml = ET.fromstring(
        client.get(f"{BASE}/requests/{number}.xml", {"api_key": api_key}).content
    )
    assert as_xml.tag == "service_requests"
    assert as_xml.find("request/service_request_id").text == number
    listed = client.get(
        f"{BASE}/requests.json",
        {
            "api_key": api_key,
            "service_code": "X-0001",
            "status": "open",
            "start_date": "2020-01-01",
        },
    ).json()
    assert [r["service_request_id"] for r in listed] == [number]
    assert client.get(f"{BASE}/tokens/{number}.json", {"api_key": api_key}).json() == [
        {"service_request_id": number, "token": number}
    ]


def test_clients_that_differ_from_the_letter_are_served(
    org: Org, api_key: str, client: Client
) -> None:
    # service/{code}, api_key in the query string, an empty jurisdiction_id, a JSON body.
    assert client.get(f"{BASE}/service/X-0001.xml").status_code == 200
    posted = client.post(
        f"{BASE}/requests.json?api_key={api_key}&jurisdiction_id=",
        {"service_code": "Y-0001", "description": "执照办理被退回"},
        content_type="application/json",
    )
    assert posted.status_code == 201, posted.content
    assert isinstance(posted.json(), list)  # one request, still an array
    case = Case.objects.get(number=posted.json()[0]["service_request_id"])
    assert case.is_anonymous  # no phone: nobody to tell, so taken anonymously
    in_street = client.post(
        f"{BASE}/requests.xml",
        {"api_key": api_key, "jurisdiction_id": "A-1", "service_code": "X-0001"},
    )
    assert in_street.status_code == 201
    number = ET.fromstring(in_street.content).find("request/service_request_id").text
    assert Case.objects.get(number=number).centre.code == "A-1"


@pytest.mark.parametrize(
    ("data", "status", "text"),
    [
        ({"service_code": "X-0001"}, 403, "api_key"),  # no key
        ({"api_key": "ddt_x_y", "service_code": "X-0001"}, 403, "api_key"),
        ({"service_code": ""}, 400, "service_code missing"),
        ({"service_code": "NOPE"}, 404, "service_code NOPE not found"),
        ({"service_code": "X-0001", "jurisdiction_id": "B"}, 404, "jurisdiction_id"),
        ({"service_code": "X-0001", "phone": "123"}, 400, "reporter_phone"),
    ],
)
def test_bad_requests_get_the_specification_s_errors_and_create_nothing(
    org: Org, api_key: str, client: Client, data: dict[str, str], status: int, text: str
) -> None:
    body = {"api_key": api_key, **data} if "api_key" not in data and status != 403 else data
    response = client.post(f"{BASE}/requests.json", body)
    assert response.status_code == status
    error = response.json()[0]
    assert error["code"] == status
    assert text in error["description"]
    as_xml = client.post(f"{BASE}/requests.xml", body)
    assert ET.fromstring(as_xml.content).find("error/code").text == str(status)
    assert Case.objects.count() == 0


def test_malformed_bodies_and_revoked_keys_are_refused(
    org: Org, api_key: str, client: Client
) -> None:
    broken = client.post(
        f"{BASE}/requests.json?api_key={api_key}", "{oops", content_type="application/json"
    )
    assert (broken.status_code, broken.json()[0]["description"]) == (400, "malformed JSON body")
    assert client.get(f"{BASE}/services.yaml").status_code == 404
    nul = client.get(f"{BASE}/requests.json", {"api_key": api_key, "service_code": "X\x00"})
    assert (nul.status_code, nul.json()[0]["code"]) == (400, 400)
    assert client.get(f"{BASE}/requests/A%00B.json", {"api_key": api_key}).status_code == 404
    token_revoke(actor=None, prefix=api_key.split("_")[1])
    revoked = client.get(f"{BASE}/requests.json", {"api_key": api_key})
    assert revoked.status_code == 403
    assert Case.objects.count() == 0


def test_another_centre_s_request_is_not_found(org: Org, api_key: str, client: Client) -> None:
    other = integration_token_create(actor=None, name="other", centre=org.centre_b).secret
    posted = client.post(
        f"{BASE}/requests.json", {"api_key": other, "service_code": "Y-0001", "phone": ""}
    )
    number = posted.json()[0]["service_request_id"]
    response = client.get(f"{BASE}/requests/{number}.json", {"api_key": api_key})
    assert response.status_code == 404
    assert client.get(f"{BASE}/requests.json", {"api_key": api_key}).json() == []


def test_a_retried_request_is_one_case_and_its_place_is_kept(
    org: Org, api_key: str, client: Client
) -> None:
    data = {
        "api_key": api_key,
        "service_code": "X-0001",
        "description": "失业金申领被退回",
        "phone": "13800001234",
        "address_string": "甲区人民路1号",
        "lat": "39.9",
        "long": "116.4",
    }
    first = client.post(f"{BASE}/requests.json", data).json()[0]["service_request_id"]
    again = client.post(f"{BASE}/requests.json", data).json()[0]["service_request_id"]
    assert first == again
    case = Case.objects.get(number=first)
    assert "甲区人民路1号" in case.description
    assert "39.9, 116.4" in case.description
    other = client.post(f"{BASE}/requests.json", {**data, "description": "另一件事"}).json()
    assert other[0]["service_request_id"] != first


def test_the_request_list_follows_the_specification_s_filters(
    org: Org, api_key: str, client: Client
) -> None:
    numbers = [
        client.post(
            f"{BASE}/requests.json",
            {"api_key": api_key, "service_code": code, "description": f"第{n}件"},
        ).json()[0]["service_request_id"]
        for n, code in enumerate(["X-0001", "Y-0001", "X-1-0001"])
    ]
    both = client.get(
        f"{BASE}/requests.json", {"api_key": api_key, "service_code": "X-0001,Y-0001"}
    ).json()
    assert {r["service_request_id"] for r in both} == set(numbers[:2])
    # service_request_id wins over the other parameters.
    chosen = client.get(
        f"{BASE}/requests.json",
        {"api_key": api_key, "service_request_id": numbers[2], "service_code": "X-0001"},
    ).json()
    assert [r["service_request_id"] for r in chosen] == [numbers[2]]
    # With no dates: the 90 days before now, so an old window shows nothing.
    old = client.get(
        f"{BASE}/requests.json", {"api_key": api_key, "end_date": "2020-01-01T00:00:00+08:00"}
    ).json()
    assert old == []
