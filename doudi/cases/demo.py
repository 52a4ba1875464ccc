"""Demo cases: about 300 realistic cases over the last 60 days, made through the case actions.

Every case is registered with ``case_register`` and moved with the workflow actions, so its
event rows, outbox notices and lookup hashes are exactly what real use would write. Only the
clock is moved afterwards: see ``demo_cases_load``.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from doudi.accounts.models import User
from doudi.cases import actions
from doudi.cases import demo_data as data
from doudi.cases.actions import Intake, Reporter
from doudi.cases.models import (
    Case,
    CaseEvent,
    CaseNumberCounter,
    Channel,
    ReporterKind,
    Urgency,
    registration_fields,
)
from doudi.cases.workflow import State
from doudi.deadlines.actions import clock_lateness, clock_redate, compute_due
from doudi.deadlines.models import Clock, ClockKind, ClockState
from doudi.directory import demo_data as directory_data
from doudi.directory.models import Centre, Department, ServiceItem, Staff, Window
from doudi.feedback.models import ReturnVisit
from doudi.lib.idcard import id_check_char
from doudi.lib.uscc import CHARSET, credit_code_check_char
from doudi.notify.models import Notification
from doudi.triage.actions import triage_case, work_orders_issue
from doudi.triage.models import Cause, SolutionPackage, Triage
from doudi.triage.selectors import tier_days
from doudi.workcal.selectors import work_calendar
from doudi.workorders.actions import (
    case_review,
    work_order_contact,
    work_order_sign,
    work_order_submit,
)
from doudi.workorders.models import (
    Contact,
    ContactMethod,
    ResultKind,
    WorkOrder,
    WorkOrderEvent,
)

SEED = 2026
DAYS = 60  # today and the 59 days before
BASE_CASES = 292
MERGES = 8  # later duplicates of open cases, merged into them: 300 cases in all
# Today's cases, by centre, so that every clerk's "today" cards show something.
TODAY_CENTRES = ("SFQ", "SFQ", "SFQ", "SFQ-HPL", "SFQ-HPL", "SFQ-JGM", "SFQ-DHM", "SFQ-HPL-01")
CENTRE_WEIGHTS = {
    "SFQ": 40,
    "SFQ-HPL": 16,
    "SFQ-JGM": 14,
    "SFQ-DHM": 14,
    "SFQ-HPL-01": 8,
    "SFQ-HPL-02": 8,
}
# Who makes the staff moves at each centre; the district task force is scoped to the whole tree.
CENTRE_ACTORS = {"SFQ": "clerk", "SFQ-HPL": "clerk_hpl"}
FALLBACK_ACTOR = "taskforce"
PUBLIC_CHANNELS = frozenset({Channel.ONLINE, Channel.QR})
WORKDAY_CHANNELS: dict[str, int] = {
    Channel.WINDOW: 45,
    Channel.HOTLINE: 20,
    Channel.ONLINE: 22,
    Channel.QR: 13,
}
WEEKEND_CHANNELS: dict[str, int] = {Channel.ONLINE: 75, Channel.HOTLINE: 25}
# Registration hours per channel, in minutes after midnight.
HOURS: dict[str, tuple[int, int]] = {
    Channel.WINDOW: (8 * 60 + 40, 17 * 60 + 20),
    Channel.QR: (8 * 60 + 40, 17 * 60 + 20),
    Channel.HOTLINE: (8 * 60 + 30, 17 * 60 + 30),
    Channel.ONLINE: (7 * 60, 23 * 60 + 30),
}
TRIPS = {1: "一趟", 2: "两趟", 3: "三趟", 4: "四趟"}
VISIT_WEIGHTS = (30, 35, 22, 13)  # 1, 2, 3, 4 visits
URGENCY_WEIGHTS: dict[str, int] = {Urgency.NORMAL: 90, Urgency.URGENT: 8, Urgency.VERY_URGENT: 2}
PHONE_BLOCKS = ("1380000", "1390000")  # placeholder blocks: 1380000xxxx, 1390000xxxx
# Cases sent to triage more than this many working days before now go on through the workflow.
TRIAGE_GOES_ON_AFTER = 2
# End states of the cases that go on, youngest first: (state, share).
FLOW_SHARES: tuple[tuple[str, float], ...] = (
    (State.DISPATCHED, 0.25),
    (State.IN_PROGRESS, 0.25),
    (State.REVIEW, 0.15),
    (State.ANSWERED, 0.35),
)
FLOW_OVERDUE_DISPATCHED = 3  # dispatched cases left unsigned past their sign-for deadline
# The demo handlers, by the top department of their scope: work orders go to these subtrees.
HANDLERS = {"RS": "handler", "SCJG": "handler2"}


@dataclass(frozen=True)
class _Step:
    """One move (or information added) at ``offset`` after registration."""

    move: str  # info, resolve_on_spot, out_of_scope, transfer, send_to_triage, withdraw, merge
    offset: timedelta
    by_reporter: bool = False
    text: str = ""
    extra: str = ""  # out_of_scope: where to go; transfer: the receiver's reference


@dataclass
class _Plan:
    centre: Centre
    channel: str
    scenario: data.Scenario
    title: str
    description: str
    reporter: Reporter
    visits: int
    urgency: str
    windows: list[Window]
    staff: list[Staff]
    registered_at: datetime
    occurred_at: datetime | None
    steps: list[_Step] = field(default_factory=list)
    merge_into: _Plan | None = None
    case_id: int | None = None
    flow: _Flow | None = None

    @property
    def final_state(self) -> str:
        for step in reversed(self.steps):
            if step.move != "info":
                return _STATE_AFTER[step.move]
        return State.REGISTERED

    @property
    def last_moment(self) -> datetime:
        last = self.registered_at + max((s.offset for s in self.steps), default=timedelta(0))
        return max(last, self.flow.moments[-1]) if self.flow else last


@dataclass
class _Flow:
    """Triage, issue, sign-for, result and review of a case sent to triage, up to ``end``.

    ``moments`` holds the planned times, in order: triaged, issued, then (as far as ``end``
    goes) signed, submitted, accepted; or, when ``rework``, signed, submitted and sent back for
    rework lately (a case in progress past its first answer deadline has a new one)."""

    end: str
    cause: str
    tier: str
    departments: list[Department]  # the lead first
    result: str
    legal_basis: str
    moments: list[datetime]
    rework: bool = False


_STATE_AFTER = {
    "resolve_on_spot": State.RESOLVED_ON_SPOT,
    "out_of_scope": State.OUT_OF_SCOPE,
    "transfer": State.TRANSFERRED,
    "send_to_triage": State.TRIAGE,
    "withdraw": State.WITHDRAWN,
    "merge": State.MERGED,
}


@dataclass
class _Directory:
    """The demo directory rows the generator draws from."""

    centres: dict[str, Centre]
    windows: dict[int, list[Window]]  # by centre id
    staff: dict[int, list[Staff]]  # by window id
    items: dict[str, ServiceItem]
    actors: dict[str, User]  # by centre code
    local: dict[int, list[data.Scenario]]  # scenarios a window of the centre serves, by centre id
    credit_codes: dict[str, str]  # by company name
    phones: Iterator[str]
    emails: Iterator[str]
    used: Counter[str] = field(default_factory=Counter)  # scenarios drawn so far, by title
    flow_users: dict[str, User] = field(default_factory=dict)  # taskforce and the handlers
    departments: dict[str, list[Department]] = field(default_factory=dict)  # by handler top


def demo_cases_load(*, now: datetime | None = None) -> int:
    """Create about 300 demo cases registered over the 60 days up to ``now``; returns how many.

    Does nothing (returns 0) when any case exists, or when the demo centres and users do not.

    Steps:
    1. Plan every case from ``random.Random(2026)``: day (weekdays weigh more, today always
       has some), centre, channel, scenario, reporter, windows and staff of that centre, the
       registration moment and the moves with their offsets, all at or before ``now``. A few
       later duplicates (same reporter phone, same service item) are planned for open cases.
    2. In chronological order, register each case and make its moves through the actions (a
       public channel registers with actor None; staff moves are made by the centre's demo
       user). The actions take today's numbers and the current time.
    3. Right after registering, give the case its historical number: the sequence per
       (centre, registration day) is counted here in chronological order, and the case's
       ``number`` and ``registered_at`` are updated, as is the provisional number in the
       registration notice. Later moves and merges therefore already quote the final number.
       The provisional number (today's counter, which only grows) is always above any final
       number of today given so far, so the two never collide.
    4. Move every event's ``at`` to its planned moment (register first, the moves minutes to
       days later, a merge's "merged_in" event on the target at the merge), and each case's
       ``updated_at`` to its last event: one bulk update each at the end.
    5. Count the running clocks (the triage clock of a case sent to triage) from the case's
       historical registration: the next sweep marks the late ones overdue.
    6. Replace the CaseNumberCounter rows of the demo centres from the first demo day on
       (including the real today, whose counter the actions advanced) with the counts of
       step 3, so that later registrations continue each day's sequence. No other case holds
       a number there: the load runs only while there is no case at all.

    The actions' notices stay in the outbox and are delivered after commit like any others.
    """
    if Case.objects.exists():
        return 0
    now = now or timezone.now()
    rng = random.Random(SEED)  # noqa: S311 - demo data, not security
    directory = _load_directory(rng)
    if directory is None:
        return 0
    plans = _plan_cases(rng, now, directory)
    with transaction.atomic():
        sequences: Counter[tuple[int, date]] = Counter()
        event_times: dict[int, datetime] = {}
        last_event = CaseEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        for plan in plans:
            last_event = _create(plan, directory, sequences, event_times, last_event)
        CaseEvent.objects.bulk_update(
            [CaseEvent(pk=pk, at=moment) for pk, moment in event_times.items()],
            ["at"],
            batch_size=500,
        )
        Case.objects.bulk_update(
            [Case(pk=plan.case_id, updated_at=plan.last_moment) for plan in plans],
            ["updated_at"],
            batch_size=500,
        )
        registered = {plan.case_id: plan.registered_at for plan in plans if not plan.flow}
        for clock in Clock.objects.filter(case_id__in=[pk for pk in registered if pk]):
            moment = registered[clock.case_id]
            clock_redate(clock=clock, counted_from=moment, started_at=moment)
        for plan in plans:
            if plan.flow is not None:
                _redate_flow(plan, plan.flow)
        first_day = min(timezone.localdate(now) - timedelta(days=DAYS), timezone.localdate())
        CaseNumberCounter.objects.filter(
            centre__in=directory.centres.values(), day__gte=first_day
        ).delete()
        CaseNumberCounter.objects.bulk_create(
            [
                CaseNumberCounter(centre_id=centre_id, day=day, last=last)
                for (centre_id, day), last in sorted(sequences.items())
            ]
        )
    return len(plans)


# --- Planning ------------------------------------------------------------------------------


def _load_directory(rng: random.Random) -> _Directory | None:
    codes = [code for code, *_ in directory_data.CENTRES]
    centres = {c.code: c for c in Centre.objects.filter(code__in=codes, is_active=True)}
    users = {
        u.username: u
        for u in User.objects.filter(
            username__in=[*CENTRE_ACTORS.values(), FALLBACK_ACTOR, *HANDLERS.values()],
            is_active=True,
        )
    }
    actors = {
        code: users[name]
        for code in centres
        if (name := CENTRE_ACTORS.get(code, FALLBACK_ACTOR)) in users
    }
    centres = {code: centre for code, centre in centres.items() if code in actors}
    if not centres:
        return None
    windows: dict[int, list[Window]] = {centre.pk: [] for centre in centres.values()}
    for window in Window.objects.filter(centre__in=centres.values(), is_active=True).select_related(
        "department"
    ):
        windows[window.centre_id].append(window)
    staff: dict[int, list[Staff]] = {}
    for person in Staff.objects.filter(window__centre__in=centres.values(), is_active=True):
        if person.window_id is not None:
            staff.setdefault(person.window_id, []).append(person)
    item_codes = [s.item for s in data.SCENARIOS if s.item]
    items = {
        i.code: i
        for i in ServiceItem.objects.filter(code__in=item_codes).select_related("department")
    }
    local = {
        centre_id: [
            s for s in data.SCENARIOS if s.item in items and _windows_for(s, items, centre_windows)
        ]
        for centre_id, centre_windows in windows.items()
    }
    credit_codes = {}
    for company in data.COMPANIES:
        body = data.CREDIT_CODE_PREFIX + "MA" + "".join(rng.choices(CHARSET, k=7))
        credit_codes[company] = body + credit_code_check_char(body)
    pool = [f"{block}{n:04d}" for block in PHONE_BLOCKS for n in range(1000, 10000)]
    phones = iter(rng.sample(pool, BASE_CASES + 20))
    emails = (f"reporter{n:03d}@example.com" for n in range(1, 1000))
    directory = _Directory(
        centres, windows, staff, items, actors, local, credit_codes, phones, emails
    )
    if all(name in users for name in (FALLBACK_ACTOR, *HANDLERS.values())):
        directory.flow_users = {name: users[name] for name in (FALLBACK_ACTOR, *HANDLERS.values())}
        for top in HANDLERS:
            directory.departments[top] = list(
                Department.objects.filter(Q(code=top) | Q(code__startswith=top + "-")).order_by(
                    "code"
                )
            )
    return directory


def _plan_cases(rng: random.Random, now: datetime, directory: _Directory) -> list[_Plan]:
    today = timezone.localdate(now)
    days = [today - timedelta(days=n) for n in range(1, DAYS)]
    day_weights = [
        (0.25 if day.weekday() >= 5 else 1.0) * (1.2 - 0.4 * n / DAYS)
        for n, day in enumerate(days, 1)
    ]
    centre_codes = list(directory.centres)
    centre_weights = [CENTRE_WEIGHTS.get(code, 8) for code in centre_codes]
    plans = [
        _plan_case(rng, now, directory, today, directory.centres[code])
        for code in TODAY_CENTRES
        if code in directory.centres
    ]
    while len(plans) < BASE_CASES:
        day = rng.choices(days, day_weights)[0]
        code = rng.choices(centre_codes, centre_weights)[0]
        plans.append(_plan_case(rng, now, directory, day, directory.centres[code]))
    targets = [
        p
        for p in plans
        if p.final_state in {State.REGISTERED, State.TRIAGE}
        and p.reporter.phone
        and not p.reporter.anonymous
        and (today - timezone.localdate(p.registered_at)).days >= 3
    ]
    for target in rng.sample(targets, min(MERGES, len(targets))):
        plans.append(_plan_duplicate(rng, now, target))
    plans.sort(key=lambda p: p.registered_at)
    _plan_flows(now, directory, plans)
    return plans


def _plan_flows(now: datetime, directory: _Directory, plans: list[_Plan]) -> None:
    """Plan triage and work orders for the cases sent to triage more than two working days
    before ``now``: the youngest stay dispatched, then in progress, in review, answered."""
    if not directory.flow_users or not all(directory.departments.values()):
        return
    rng = random.Random(SEED + 1)  # noqa: S311 - demo data; apart, so the cases stay the same
    calendar = work_calendar()
    today = timezone.localdate(now)
    going: list[tuple[datetime, _Plan]] = []
    for plan in plans:
        if plan.final_state != State.TRIAGE:
            continue
        sent = plan.registered_at + next(s.offset for s in plan.steps if s.move == "send_to_triage")
        if calendar.working_days_between(timezone.localdate(sent), today) > TRIAGE_GOES_ON_AFTER:
            going.append((sent, plan))
    going.sort(key=lambda pair: pair[0], reverse=True)
    ends: list[str] = []
    for state, share in FLOW_SHARES:
        ends += [state] * round(share * len(going))
    ends = (ends + [State.ANSWERED] * len(going))[: len(going)]
    dispatched = [n for n, end in enumerate(ends) if end == State.DISPATCHED]
    late = set(rng.sample(dispatched, min(FLOW_OVERDUE_DISPATCHED, len(dispatched))))
    for n, ((sent, plan), end) in enumerate(zip(going, ends, strict=True)):
        plan.flow = _plan_flow(rng, now, directory, plan, sent, end, late=n in late)


def _plan_flow(
    rng: random.Random,
    now: datetime,
    directory: _Directory,
    plan: _Plan,
    sent: datetime,
    end: str,
    *,
    late: bool,
) -> _Flow:
    causes = data.FLOW_CAUSES
    cause, _weight, tier, multi, result, basis = rng.choices(causes, [c[1] for c in causes])[0]
    item = directory.items.get(plan.scenario.item)
    code = item.department.code if item else ""
    top = next((t for t in HANDLERS if code == t or code.startswith(t + "-")), None)
    if item is not None and top is not None:
        lead = item.department
    else:  # not a matter of the demo handlers' departments: their top department leads
        top = rng.choice(sorted(HANDLERS))
        lead = directory.departments[top][0]
    departments = [lead]
    if multi:
        other = next(t for t in sorted(HANDLERS) if t != top)
        departments.append(rng.choice(directory.departments[other]))
    latest = now - timedelta(minutes=2)
    triaged = sent + _minutes(rng, 30, 5 * 60)
    issued = triaged + _minutes(rng, 10, 60)
    answer_due, _provisional = compute_due(
        plan.registered_at, tier_days(plan.centre, tier), at_noon=False
    )
    if end in (State.DISPATCHED, State.IN_PROGRESS) and answer_due <= now and tier == "general":
        tier = "complex"
        answer_due, _provisional = compute_due(
            plan.registered_at, tier_days(plan.centre, tier), at_noon=False
        )
    if end == State.DISPATCHED and not late:  # issued in the last working day's batch
        issued = max(issued, latest - _minutes(rng, 60, 20 * 60))
        triaged = max(issued - _minutes(rng, 10, 60), sent + timedelta(minutes=5))
    moments = [triaged, issued]
    if end != State.DISPATCHED:
        moments.append(issued + _minutes(rng, 40, 18 * 60))
    if end in (State.REVIEW, State.ANSWERED):
        span = max(answer_due - moments[-1], timedelta(hours=2))
        share = rng.uniform(1.05, 1.3) if rng.random() < 0.1 else rng.uniform(0.3, 0.95)
        moments.append(moments[-1] + span * share)
    rework = end == State.IN_PROGRESS and answer_due <= now + timedelta(hours=24) and not late
    if rework:
        moments.append(moments[-1] + (answer_due - moments[-1]) * rng.uniform(0.4, 0.95))
        moments.append(max(latest - _minutes(rng, 2 * 60, 30 * 60), moments[-1]))
    if end == State.ANSWERED:
        moments.append(moments[-1] + _minutes(rng, 60, 26 * 60))
    if moments[-1] > latest:  # squeeze, keeping the order, to end before now
        factor = (latest - sent) / (moments[-1] - sent)
        moments = [sent + (m - sent) * factor for m in moments]
    return _Flow(end, cause, tier, departments, result, basis, moments, rework)


def _plan_case(
    rng: random.Random, now: datetime, directory: _Directory, day: date, centre: Centre
) -> _Plan:
    today = timezone.localdate(now)
    closed = day.weekday() >= 5 and day != today
    channels = WEEKEND_CHANNELS if closed else WORKDAY_CHANNELS
    channel = rng.choices(list(channels), list(channels.values()))[0]
    if day == today and _midnight(day) + timedelta(minutes=HOURS[channel][0]) >= now:
        channel = Channel.ONLINE  # loaded before the centre opens: only the web form is open
    scenario = _pick_scenario(rng, directory, centre)
    reporter, company = _reporter(rng, directory, scenario, channel)
    visits = max(scenario.min_visits, rng.choices((1, 2, 3, 4), VISIT_WEIGHTS)[0])
    urgency: str = Urgency.NORMAL
    if channel not in PUBLIC_CHANNELS:
        urgency = rng.choices(list(URGENCY_WEIGHTS), list(URGENCY_WEIGHTS.values()))[0]
    windows, staff = _windows_and_staff(rng, directory, scenario, centre, channel)
    registered_at = _registration_moment(rng, day, channel, now)
    occurred_at = None
    if rng.random() < 0.6:
        occurred_at = registered_at - timedelta(minutes=rng.uniform(20, 10 * 24 * 60))
    plan = _Plan(
        centre=centre,
        channel=channel,
        scenario=scenario,
        title=scenario.title,
        description=scenario.description.format(trips=TRIPS[visits], company=company),
        reporter=reporter,
        visits=visits,
        urgency=urgency,
        windows=windows,
        staff=staff,
        registered_at=registered_at,
        occurred_at=occurred_at,
    )
    age = (today - day).days
    plan.steps = _fit(_steps(rng, scenario, channel, age), registered_at, now)
    plan.steps = [_with_reference(rng, step, registered_at) for step in plan.steps]
    return plan


def _pick_scenario(rng: random.Random, directory: _Directory, centre: Centre) -> data.Scenario:
    """Mostly a matter one of the centre's windows serves; some that are not matters at all.
    Scenarios used less so far are likelier, so that no story repeats too often."""
    roll = rng.random()
    if roll < 0.12:
        pool = [s for s in data.SCENARIOS if s.outcome in {data.OUT_OF_SCOPE, data.TRANSFER}]
    elif directory.local[centre.pk] and roll < 0.75:
        pool = directory.local[centre.pk]
    else:
        pool = list(data.SCENARIOS)
    scenario = rng.choices(pool, [1 / (1 + directory.used[s.title]) ** 2 for s in pool])[0]
    directory.used[scenario.title] += 1
    return scenario


def _reporter(
    rng: random.Random, directory: _Directory, scenario: data.Scenario, channel: str
) -> tuple[Reporter, str]:
    """The reporter, and the company named in the description (if any)."""
    company = rng.choice(data.COMPANIES) if scenario.company else ""
    email = next(directory.emails) if channel == Channel.ONLINE and rng.random() < 0.2 else ""
    if company and rng.random() < 0.85:
        return (
            Reporter(
                kind=ReporterKind.COMPANY,
                name=rng.choice(data.NAMES)[0],
                phone=next(directory.phones),
                email=email,
                company_name=company,
                credit_code=directory.credit_codes[company],
            ),
            company,
        )
    if channel != Channel.WINDOW and rng.random() < 0.1:
        phone = next(directory.phones) if rng.random() < 0.5 else ""
        return Reporter(anonymous=True, phone=phone), company
    name, sex = rng.choice(data.NAMES)
    id_number = ""
    if rng.random() < (0.6 if channel == Channel.WINDOW else 0.2):
        id_number = _id_number(rng, sex)
    return (
        Reporter(
            name=name,
            phone=next(directory.phones),
            id_number=id_number,
            email=email,
            confidential=rng.random() < 0.05,
        ),
        company,
    )


def _id_number(rng: random.Random, sex: str) -> str:
    born = date(1950, 1, 1) + timedelta(days=rng.randrange(55 * 365))
    sequence = rng.randrange(0, 999, 2) + (1 if sex == "M" else 0)  # odd: male, even: female
    body = f"{rng.choice(data.ID_REGIONS)}{born:%Y%m%d}{sequence:03d}"
    return body + id_check_char(body)


def _windows_for(
    scenario: data.Scenario, items: dict[str, ServiceItem], windows: list[Window]
) -> list[Window]:
    """The windows that serve the scenario's service item (same department, parent or child)."""
    item = items.get(scenario.item)
    if item is None:
        return []
    code = item.department.code
    return [
        w
        for w in windows
        if w.department.code == code
        or code.startswith(w.department.code + "-")
        or w.department.code.startswith(code + "-")
    ]


def _windows_and_staff(
    rng: random.Random,
    directory: _Directory,
    scenario: data.Scenario,
    centre: Centre,
    channel: str,
) -> tuple[list[Window], list[Staff]]:
    centre_windows = directory.windows[centre.pk]
    serving = _windows_for(scenario, directory.items, centre_windows)
    chance: dict[str, float] = {
        Channel.WINDOW: 0.9,
        Channel.QR: 1.0,
        Channel.HOTLINE: 0.4,
        Channel.ONLINE: 0.35,
    }
    window: Window | None = None
    if serving and rng.random() < chance[channel]:
        window = rng.choice(serving)
    elif channel in {Channel.WINDOW, Channel.QR} and centre_windows:
        window = centre_windows[0]  # the 办不成事 window, or the station's general window
    if window is None:
        return [], []
    people = directory.staff.get(window.pk, [])
    staff_chances: dict[str, float] = {Channel.WINDOW: 0.6, Channel.HOTLINE: 0.2}
    staff_chance = staff_chances.get(channel, 0.0)
    if people and (scenario.names_staff or rng.random() < staff_chance):
        return [window], [rng.choice(people)]
    return [window], []


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=timezone.get_current_timezone())


