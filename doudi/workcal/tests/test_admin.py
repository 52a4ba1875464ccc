"""The admin pages: years and days listed, the import page for admins only."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from doudi.conftest import Personas
from doudi.workcal.models import CalendarDay, CalendarYear

IMPORT_URL = "/admin/workcal/calendaryear/import/"
ClientFor = Callable[..., Client]


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def test_the_year_list_shows_the_import_button_and_the_counts(
    people: Personas, client_for: ClientFor
) -> None:
    response = client_for(people.admin).get("/admin/workcal/calendaryear/")
    assert response.status_code == 200
    text = response.content.decode()
    assert IMPORT_URL in text
    assert "导入年度安排" in text
    assert "2026" in text


def test_the_day_list_is_read_only(people: Personas, client_for: ClientFor) -> None:
    client = client_for(people.admin)
    response = client.get("/admin/workcal/calendarday/?year=2026")
    assert response.status_code == 200
    assert "星期六" in response.content.decode()
    day = CalendarDay.objects.get(day=date(2026, 2, 14))
    page = client.get(f"/admin/workcal/calendarday/{day.pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert client.get("/admin/workcal/calendaryear/add/").status_code == 403


def test_an_admin_imports_a_year_through_the_page(
    people: Personas, client_for: ClientFor, example_json: bytes
) -> None:
    client = client_for(people.admin)
    assert client.get(IMPORT_URL).status_code == 200
    response = client.post(
        IMPORT_URL,
        {"file": upload("2027.json", example_json), "note": "示例"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/admin/workcal/calendaryear/"
    assert "已导入 2027 年安排" in response.content.decode()
    year = CalendarYear.objects.get(year=2027)
    assert (year.source, year.imported_by, year.note) == ("import", people.admin, "示例")


def test_the_page_lists_errors_by_line_and_imports_nothing(
    people: Personas, client_for: ClientFor
) -> None:
    content = b"date,kind\n2027-01-01,holiday\n2027-01-01,holiday\n2027-01-04,makeup\n"
    response = client_for(people.admin).post(
        IMPORT_URL, {"file": upload("2027.csv", content), "file_format": "csv"}
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "发现 2 处错误" in text
    assert "<td>3</td>" in text
    assert "<td>4</td>" in text
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_the_page_asks_for_a_format_it_cannot_guess(
    people: Personas, client_for: ClientFor
) -> None:
    response = client_for(people.admin).post(
        IMPORT_URL, {"file": upload("2027.txt", b"date,kind\n2027-01-01,holiday\n")}
    )
    assert response.status_code == 200
    assert "无法从扩展名判断格式" in response.content.decode()
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_other_roles_cannot_reach_the_import_page(
    people: Personas, client_for: ClientFor, example_json: bytes
) -> None:
    for user in (people.clerk_a, people.supervisor_a, people.leader_a, people.handler_x):
        client = client_for(user)
        assert client.get(IMPORT_URL).status_code == 302  # to the admin login
        response = client.post(IMPORT_URL, {"file": upload("2027.json", example_json)})
        assert response.status_code == 302
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_a_staff_user_who_is_not_an_admin_is_refused(
    people: Personas, client_for: ClientFor
) -> None:
    people.clerk_a.is_staff = True
    people.clerk_a.save(update_fields=["is_staff"])
    assert client_for(people.clerk_a).get(IMPORT_URL).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(db: None, client: Client) -> None:
    response = client.get(IMPORT_URL)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
