"""Demo ratings, return visits and accountability findings, on top of the demo cases.

Runs once (while there is no rating). Everything goes through the actions; the moments are
then moved into the past, as the demo cases' are.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from doudi.accountability.actions import finding_move, finding_record
from doudi.accountability.models import Finding, FindingEvent
from doudi.accounts.models import User
from doudi.cases.models import Case, CaseEvent
from doudi.deadlines.actions import clock_lateness
from doudi.deadlines.models import Clock, ClockKind
from doudi.directory.models import Staff, Window
from doudi.feedback.actions import (
    Scores,
    rating_move,
    rating_submit,
    visit_attempt_log,
    visit_conclude,
)
from doudi.feedback.models import Rating, RatingEvent, ReturnVisit, VisitAttempt
from doudi.feedback.workflow import Method, VisitOutcome

SEED = 2027
GOOD_COMMENTS = (
    "工作人员很耐心，一次就办好了",
    "指引清楚，材料一次讲明白",
    "",
    "",
    "效率高，不用跑第二趟",
    "态度很好，主动帮忙填表",
    "排队时间有点长，其他都满意",
)
BAD_RATINGS = (
    # (window number, level, comment, callback phone)
    ("05", 1, "窗口说材料不全让我回去补，问缺什么又讲不清楚，已经跑了三趟。", "13912340001"),
    ("03", 2, "工作人员一直在看手机，叫了两次才理我。", ""),
    ("06", 2, "要求提供服务指南里没有的房屋租赁备案证明。", "13912340002"),
)


def demo_feedback_load(*, now: datetime | None = None) -> int:
    """Ratings of the district's windows over 45 days, three 差评 of today (to verify,
    verified, appealed), concluded return visits of most answered cases, and findings."""
    if Rating.objects.exists() or not Case.objects.exists():
        return 0
    now = now or timezone.now()
    rng = random.Random(SEED)  # noqa: S311 - demo data, not security
    users = {u.username: u for u in User.objects.filter(username__in=DEMO_USERNAMES)}
    if len(users) < len(DEMO_USERNAMES):
        return 0
    windows = list(
        Window.objects.filter(is_active=True, centre__code="SFQ").select_related("centre")
    )
    staff = {s.pk: s for s in Staff.objects.filter(window__in=windows)}
    created = 0
    with transaction.atomic():
        created += _good_ratings(rng, now, windows, list(staff.values()))
        created += _bad_ratings(now, users)
        created += _visits(rng, now, users)
        created += _findings(users)
    return created


DEMO_USERNAMES = ("supervisor", "taskforce", "handler", "handler2")


def _handler_for(person: Staff, users: dict[str, User]) -> User | None:
    """The demo handler whose department covers ``person``'s, if any."""
    for name in ("handler", "handler2"):
        scope = users[name].scope_department
        if scope is not None and person.department.path.startswith(scope.path):
            return users[name]
    return None


def _good_ratings(
    rng: random.Random, now: datetime, windows: list[Window], staff: list[Staff]
) -> int:
    by_window: dict[int, list[Staff]] = {}
    for person in staff:
        by_window.setdefault(person.window_id or 0, []).append(person)
    moments = []
    for index in range(600):
        window = rng.choice(windows)
        level = rng.choices((5, 4, 3), weights=(62, 28, 10))[0]
        people = by_window.get(window.pk, [])
        rating = rating_submit(
            window=window,
            event_key=f"demo:{index}",
            scores=Scores(
                level=level,
                efficiency=level if rng.random() < 0.6 else None,
                attitude=min(5, level + rng.choice((0, 0, 1))) if rng.random() < 0.6 else None,
                professionalism=level if rng.random() < 0.5 else None,
            ),
            comment=rng.choice(GOOD_COMMENTS),
            staff=rng.choice(people) if people and rng.random() < 0.7 else None,
        )
        moments.append((rating.pk, _working_moment(rng, now, days=45)))
    for pk, moment in moments:
        Rating.objects.filter(pk=pk).update(rated_at=moment)
        RatingEvent.objects.filter(rating_id=pk).update(at=moment)
    return len(moments)


def _working_moment(rng: random.Random, now: datetime, *, days: int) -> datetime:
    while True:
        day = timezone.localtime(now) - timedelta(days=rng.randint(1, days))
        if day.weekday() < 5:
            return day.replace(hour=rng.randint(9, 16), minute=rng.randint(0, 59))


def _bad_ratings(now: datetime, users: dict[str, User]) -> int:
    created = 0
    for number, level, comment, phone in BAD_RATINGS:
        window = Window.objects.select_related("centre").get(centre__code="SFQ", number=number)
        person = Staff.objects.filter(window=window).order_by("employee_no").first()
        rating = rating_submit(
            window=window,
            event_key=f"demo:bad:{number}",
            scores=Scores(level=level, attitude=level),
            comment=comment,
            callback_phone=phone,
            staff=person,
        )
        created += 1
        if number == "03":
            rating_move(actor=users["taskforce"], rating_id=rating.pk, move_name="verify")
        elif number == "06":
            rating_move(
                actor=users["handler2"],
                rating_id=rating.pk,
                move_name="appeal",
                reason="该许可事项服务指南第5条列明需提供经营场所使用证明，租赁备案证明属其中一种，"
                "并非增设条件。附服务指南截图。",
            )
    return created