def _registration_moment(rng: random.Random, day: date, channel: str, now: datetime) -> datetime:
    midnight = _midnight(day)
    start, end = HOURS[channel]
    moment = midnight + timedelta(minutes=rng.uniform(start, end))
    latest = now - timedelta(minutes=5)
    if moment > latest:  # today, later than now: some time this morning instead
        earliest = midnight + timedelta(minutes=start)
        if earliest >= latest:
            earliest = midnight
        moment = earliest + max(latest - earliest, timedelta(0)) * rng.random()
    return moment


def _minutes(rng: random.Random, low: float, high: float) -> timedelta:
    return timedelta(minutes=rng.uniform(low, high))


def _steps(rng: random.Random, scenario: data.Scenario, channel: str, age: int) -> list[_Step]:
    """The moves after registration, oldest first, by what happened to the case."""
    at_desk = channel in {Channel.WINDOW, Channel.HOTLINE}
    steps: list[_Step] = []
    offset = timedelta(0)
    if rng.random() < 0.12:
        offset += _minutes(rng, 5, 30)
        steps.append(_Step("info", offset, text=rng.choice(data.STAFF_NOTES)))
    roll = rng.random()
    still_open = 0.45 if age <= 1 else 0.06
    if roll < still_open:
        if rng.random() < 0.3:
            offset += _minutes(rng, 120, 2 * 24 * 60)
            steps.append(
                _Step("info", offset, by_reporter=True, text=rng.choice(data.REPORTER_NOTES))
            )
        return steps
    if roll < still_open + 0.07:
        if rng.random() < 0.35:
            offset += _minutes(rng, 30, 6 * 60)
            steps.append(_Step("send_to_triage", offset, text=data.TRIAGE_NOTE))
        offset += _minutes(rng, 60, 4 * 24 * 60)
        by_reporter = rng.random() < 0.4
        reasons = data.REPORTER_WITHDRAW_REASONS if by_reporter else data.WITHDRAW_REASONS
        steps.append(_Step("withdraw", offset, by_reporter=by_reporter, text=rng.choice(reasons)))
        return steps
    if scenario.outcome == data.RESOLVE:
        offset += _minutes(rng, 10, 50) if at_desk else _minutes(rng, 30, 240)
        steps.append(_Step("resolve_on_spot", offset, text=scenario.text))
    elif scenario.outcome == data.OUT_OF_SCOPE:
        offset += _minutes(rng, 10, 40)
        steps.append(_Step("out_of_scope", offset, text=scenario.text, extra=scenario.where))
    elif scenario.outcome == data.TRANSFER:
        offset += _minutes(rng, 20, 180)
        steps.append(_Step("transfer", offset, text=scenario.text))
    else:
        offset += _minutes(rng, 30, 6 * 60)
        steps.append(_Step("send_to_triage", offset, text=scenario.text))
        if rng.random() < 0.25:
            offset += _minutes(rng, 24 * 60, 3 * 24 * 60)
            by_reporter = rng.random() < 0.7
            notes = data.REPORTER_NOTES if by_reporter else data.STAFF_NOTES
            steps.append(_Step("info", offset, by_reporter=by_reporter, text=rng.choice(notes)))
    return steps


