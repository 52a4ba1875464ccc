"""Triage a case (cause, tier, departments, package) and issue the day's work orders in a batch;
train the routing models and keep each case's suggestions with what the task force chose.

Issuing is where a case becomes work for departments: one work order per department (the lead
first), all at once when parallel (并联) or one after another when sequential (串联), each with
its sign-for and answer clocks; the triage clock stops and the reporter is told who handles it
and by when.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from doudi.cases.actions import case_event, case_move
from doudi.cases.models import Case, Channel
from doudi.cases.workflow import DomainError, State
from doudi.deadlines.actions import clock_stop, triage_clock_start
from doudi.deadlines.models import Clock, ClockKind, ClockState
from doudi.directory.models import Centre, Department
from doudi.lib import routing as learn
from doudi.triage import defaults, routing
from doudi.triage.models import (
    Cause,
    DailySummary,
    Mode,
    RoutingModel,
    RoutingSuggestion,
    RoutingTarget,
    SolutionPackage,
    Tier,
    TrainingExample,
    Triage,
    TriageDepartment,
)
from doudi.triage.selectors import tier_days
from doudi.workorders.actions import work_order_create
from doudi.workorders.models import WorkOrder

if TYPE_CHECKING:
    from doudi.accounts.models import User


def triage_case(
    *,
    actor: User,
    case_id: int,
    cause: Cause,
    tier: str = "",
    departments: Sequence[Department],
    mode: str = Mode.PARALLEL,
    package: SolutionPackage | None = None,
    instructions: str = "",
) -> Triage:
    """Record (or change, until issued) how a case is classified and where it goes. Without a
    ``tier``, the cause's own default tier (a 不给办 cause: 3 working days); only a tier the
    task force chose counts as taking a suggested one."""
    chose_tier = bool(tier)
    tier = tier or cause.default_tier
    if tier not in Tier.values:
        raise DomainError(_("请选择时限档次。"))
    if mode not in Mode.values:
        raise DomainError(_("请选择办理方式。"))
    if not departments:
        raise DomainError(_("请至少选择一个承办部门（主办）。"))
    if len({d.pk for d in departments}) != len(departments):
        raise DomainError(_("同一部门不能重复选择。"))
    if cause.parent_id is None and cause.children.filter(is_active=True).exists():
        raise DomainError(_("请选择具体的二级原因。"))
    with transaction.atomic():
        case = Case.objects.select_for_update().select_related("centre").get(pk=case_id)
        if case.state != State.TRIAGE:
            raise DomainError(_("案件不在待分拣状态。"))
        existing = Triage.objects.filter(case=case).first()
        if existing is not None and existing.issued_at is not None:
            raise DomainError(_("工作单已派发，不能再修改分拣。"))
        triage, _created = Triage.objects.update_or_create(
            case=case,
            defaults={
                "cause": cause,
                "tier": tier,
                "working_days": tier_days(case.centre, tier),
                "mode": mode,
                "package": package,
                "instructions": instructions.strip(),
                "triaged_by": actor,
                "triaged_at": timezone.now(),
            },
        )
        triage.targets.all().delete()
        TriageDepartment.objects.bulk_create(
            TriageDepartment(triage=triage, department=department, position=position)
            for position, department in enumerate(departments, 1)
        )
        case_event(
            case,
            "triaged",
            actor=actor,
            public=False,
            payload={
                "cause": str(cause),
                "tier": tier,
                "departments": [d.name for d in departments],
                "mode": mode,
            },
        )
        chosen: dict[str, str] = {
            RoutingTarget.DEPARTMENT: departments[0].code,
            RoutingTarget.CAUSE: cause.code,
        }
        if chose_tier:
            chosen[RoutingTarget.TIER] = tier
        _record_choice(case, chosen)
    return triage


def _record_choice(case: Case, chosen: dict[str, str]) -> None:
    """Mark which of the case's suggestions the task force took (one UPDATE)."""
    taken = models.Q()
    for target, label in chosen.items():
        taken |= models.Q(target=target, label=label)
    RoutingSuggestion.objects.filter(case=case).update(
        chosen=models.Case(models.When(taken, then=True), default=False)
    )


def triage_reopen(*, case: Case, now: datetime) -> None:
    """A case reopened after its return visit goes back to the task force: its triage may be
    changed and issued again, and the triage clock runs from the reopening."""
    Triage.objects.filter(case=case).update(issued_at=None)
    triage_clock_start(case=case, counted_from=now, now=now)


@dataclass
class IssueResult:
    issued: list[str] = field(default_factory=list)  # case numbers
    failed: list[tuple[str, str]] = field(default_factory=list)  # (case number, reason)
    work_orders: int = 0