def _visits(rng: random.Random, now: datetime, users: dict[str, User]) -> int:
    """Most visits opened more than two days ago are concluded: solved and satisfied, a few
    reopened, one unreachable after three attempts; the recent ones stay in the queue."""
    supervisor = users["supervisor"]
    old = list(
        ReturnVisit.objects.filter(outcome=VisitOutcome.OPEN, opened_at__lt=now - timedelta(days=2))
        .select_related("case")
        .order_by("opened_at")
    )
    # Skip every sixth (left open: an overdue visit for the supervisor's queue); the two most
    # recent of the rest are found unsolved, today or yesterday, so they are back in triage.
    kept = [visit for index, visit in enumerate(old) if index % 6 != 5]
    reopened = {visit.pk for visit in kept[-2:]}
    done = 0
    for index, visit in enumerate(kept):
        moment = _office_hours(rng, visit.opened_at + timedelta(hours=rng.randint(20, 60)))
        if visit.pk in reopened or moment > now:
            moment = now - timedelta(minutes=rng.randint(20, 240))
        last_event = CaseEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        if index == 3:
            for attempt in range(3):
                visit_attempt_log(
                    actor=supervisor,
                    visit_id=visit.pk,
                    method=Method.PHONE,
                    reached=False,
                    note=("无人接听", "关机", "无人接听")[attempt],
                )
        elif visit.pk in reopened:
            visit_conclude(
                actor=supervisor,
                visit_id=visit.pk,
                solved=False,
                scores=Scores(level=2),
                comment="答复说可以办，但去了窗口还是要原单位证明，问题没有解决。",
            )
        else:
            level = rng.choices((5, 4, 3), weights=(55, 35, 10))[0]
            visit_conclude(
                actor=supervisor,
                visit_id=visit.pk,
                solved=True,
                scores=Scores(level=level),
                comment=rng.choice(("已经办好了，谢谢", "问题已解决", "")),
                method=rng.choice((Method.PHONE, Method.PHONE, Method.SMS)),
            )
        _redate_visit(visit, moment, last_event)
        done += 1
    return done


def _office_hours(rng: random.Random, moment: datetime) -> datetime:
    """The first weekday office-hours moment at or after ``moment`` (visits are made 9–17)."""
    local = timezone.localtime(moment)
    if local.hour >= 17:
        local = (local + timedelta(days=1)).replace(hour=9)
    elif local.hour < 9:
        local = local.replace(hour=9)
    while local.weekday() >= 5:
        local = (local + timedelta(days=1)).replace(hour=9)
    if local.hour == 9:
        local = local.replace(minute=rng.randint(0, 59))
    return local


def _redate_visit(visit: ReturnVisit, moment: datetime, last_event: int) -> None:
    ReturnVisit.objects.filter(pk=visit.pk).update(concluded_at=moment)
    VisitAttempt.objects.filter(visit=visit).update(at=moment)
    Rating.objects.filter(case_id=visit.case_id, event_key__endswith=f":{visit.round}").update(
        rated_at=moment
    )
    CaseEvent.objects.filter(case_id=visit.case_id, pk__gt=last_event).update(at=moment)
    Case.objects.filter(pk=visit.case_id, reopened_at__isnull=False).update(reopened_at=moment)
    for clock in Clock.objects.filter(
        case_id=visit.case_id, kind=ClockKind.VISIT, stopped_at__gt=moment
    ):
        clock.stopped_at = moment
        clock.late_working_days, clock.late_hours = clock_lateness(clock, moment)
        clock.save(update_fields=["stopped_at", "late_working_days", "late_hours"])


def _findings(users: dict[str, User]) -> int:
    """Findings on cases whose staff refused or added conditions (the 不给办 scenarios)."""
    supervisor = users["supervisor"]
    cases = list(
        Case.objects.filter(staff__isnull=False, centre__code="SFQ", description__contains="要求")
        .distinct()
        .order_by("registered_at")[:3]
    )
    kinds = ("conditions", "shifting", "attitude")
    created = 0
    for case, kind in zip(cases, kinds, strict=False):
        person = case.staff.order_by("employee_no").first()
        finding = finding_record(
            actor=supervisor,
            case_id=case.pk,
            kind=kind,
            evidence="经调取窗口录像并核对服务指南，窗口要求提供指南以外的材料，未一次性告知。",
            staff=person,
        )
        if created == 1:
            finding_move(
                actor=supervisor,
                finding_id=finding.pk,
                move_name="dismiss",
                reason="复核后确认系反映人误解，撤销认定。",
            )
        elif created == 2 and person is not None:
            appellant = _handler_for(person, users)
            if appellant is not None:
                finding_move(
                    actor=appellant,
                    finding_id=finding.pk,
                    move_name="appeal",
                    reason="当事人称已一次性告知所需材料，申请调取当日全部录像复核。",
                )
        created += 1
    moment = timezone.now() - timedelta(days=1)
    Finding.objects.update(recorded_at=moment)
    FindingEvent.objects.update(at=moment)
    return created