def _fit(steps: list[_Step], registered_at: datetime, now: datetime) -> list[_Step]:
    """Squeeze the steps' offsets, keeping their order, so that the last is before ``now``."""
    last = max((s.offset for s in steps), default=timedelta(0))
    room = now - timedelta(minutes=1) - registered_at
    if not steps or last <= room:
        return steps
    factor = max(room, timedelta(0)) / last
    return [_Step(s.move, s.offset * factor, s.by_reporter, s.text, s.extra) for s in steps]


def _with_reference(rng: random.Random, step: _Step, registered_at: datetime) -> _Step:
    """A transfer's reference number at the receiver, as that receiver writes them."""
    if step.move != "transfer":
        return step
    day = timezone.localdate(registered_at + step.offset)
    reference = {
        "12345": f"GD{day:%Y%m%d}{rng.randrange(100000):05d}",
        "信访": f"XF{day:%Y%m%d}{rng.randrange(10000):04d}",
        "法院": f"（{day.year}）示民诉前调{rng.randrange(100, 3000)}号",
    }.get(step.text, "")
    return _Step(step.move, step.offset, step.by_reporter, step.text, reference)


def _plan_duplicate(rng: random.Random, now: datetime, target: _Plan) -> _Plan:
    """The same reporter reporting the same matter again, later and by phone or online."""
    latest = now - timedelta(hours=2)
    registered_at = min(target.last_moment + _minutes(rng, 120, 72 * 60), latest)
    registered_at = max(registered_at, target.registered_at + timedelta(hours=1))
    channel = rng.choice((Channel.HOTLINE, Channel.ONLINE))
    first = timezone.localdate(target.registered_at)
    description = (
        f"{first.month}月{first.day}日已经反映过这件事，到现在还没有结果，再反映一次。"
        + target.description
    )
    plan = _Plan(
        centre=target.centre,
        channel=channel,
        scenario=target.scenario,
        title=f"再次反映：{target.title}"[:100],
        description=description,
        reporter=target.reporter,
        visits=min(target.visits + 1, 4),
        urgency=Urgency.NORMAL,
        windows=list(target.windows),
        staff=[],
        registered_at=registered_at,
        occurred_at=target.occurred_at,
        merge_into=target,
    )
    plan.steps = [_Step("merge", _minutes(rng, 10, 90), text=data.MERGE_REASON)]
    return plan