def work_orders_issue(
    *, actor: User, case_ids: Sequence[int], now: datetime | None = None
) -> IssueResult:
    """Issue the work orders of triaged cases, one transaction per case, so that one case that
    cannot go out does not hold back the others."""
    result = IssueResult()
    for case_id in case_ids:
        try:
            number, count = _issue_one(actor=actor, case_id=case_id, now=now or timezone.now())
        except DomainError as error:
            found = Case.objects.filter(pk=case_id).values_list("number", flat=True).first()
            result.failed.append((found or str(case_id), str(error)))
        else:
            result.issued.append(number)
            result.work_orders += count
    return result


def _issue_one(*, actor: User, case_id: int, now: datetime) -> tuple[str, int]:
    with transaction.atomic():
        case = Case.objects.select_for_update().select_related("centre").get(pk=case_id)
        triage = Triage.objects.select_for_update().filter(case=case).first()
        if triage is None:
            raise DomainError(_("案件尚未分拣。"))
        if triage.issued_at is not None:
            raise DomainError(_("工作单已派发。"))
        targets = list(triage.targets.select_related("department"))
        sequential = triage.mode == Mode.SEQUENCE
        orders = [
            work_order_create(
                actor=actor,
                case=case,
                department=target.department,
                lead=position == 1,
                step=position if sequential else 1,
                open_now=not sequential or position == 1,
                instructions=triage.instructions,
                answer_days=triage.working_days,
                now=now,
            )
            for position, target in enumerate(targets, 1)
        ]
        triage.issued_at = now
        triage.save(update_fields=["issued_at"])
        clock_stop(kind=ClockKind.TRIAGE, case=case, now=now)
        lead = orders[0]
        due = timezone.localtime(lead.answer_due) if lead.answer_due else None
        case_move(
            case_id=case.pk,
            move_name="dispatch",
            actor=actor,
            payload={"work_orders": [o.number for o in orders]},
            notice={
                "departments": "、".join(t.department.name for t in targets),
                "expected_by": f"{due:%Y年%-m月%-d日}" if due else "",
                "provisional": lead.answer_due_provisional,
            },
        )
    return case.number, len(orders)


def daily_summary_make(*, day: date, now: datetime | None = None) -> list[DailySummary]:
    """The daily summary (日报) of ``day`` for each district centre (its whole subtree): cases
    registered, by cause and on the spot; work orders issued, by department; overdue work orders
    now. Made again, it replaces the day's summary."""
    now = now or timezone.now()
    made = []
    for centre in Centre.objects.filter(parent=None, is_active=True):
        cases = Case.objects.filter(centre__path__startswith=centre.path, registered_at__date=day)
        orders = WorkOrder.objects.filter(
            case__centre__path__startswith=centre.path, issued_at__date=day
        )
        overdue = Clock.objects.filter(
            case__centre__path__startswith=centre.path,
            work_order__isnull=False,
            state=ClockState.OVERDUE,
        )
        by_cause = (
            cases.filter(triage__isnull=False)
            .values("triage__cause__name")
            .annotate(n=Count("id"))
            .order_by("-n")
        )
        by_department = orders.values("department__name").annotate(n=Count("id")).order_by("-n")
        data = {
            "cases": cases.count(),
            "on_the_spot": cases.filter(state=State.RESOLVED_ON_SPOT).count(),
            "work_orders_issued": orders.count(),
            "overdue": overdue.count(),
            "by_cause": [{"name": r["triage__cause__name"], "n": r["n"]} for r in by_cause],
            "by_department": [{"name": r["department__name"], "n": r["n"]} for r in by_department],
        }
        summary, _created = DailySummary.objects.update_or_create(
            centre=centre, day=day, defaults={"made_at": now, "data": data}
        )
        made.append(summary)
    return made


def taxonomy_seed_defaults(*, using: str = "default") -> int:
    """Load DESIGN.md's cause taxonomy and the starter solution packages, once: nothing is
    added when any cause exists (admins own the taxonomy after that)."""
    if Cause.objects.using(using).exists():
        return 0
    created: dict[str, Cause] = {}
    for order, (code, name, parent, tier) in enumerate(defaults.CAUSES, 1):
        created[code] = Cause.objects.using(using).create(
            code=code,
            name=name,
            parent=created.get(parent) if parent else None,
            default_tier=tier,
            order=order,
        )
    SolutionPackage.objects.using(using).bulk_create(
        SolutionPackage(cause=created[cause], title=title, steps=steps)
        for cause, title, steps in defaults.PACKAGES
    )
    return len(created)


