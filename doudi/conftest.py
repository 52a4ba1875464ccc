"""Test personas, built once per test: two centres, two departments, one user per role.

centre A (district) ─ centre A1 (street)      centre B (another district)
department X ─ department X1 (child)           department Y
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from doudi.accounts.actions import user_create
from doudi.accounts.models import User
from doudi.accounts.roles import Role
from doudi.cases.actions import Intake, Reporter, case_register, case_send_to_triage
from doudi.cases.models import Case
from doudi.directory.models import Centre, Department, ServiceItem, Staff, Window
from doudi.triage.actions import triage_case, work_orders_issue
from doudi.triage.models import Cause

PASSWORD = "test-password-2026"


@dataclass
class Org:
    centre_a: Centre
    centre_a1: Centre
    centre_b: Centre
    dept_x: Department
    dept_x1: Department
    dept_y: Department
    window_a_x: Window
    window_a1_x1: Window
    window_a_y: Window
    window_b_y: Window
    staff_a_x: Staff
    staff_b_y: Staff
    staff_x_backoffice: Staff
    staff_y_backoffice: Staff
    item_x: ServiceItem
    item_x1: ServiceItem
    item_y: ServiceItem


@pytest.fixture
def org(db: None) -> Org:
    return build_org()


def build_org() -> Org:
    """The organisation of the personas (also for module-scoped worlds, outside a fixture)."""
    level = Centre.Level
    centre_a = Centre.objects.create(code="A", name="甲区政务服务中心", level=level.DISTRICT)
    centre_a1 = Centre.objects.create(
        code="A-1", name="甲区一街道中心", level=level.STREET, parent=centre_a
    )
    centre_b = Centre.objects.create(code="B", name="乙区政务服务中心", level=level.DISTRICT)
    dept_x = Department.objects.create(code="X", name="区人社局")
    dept_x1 = Department.objects.create(code="X-1", name="区社保中心", parent=dept_x)
    dept_y = Department.objects.create(code="Y", name="区市场监管局")
    window_a_x = Window.objects.create(
        centre=centre_a, number="01", name="社保窗口", department=dept_x
    )
    window_a1_x1 = Window.objects.create(
        centre=centre_a1, number="01", name="社保分窗口", department=dept_x1
    )
    window_a_y = Window.objects.create(
        centre=centre_a, number="02", name="企业开办", department=dept_y
    )
    window_b_y = Window.objects.create(
        centre=centre_b, number="01", name="企业开办", department=dept_y
    )
    return Org(
        centre_a=centre_a,
        centre_a1=centre_a1,
        centre_b=centre_b,
        dept_x=dept_x,
        dept_x1=dept_x1,
        dept_y=dept_y,
        window_a_x=window_a_x,
        window_a1_x1=window_a1_x1,
        window_a_y=window_a_y,
        window_b_y=window_b_y,
        staff_a_x=Staff.objects.create(
            employee_no="E1", name="张三", window=window_a_x, department=dept_x, phone="13800001111"
        ),
        staff_b_y=Staff.objects.create(
            employee_no="E2",
            name="李四",
            window=window_b_y,
            department=dept_y,
            phone="010-64010001",
        ),
        staff_x_backoffice=Staff.objects.create(employee_no="E3", name="王五", department=dept_x1),
        staff_y_backoffice=Staff.objects.create(employee_no="E4", name="赵六", department=dept_y),
        item_x=ServiceItem.objects.create(code="X-0001", name="失业保险金申领", department=dept_x),
        item_x1=ServiceItem.objects.create(
            code="X-1-0001", name="城乡居民养老保险参保登记", department=dept_x1
        ),
        item_y=ServiceItem.objects.create(
            code="Y-0001", name="个体工商户设立登记", department=dept_y
        ),
    )


@dataclass
class Personas:
    clerk_a: User
    clerk_b: User
    taskforce_a: User
    handler_x: User
    handler_y: User
    supervisor_a: User
    leader_a: User
    leader_x: User
    admin: User


@pytest.fixture
def people(org: Org) -> Personas:
    return build_people(org)


def build_people(org: Org) -> Personas:
    """One user per role (also for module-scoped worlds, outside a fixture)."""

    def make(name: str, role: Role, **scope: object) -> User:
        return user_create(actor=None, username=name, password=PASSWORD, role=role, **scope)  # type: ignore[arg-type]

    return Personas(
        clerk_a=make("clerk_a", Role.CLERK, scope_centre=org.centre_a),
        clerk_b=make("clerk_b", Role.CLERK, scope_centre=org.centre_b),
        taskforce_a=make("taskforce_a", Role.TASKFORCE, scope_centre=org.centre_a),
        handler_x=make("handler_x", Role.HANDLER, scope_department=org.dept_x),
        handler_y=make("handler_y", Role.HANDLER, scope_department=org.dept_y),
        supervisor_a=make("supervisor_a", Role.SUPERVISOR, scope_centre=org.centre_a),
        leader_a=make("leader_a", Role.LEADER, scope_centre=org.centre_a),
        leader_x=make("leader_x", Role.LEADER, scope_department=org.dept_x),
        admin=make("admin", Role.ADMIN),
    )


@pytest.fixture
def client_for(client: Client):  # type: ignore[no-untyped-def]
    """A test client signed in as the given user."""

    def signed_in(user: User) -> Client:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return signed_in


@pytest.fixture(autouse=True)
def _chinese_by_default() -> None:
    """Each test starts in Simplified Chinese: a request that switched to English must not
    leak its language into the next test's messages."""
    from django.utils import translation

    translation.activate("zh-hans")