# --- Creating ------------------------------------------------------------------------------


def _create(
    plan: _Plan,
    directory: _Directory,
    sequences: Counter[tuple[int, date]],
    event_times: dict[int, datetime],
    last_event: int,
) -> int:
    """Register the planned case, renumber it, make its moves; returns the last event id."""
    staff_actor = directory.actors[plan.centre.code]
    scenario = plan.scenario
    case = actions.case_register(
        actor=None if plan.channel in PUBLIC_CHANNELS else staff_actor,
        intake=Intake(
            centre=plan.centre,
            channel=plan.channel,
            title=plan.title,
            description=plan.description,
            reporter=plan.reporter,
            request=scenario.request,
            service_item=directory.items.get(scenario.item),
            matter_text="" if scenario.item in directory.items else scenario.matter,
            windows=plan.windows,
            staff=plan.staff,
            visits=plan.visits,
            urgency=plan.urgency,
            occurred_at=plan.occurred_at,
        ),
    )
    plan.case_id = case.pk
    day = timezone.localdate(plan.registered_at)
    sequences[(plan.centre.pk, day)] += 1
    number = f"{plan.centre.code}-{day:%Y%m%d}-{sequences[(plan.centre.pk, day)]:04d}"
    Case.objects.filter(pk=case.pk).update(number=number, **registration_fields(plan.registered_at))
    for notice in Notification.objects.filter(case_id=case.pk):
        notice.subject = notice.subject.replace(case.number, number)
        notice.body = notice.body.replace(case.number, number)
        notice.save(update_fields=["subject", "body"])
    last_event = _stamp(last_event, plan.registered_at, event_times)
    for step in plan.steps:
        _make(step, case.pk, plan, staff_actor)
        last_event = _stamp(last_event, plan.registered_at + step.offset, event_times)
    if plan.flow is not None:
        last_event = _run_flow(plan.flow, case.pk, directory, last_event, event_times)
    return last_event