# --- routing: training and suggestions ------------------------------------------------------


def routing_import(*, examples: Sequence[learn.Example], source: str) -> int:
    """Keep imported historical messages as training examples; a message already imported
    (same title, body and label) is skipped. Returns how many were new."""
    by_code, by_name = routing.department_names()
    now = timezone.now()
    rows: dict[str, TrainingExample] = {}
    for example in examples:
        label = routing.department_label(example.label, by_code, by_name)
        digest = hashlib.sha256(
            "\x1f".join((example.title, example.body, label)).encode("utf-8")
        ).hexdigest()
        rows[digest] = TrainingExample(
            source=source[:200],
            title=example.title[:200],
            body=example.body,
            label=label[:100],
            digest=digest,
            imported_at=now,
        )
    with transaction.atomic():
        known = set(
            TrainingExample.objects.filter(digest__in=list(rows)).values_list("digest", flat=True)
        )
        TrainingExample.objects.bulk_create(
            [row for digest, row in rows.items() if digest not in known], batch_size=1000
        )
    return len(rows) - len(known)


@dataclass
class TrainResult:
    trained: list[RoutingModel] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)  # target -> examples (too few)


def routing_train(*, source: str = "history", targets: Sequence[str] | None = None) -> TrainResult:
    """Train a new version of each target's model from the settled cases (and, for the
    department, the imported history), where the history allows (routing.learnable).

    Steps: read the examples; segment each distinct text once; fit per target; store each
    model as the next version, which every process picks up within a minute."""
    history = routing.history_examples()
    history[RoutingTarget.DEPARTMENT] = history[RoutingTarget.DEPARTMENT] + (
        routing.imported_examples()
    )
    documents: dict[tuple[str, str], str] = {}
    result = TrainResult()
    for target in targets or RoutingTarget.values:
        examples = history[target]
        if not routing.learnable(examples):
            result.skipped[target] = len(examples)
            continue
        started = time.perf_counter()
        docs = []
        for e in examples:
            key = (e.title, e.body)
            if key not in documents:
                documents[key] = learn.document(e.title, e.body)
            docs.append(documents[key])
        model = learn.train(examples, documents=docs)
        result.trained.append(
            _keep_model(target, model, source=source, examples=len(examples), started=started)
        )
    return result


def _keep_model(
    target: str, model: learn.Model, *, source: str, examples: int, started: float
) -> RoutingModel:
    blob = routing.to_bytes(model)
    attempts = 0
    while True:
        newest = (
            RoutingModel.objects.filter(target=target)
            .order_by("-version")
            .values_list("version", flat=True)
            .first()
        )
        try:
            # (target, version) is unique: a training that finished at the same moment and
            # took this number makes this one take the next.
            with transaction.atomic():
                return RoutingModel.objects.create(
                    target=target,
                    version=(newest or 0) + 1,
                    trained_at=timezone.now(),
                    source=source[:200],
                    examples=examples,
                    labels=model.labels,
                    seconds=round(time.perf_counter() - started, 2),
                    blob=blob,
                )
        except IntegrityError:
            attempts += 1
            if attempts == 3:
                raise


def routing_retrain_if_due() -> TrainResult | None:
    """The nightly task: a new version when enough cases were answered since the last one (or
    when there is none yet and the history allows)."""
    last = RoutingModel.objects.order_by("-trained_at").values_list("trained_at", flat=True).first()
    if last is not None and routing.settled_since(last) < settings.DOUDI_ROUTING_RETRAIN_AFTER:
        return None
    return routing_train(source="history (nightly)")


def routing_suggest(*, case_id: int) -> list[RoutingSuggestion]:
    """Work out and keep the suggestions for a case waiting in triage, until it is triaged
    (replacing older ones: a newer model may have come)."""
    case = Case.objects.select_related("service_item__department").filter(pk=case_id).first()
    if case is None or case.state != State.TRIAGE:
        return []
    if case.channel == Channel.BAD_REVIEW:  # goes to the rated window's department by rule
        return []
    if Triage.objects.filter(case=case).exists():
        return []  # already triaged: its suggestions keep what the task force chose
    made = routing.suggest(case)
    now = timezone.now()
    with transaction.atomic():
        RoutingSuggestion.objects.filter(case_id=case_id).delete()
        return RoutingSuggestion.objects.bulk_create(
            RoutingSuggestion(
                case_id=case_id,
                target=s.target,
                rank=s.rank,
                label=s.label,
                confidence=s.confidence,
                model_id=s.model_id,
                made_at=now,
            )
            for s in made
        )
