"""Registrations written together (``case_register`` through ``core.groupcommit``): a group
gives each case every row a registration alone gives it, and one bad case fails alone."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import replace

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from doudi.analytics.models import DirtySource
from doudi.analytics.rollup import case_key
from doudi.audit.models import AuditEntry
from doudi.cases import actions
from doudi.cases.actions import Intake, Reporter
from doudi.cases.models import Case, CaseEvent
from doudi.conftest import Org, Personas
from doudi.core.groupcommit import GroupCommit
from doudi.notify.models import Notification
from doudi.search.models import CaseIndex


def registration(org: Org, people: Personas, title: str, **intake: object) -> actions._Registration:
    return actions._Registration(
        actor=people.clerk_a,
        intake=Intake(
            centre=org.centre_a,
            channel="window",
            title=title,
            description=f"{title}，跑了两次都没办成。",
            **intake,  # type: ignore[arg-type]
        ),
        uploads=[],
        submission_key=f"key-{title}",
        at=timezone.now(),
    )


def test_a_group_gives_each_case_what_a_registration_alone_gives(
    org: Org, people: Personas
) -> None:
    group = [
        registration(
            org,
            people,
            "营业执照变更被退回",
            reporter=Reporter(name="李四", phone="13912345678", email="li@example.cn"),
            windows=[org.window_a_x],
            staff=[org.staff_a_x],
        ),
        registration(org, people, "社保转移接续办不成", reporter=Reporter(anonymous=True)),
        registration(
            org, people, "公积金提取被拒", reporter=Reporter(name="王五", phone="13800001111")
        ),
    ]
    cases = actions._register_together(group)

    titles = ["营业执照变更被退回", "社保转移接续办不成", "公积金提取被拒"]
    assert [case.title for case in cases] == titles
    stored = {case.pk: case for case in Case.objects.filter(pk__in=[c.pk for c in cases])}
    assert len(stored) == 3
    # Numbered in the group's order, one counter step for the three.
    sequence = [int(stored[case.pk].number.rsplit("-", 1)[1]) for case in cases]
    assert sequence == [sequence[0], sequence[0] + 1, sequence[0] + 2]
    for case in cases:
        assert stored[case.pk].state == "registered"
        assert stored[case.pk].submission_key == f"key-{case.title}"
        # Its register event, and that event in the audit log.
        (event,) = CaseEvent.objects.filter(case_id=case.pk)
        assert (event.kind, event.to_state, event.actor_id) == (
            "register",
            "registered",
            people.clerk_a.pk,
        )
        audit = AuditEntry.objects.get(action="case.register", object_id=str(case.pk))
        assert audit.detail == {"event": event.pk, "from": "", "to": "registered"}
        # Found by search at once, and marked for the figures.
        assert CaseIndex.objects.filter(case_id=case.pk, centre_id=org.centre_a.pk).exists()
        assert DirtySource.objects.filter(key=case_key(case.pk)).exists()
    # Only the first names a window and a staff member.
    first, anonymous, third = (stored[case.pk] for case in cases)
    assert list(first.windows.all()) == [org.window_a_x]
    assert list(first.staff.all()) == [org.staff_a_x]
    assert not anonymous.windows.exists()
    assert not third.staff.exists()
    # The reporters' notices: SMS and e-mail for the first, SMS for the third, none for the
    # anonymous one, each naming its own case.
    notices = sorted(
        Notification.objects.filter(case_id__in=stored).values_list("case_id", "channel")
    )
    assert notices == sorted([(first.pk, "sms"), (first.pk, "email"), (third.pk, "sms")])
    sms = Notification.objects.get(case_id=third.pk, channel="sms")
    assert third.number in sms.body
    assert third.query_code in sms.body
    assert sms.recipient == "13800001111"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent transactions")
def test_threads_at_once_are_written_together_and_a_bad_one_fails_alone(
    org: Org, people: Personas
) -> None:
    """Four registrations at once in one process: the first is written alone, the three that
    came while it was written go in one group; one of them repeats the first's key, so the
    group fails, is written again case by case, and only that one is refused."""
    gate, writing = threading.Event(), threading.Event()
    groups: list[int] = []

    def write(group: Sequence[actions._Registration]) -> list[Case]:
        groups.append(len(group))
        if len(groups) == 1:
            writing.set()
            assert gate.wait(timeout=10)
        return actions._register_together(group)

    commit: GroupCommit[actions._Registration, Case] = GroupCommit(write, most=8)
    first = registration(org, people, "第一件")
    jobs = [
        registration(org, people, "第二件"),
        replace(registration(org, people, "重复"), submission_key="key-第一件"),
        registration(org, people, "第三件"),
    ]
    outcomes: dict[str, object] = {}

    def run(job: actions._Registration) -> None:
        try:
            outcomes[job.intake.title] = commit.run(job).number
        except IntegrityError:
            outcomes[job.intake.title] = "refused"
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(first,))]
    threads[0].start()
    assert writing.wait(timeout=10)
    for job in jobs:
        threads.append(threading.Thread(target=run, args=(job,)))
        threads[-1].start()
    deadline = time.monotonic() + 10
    while commit.pending() < 3:
        assert time.monotonic() < deadline
        time.sleep(0.005)
    gate.set()
    for thread in threads:
        thread.join(timeout=30)

    assert groups[:2] == [1, 3]  # then the three again, one by one
    assert groups[2:] == [1, 1, 1]
    assert outcomes["重复"] == "refused"
    registered = dict(Case.objects.values_list("title", "number"))
    assert set(registered) == {"第一件", "第二件", "第三件"}
    assert {outcomes[title] for title in registered} == set(registered.values())
    assert CaseEvent.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_a_registration_joins_the_group_commit_unless_the_caller_holds_a_transaction(
    org: Org, people: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    run: list[str] = []
    real = actions._registrations.run

    def spy(job: actions._Registration) -> Case:
        run.append(job.intake.title)
        return real(job)

    monkeypatch.setattr(actions._registrations, "run", spy)
    intake = registration(org, people, "窗口外").intake
    case = actions.case_register(actor=people.clerk_a, intake=intake, submission_key="k1")
    assert run == ["窗口外"]
    assert Case.objects.get(pk=case.pk).number == case.number  # committed
    with transaction.atomic():  # e.g. a bad review becoming a case, in its own transaction
        inner = registration(org, people, "事务内").intake
        actions.case_register(actor=people.clerk_a, intake=inner, submission_key="k2")
    assert run == ["窗口外"]
    assert Case.objects.filter(title="事务内").exists()
