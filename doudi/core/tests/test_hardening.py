"""Hardening: the content security policy, error pages without traces, and rate limits."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import include, path

from doudi.accounts.views import FAILURES_PER_IP
from doudi.core import ratelimit
from doudi.core.models import RateCounter

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def _crash(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("secret detail from deep inside")


@ratelimit.per_ip("probe", limit=2, period_seconds=60)
def _probe(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


urlpatterns = [path("crash/", _crash), path("probe/", _probe), path("", include("doudi.urls"))]


@pytest.mark.django_db
def test_every_page_carries_a_policy_without_inline_script(client: Client) -> None:
    policy = client.get("/accounts/login/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "unsafe-eval" not in policy
    assert client.get("/report/")["Content-Security-Policy"] == policy


# What the policy would block: a <script> with code in it (a JSON data block is not run), an
# on…= handler attribute, a <style> element, and htmx's evaluated attributes.
_INLINE = re.compile(
    r"<script(?![^>]*(\ssrc=|\stype=\"application/json\"))[^>]*>"
    r"|\son[a-z]+=\""
    r"|<style[\s>]"
    r"|\shx-on[:-]"
)


def test_no_template_holds_code_the_policy_would_block() -> None:
    offenders = [
        f"{template.relative_to(TEMPLATES)}:{number}: {line.strip()}"
        for template in sorted(TEMPLATES.rglob("*.html"))
        for number, line in enumerate(template.read_text().splitlines(), 1)
        if _INLINE.search(line)
    ]
    assert offenders == []


def test_the_pattern_would_notice_inline_code() -> None:
    assert _INLINE.search('<button onclick="go()">')
    assert _INLINE.search("<script>alert(1)</script>")
    assert _INLINE.search("<style>p {}</style>")
    assert not _INLINE.search('<script src="/static/x.js" defer></script>')
    assert not _INLINE.search('<script type="application/json" id="x">[]</script>')


@pytest.mark.django_db
def test_an_unknown_page_is_a_chinese_404_page(client: Client) -> None:
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "找不到页面" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_a_crash_shows_an_apology_never_a_trace(client: Client) -> None:
    client.raise_request_exception = False
    response = client.get("/crash/")
    body = response.content.decode()
    assert response.status_code == 500
    assert "系统出错了" in body
    assert "secret detail" not in body
    assert "Traceback" not in body


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_a_limited_view_answers_429_past_its_limit(client: Client) -> None:
    assert [client.get("/probe/").status_code for _ in range(3)] == [200, 200, 429]
    assert "尝试次数过多" in client.get("/probe/").content.decode()


@pytest.mark.django_db
def test_public_lookups_and_additions_count_against_the_address(client: Client) -> None:
    client.get("/report/items/?service_item=社保")
    client.post("/track/A-20260101-0001/info/", {"text": "补充"})
    keys = set(RateCounter.objects.values_list("key", flat=True))
    assert {"items:ip:127.0.0.1", "add-info:ip:127.0.0.1"} <= keys


@pytest.mark.django_db
def test_failed_logins_from_one_address_are_capped_across_user_names(client: Client) -> None:
    limit, _ = FAILURES_PER_IP
    for attempt in range(limit):
        response = client.post(
            "/accounts/login/", {"username": f"nobody{attempt}", "password": "wrong-password"}
        )
        assert response.status_code == 200
    response = client.post("/accounts/login/", {"username": "someone", "password": "x" * 12})
    assert response.status_code == 429
    assert "尝试次数过多" in response.content.decode()