def _run_flow(
    flow: _Flow,
    case_id: int,
    directory: _Directory,
    last_event: int,
    event_times: dict[int, datetime],
) -> int:
    """Triage and issue (the task force), sign for and submit (the handlers), accept (the task
    force), as far as the flow goes; the events get the planned moments."""
    taskforce = directory.flow_users[FALLBACK_ACTOR]
    cause = Cause.objects.get(code=flow.cause)
    triage_case(
        actor=taskforce,
        case_id=case_id,
        cause=cause,
        tier=flow.tier,
        departments=flow.departments,
        package=SolutionPackage.objects.filter(cause=cause, is_active=True).first(),
        instructions=data.FLOW_INSTRUCTIONS,
    )
    last_event = _stamp(last_event, flow.moments[0], event_times)
    issue = work_orders_issue(actor=taskforce, case_ids=[case_id])
    if issue.failed:
        raise ValueError(f"demo work orders not issued: {issue.failed}")
    last_event = _stamp(last_event, flow.moments[1], event_times)
    orders = list(WorkOrder.objects.filter(case_id=case_id).select_related("department"))
    orders.sort(key=lambda o: o.pk)
    if len(flow.moments) > 2:
        for index, order in enumerate(orders):
            handler = _handler(directory, order)
            work_order_sign(actor=handler, work_order_id=order.pk)
            if (case_id + index) % 7:  # most handlers call the reporter when they sign
                work_order_contact(
                    actor=handler,
                    work_order_id=order.pk,
                    method=ContactMethod.PHONE,
                    reached=True,
                    note=data.FLOW_CONTACT_NOTE,
                )
        last_event = _stamp(last_event, flow.moments[2], event_times)
    if len(flow.moments) > 3:
        kind = ResultKind.PARTLY if flow.legal_basis else ResultKind.SOLVED
        for order in reversed(orders):  # the co-handlers first, the lead last
            work_order_submit(
                actor=_handler(directory, order),
                work_order_id=order.pk,
                result_kind=kind,
                result=flow.result,
                legal_basis=flow.legal_basis,
            )
        last_event = _stamp(last_event, flow.moments[3], event_times)
    if len(flow.moments) > 4:
        note = data.FLOW_REWORK_NOTE if flow.rework else data.FLOW_REVIEW_NOTE
        case_review(actor=taskforce, case_id=case_id, accept=not flow.rework, reason=note)
        last_event = _stamp(last_event, flow.moments[4], event_times)
    return last_event


