from __future__ import annotations

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client

from doudi.accounts.models import User
from doudi.accounts.roles import Role
from doudi.conftest import PASSWORD, Org, Personas


def test_the_login_page_is_in_chinese(client: Client, db: None) -> None:
    html = client.get("/accounts/login/").content.decode()
    assert "工作人员登录" in html
    assert "用户名" in html
    # The centre's address opens this page: a member of the public finds their pages from it.
    assert 'href="/report/"' in html
    assert 'href="/track/"' in html


def test_a_user_signs_in_and_lands_on_their_home(client: Client, people: Personas) -> None:
    response = client.post(
        "/accounts/login/", {"username": "clerk_a", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/"
    assert response.context["user"] == people.clerk_a


def test_a_wrong_password_gets_a_clear_chinese_message(client: Client, people: Personas) -> None:
    response = client.post("/accounts/login/", {"username": "clerk_a", "password": "wrong"})
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()


def test_repeated_failures_lock_the_account_even_with_the_right_password(
    client: Client, people: Personas
) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "clerk_a", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "clerk_a", "password": PASSWORD})
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_passwords_are_hashed_with_argon2(people: Personas) -> None:
    assert people.clerk_a.password.startswith("argon2")


def test_sessions_expire_after_inactivity_and_at_browser_close() -> None:
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True


def test_sign_out_ends_the_session(client_for, people: Personas) -> None:
    client = client_for(people.clerk_a)
    client.post("/accounts/logout/")
    assert client.get("/").status_code == 302


@pytest.mark.parametrize(
    ("role", "scope"),
    [
        (Role.CLERK, {}),
        (Role.HANDLER, {"centre": True}),
        (Role.LEADER, {"centre": True, "department": True}),
        (Role.ADMIN, {"department": True}),
    ],
)
def test_a_role_without_its_scope_is_refused(org: Org, role: Role, scope: dict[str, bool]) -> None:
    user = User(
        username="x",
        role=role,
        scope_centre=org.centre_a if scope.get("centre") else None,
        scope_department=org.dept_x if scope.get("department") else None,
    )
    with pytest.raises(ValidationError):
        user.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        user.save()


def test_only_the_admin_role_may_enter_the_admin_pages(client_for, people: Personas) -> None:
    assert client_for(people.clerk_a).get("/admin/").status_code == 302
    assert client_for(people.admin).get("/admin/").status_code == 200