# --- The demo district, loaded once per test module -----------------------------------------
@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[Any]:
    """The whole demo district (about 20 s to make through the actions), loaded once for a test
    module inside a transaction that is rolled back after it; each test of the module runs in a
    savepoint within it (the `db` fixture), so what one test changes the next does not see.
    The district stays until the module ends, so a module that uses it holds only demo tests."""
    from django.db import transaction

    from doudi.core.actions import demo_load

    with django_db_blocker.unblock(), transaction.atomic():
        yield demo_load()
        transaction.set_rollback(True)


# --- A case on the official 2026 calendar, through triage to issued work orders ------------
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime:
    """A moment in Beijing time, e.g. at("2026-02-12 15:00")."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=SHANGHAI)


@pytest.fixture
def general_cause(db: None) -> Cause:
    return Cause.objects.get(code="HARD-MATERIALS")


@pytest.fixture
def dispatched(org: Org, people: Personas, general_cause: Cause):  # type: ignore[no-untyped-def]
    """A case registered on Thursday 2026-02-12 15:00, triaged to X (lead) and Y (co), issued
    at 16:00 the same day; returns a function so tests can choose the mode."""

    def make(*, mode: str = "parallel", departments: tuple[str, ...] = ("X", "Y")) -> Case:
        with time_machine.travel(at("2026-02-12 15:00"), tick=False):
            case = case_register(
                actor=people.clerk_a,
                intake=Intake(
                    centre=org.centre_a,
                    channel="window",
                    title="养老保险参保登记被要求补交原单位证明",
                    description="原单位已注销，无法开具证明。",
                    reporter=Reporter(name="赵铁柱", phone="13800001234"),
                    service_item=org.item_x,
                ),
            )
            case_send_to_triage(actor=people.clerk_a, case_id=case.pk)
            depts = {"X": org.dept_x, "Y": org.dept_y, "X1": org.dept_x1}
            triage_case(
                actor=people.taskforce_a,
                case_id=case.pk,
                cause=general_cause,
                tier="general",
                departments=[depts[code] for code in departments],
                mode=mode,
            )
        with time_machine.travel(at("2026-02-12 16:00"), tick=False):
            work_orders_issue(actor=people.taskforce_a, case_ids=[case.pk])
        case.refresh_from_db()
        return case

    return make


@pytest.fixture
def answered(dispatched, people: Personas):  # type: ignore[no-untyped-def]
    """The dispatched case, with one work order (X), signed, solved and accepted on
    2026-02-24 15:00: answered, its return visit open and due 2026-02-27."""
    from doudi.workorders.actions import case_review, work_order_sign, work_order_submit
    from doudi.workorders.models import WorkOrder

    case = dispatched(departments=("X",))
    order = WorkOrder.objects.get(case=case)
    with time_machine.travel(at("2026-02-13 09:00"), tick=False):
        work_order_sign(actor=people.handler_x, work_order_id=order.pk)
    with time_machine.travel(at("2026-02-24 10:00"), tick=False):
        work_order_submit(
            actor=people.handler_x,
            work_order_id=order.pk,
            result_kind="solved",
            result="以注销证明替代原单位证明，已完成参保登记",
        )
    with time_machine.travel(at("2026-02-24 15:00"), tick=False):
        case_review(actor=people.taskforce_a, case_id=case.pk, accept=True)
    case.refresh_from_db()
    return case


@pytest.fixture
def immediate_huey() -> Iterator[None]:
    """Tasks run in the calling thread, and nothing reaches the queue."""
    from huey.contrib.djhuey import HUEY

    previous = HUEY.immediate
    HUEY.immediate = True
    yield
    HUEY.immediate = previous


# --- Browser tests: Debian's Chromium driven by Playwright ----------------------------------
CHROMIUM = os.environ.get("DOUDI_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(os.environ.get("DOUDI_SCREENSHOTS", "test-artifacts/screenshots"))


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium per test module (Playwright's own browser download is not used)."""
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # between page actions never run concurrently with it. Only for this module: left set, it
    # reached the production checks of later modules (check --deploy refuses it).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=CHROMIUM,
                args=[
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                ],
            )
            guarded = _PolicyGuard(chromium)
            yield guarded
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous
    if guarded.violations:
        pytest.fail("content security policy violations:\n" + "\n".join(guarded.violations))


class _PolicyGuard:
    """The browser, noting every content-security-policy violation any of its pages reports.

    The policy forbids inline script and <style>: a page that still has some works in tests
    only if nobody looks at the console, so the ``browser`` fixture fails on any violation.
    """

    def __init__(self, chromium: Any) -> None:
        self._chromium = chromium
        self.violations: list[str] = []

    def _watch(self, context: Any) -> Any:
        def note(message: Any) -> None:
            if "Content Security Policy" in message.text:
                self.violations.append(f"{message.location.get('url')}: {message.text}")

        context.on("page", lambda page: page.on("console", note))
        return context

    def new_context(self, **options: Any) -> Any:
        return self._watch(self._chromium.new_context(**options))

    def new_page(self, **options: Any) -> Any:
        return self.new_context(**options).new_page()


def sign_in(browser: Any, base: str, username: str) -> Any:
    """A desktop page signed in as a demo user (password: the demo password)."""
    from doudi.core.actions import DEMO_PASSWORD

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=home-title]")
    return page


def shot(page: Any, name: str) -> None:
    """Keep a full-page screenshot under DOUDI_SCREENSHOTS."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