def _handler(directory: _Directory, order: WorkOrder) -> User:
    code = order.department.code
    top = next(t for t in HANDLERS if code == t or code.startswith(t + "-"))
    return directory.flow_users[HANDLERS[top]]


def _redate_flow(plan: _Plan, flow: _Flow) -> None:
    """Move the work orders, their events and the case's clocks to the planned moments."""
    case_id = plan.case_id
    if case_id is None:
        return
    triaged, issued = flow.moments[:2]
    later: list[datetime | None] = [*flow.moments[2:], None, None, None]
    signed, submitted, accepted = later[:3]
    reworked = accepted if flow.rework else None
    accepted = None if flow.rework else accepted
    registered = plan.registered_at
    Triage.objects.filter(case_id=case_id).update(triaged_at=triaged, issued_at=issued)
    orders = {o.pk: o for o in WorkOrder.objects.filter(case_id=case_id)}
    at = {
        "issue": issued,
        "sign": signed,
        "submit": submitted,
        "accept": accepted,
        "rework": reworked,
    }
    events = list(WorkOrderEvent.objects.filter(work_order__in=orders.values()))
    for event in events:
        event.at = at.get(event.kind) or (signed if event.kind == "contact" else None) or issued
    WorkOrderEvent.objects.bulk_update(events, ["at"])
    if signed is not None:
        Contact.objects.filter(work_order__in=orders.values()).update(at=signed)
    for clock in Clock.objects.filter(case_id=case_id).order_by("pk"):
        if clock.kind == ClockKind.TRIAGE:
            clock_redate(clock=clock, counted_from=registered, started_at=registered)
            _stopped(clock, issued)
        elif clock.kind == ClockKind.SIGN:
            clock_redate(clock=clock, counted_from=issued, started_at=issued)
            _stopped(clock, signed)
        elif clock.kind == ClockKind.ANSWER:
            if clock.state == ClockState.MET or reworked is None:
                clock_redate(clock=clock, counted_from=registered, started_at=issued)
                _stopped(clock, submitted)
            else:  # the new deadline after rework (a later clock: it wins below)
                clock_redate(clock=clock, counted_from=reworked, started_at=reworked)
            order = orders[clock.work_order_id] if clock.work_order_id else None
            if order is not None:
                order.answer_due, order.answer_due_provisional = clock.due_at, clock.provisional
        elif clock.kind == ClockKind.VISIT and accepted is not None:
            clock_redate(clock=clock, counted_from=accepted, started_at=accepted)
            ReturnVisit.objects.filter(case_id=case_id).update(opened_at=accepted)
            took = work_calendar().working_days_between(
                timezone.localdate(registered), timezone.localdate(accepted)
            )
            Case.objects.filter(pk=case_id).update(answered_at=accepted, answer_working_days=took)
    for order in orders.values():
        order.created_at = order.issued_at = issued
        order.signed_at = signed if order.signed_at else None
        order.submitted_at = submitted if order.submitted_at else None
    WorkOrder.objects.bulk_update(
        orders.values(),
        [
            "created_at",
            "issued_at",
            "signed_at",
            "submitted_at",
            "answer_due",
            "answer_due_provisional",
        ],
    )


def _stopped(clock: Clock, moment: datetime | None) -> None:
    """A met clock: stopped at ``moment``, and how late it was then."""
    if clock.state != ClockState.MET or moment is None:
        return
    clock.stopped_at = moment
    clock.late_working_days, clock.late_hours = clock_lateness(clock, moment)
    clock.save(update_fields=["stopped_at", "late_working_days", "late_hours"])


def _make(step: _Step, case_id: int, plan: _Plan, staff_actor: User) -> None:
    actor = None if step.by_reporter else staff_actor
    if step.move == "info":
        actions.case_add_info(case_id=case_id, text=step.text, actor=actor)
    elif step.move == "resolve_on_spot":
        actions.case_resolve_on_spot(actor=staff_actor, case_id=case_id, result=step.text)
    elif step.move == "out_of_scope":
        actions.case_mark_out_of_scope(
            actor=staff_actor, case_id=case_id, explanation=step.text, where_to_go=step.extra
        )
    elif step.move == "transfer":
        actions.case_transfer(
            actor=staff_actor, case_id=case_id, receiver=step.text, reference=step.extra
        )
    elif step.move == "send_to_triage":
        actions.case_send_to_triage(actor=staff_actor, case_id=case_id, note=step.text)
    elif step.move == "withdraw":
        actions.case_withdraw(actor=actor, case_id=case_id, reason=step.text)
    elif step.move == "merge" and plan.merge_into and plan.merge_into.case_id:
        actions.case_merge(
            actor=staff_actor,
            case_id=case_id,
            into_case_id=plan.merge_into.case_id,
            reason=step.text,
        )
    else:
        raise ValueError(f"unknown demo step {step.move!r}")


def _stamp(after: int, moment: datetime, event_times: dict[int, datetime]) -> int:
    """Give the events written since event id ``after`` the time ``moment``; returns the
    newest event id."""
    new = list(CaseEvent.objects.filter(pk__gt=after).values_list("pk", flat=True))
    for pk in new:
        event_times[pk] = moment
    return max(new, default=after)
