"""Routing suggestions: which department, cause and tier a case in triage probably needs.

The learning itself is ``doudi.lib.routing`` (pure). Here: where the examples come from (the
system's own settled cases and imported history), the versions kept as ``RoutingModel`` rows,
a per-process cache of the model in use, and the suggestions for one case, with the rule
fallback (the service item's department) when no model has been trained.

Labels: a department is named by its code (imported labels that name a department are stored
as its code); a label that names no department — an area such as 城乡建设 in imported data — is
suggested as text only. A cause is its code, a tier its value.
"""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from django.conf import settings

from doudi.cases.models import Case, Channel
from doudi.cases.workflow import State
from doudi.directory.models import Department
from doudi.lib import routing
from doudi.triage.models import Cause, RoutingModel, RoutingTarget, Tier, TrainingExample
from doudi.workorders.models import Role, WorkOrder
from doudi.workorders.workflow import WorkOrderState

# Cases whose routing was proved right: the department accepted and answered them.
SETTLED = (State.ANSWERED, State.RETURN_VISIT, State.CLOSED)
# A target is learnt only when the history allows: enough examples of at least two labels.
MIN_EXAMPLES = 20
MIN_PER_LABEL = 3
# How often a process looks for a newer version of the model it holds.
RECHECK_SECONDS = 60.0


@dataclass(frozen=True)
class Suggestion:
    target: str
    label: str
    confidence: float
    model_id: int | None  # None: the rule fallback
    rank: int = 1


class Ranked(Protocol):
    """A suggestion, made now or stored (``RoutingSuggestion``)."""

    @property
    def target(self) -> str: ...
    @property
    def label(self) -> str: ...
    @property
    def confidence(self) -> float: ...
    @property
    def model_id(self) -> int | None: ...


def case_text(case: Case) -> tuple[str, str]:
    """The title and body a model reads for a case: the title, then what happened and the
    request."""
    return case.title, "\n".join(part for part in (case.description, case.request) if part)


# --- examples -------------------------------------------------------------------------------


def history_examples(limit: int | None = None) -> dict[str, list[routing.Example]]:
    """Examples for every target from the settled cases, newest first (at most ``limit`` per
    target): the department that accepted the lead work order, and the triage's cause and tier.
    Rectifications (差评) are left out: they go to the rated window's department by rule."""
    limit = limit or settings.DOUDI_ROUTING_MAX_EXAMPLES
    rows = list(
        Case.objects.filter(state__in=SETTLED, triage__isnull=False)
        .exclude(channel=Channel.BAD_REVIEW)
        .order_by("-registered_at")
        .values_list(
            "pk", "title", "description", "request", "triage__cause__code", "triage__tier"
        )[:limit]
    )
    leads: dict[int, str] = dict(
        WorkOrder.objects.filter(
            case_id__in=[row[0] for row in rows],
            role=Role.LEAD,
            state=WorkOrderState.ACCEPTED,
        )
        .order_by("case_id", "created_at")
        .values_list("case_id", "department__code")
    )  # the latest accepted lead order of a case wins
    found: dict[str, list[routing.Example]] = {t: [] for t in RoutingTarget.values}
    for pk, title, description, request, cause, tier in rows:
        body = "\n".join(part for part in (description, request) if part)
        if pk in leads:
            found[RoutingTarget.DEPARTMENT].append(routing.Example(title, body, leads[pk]))
        found[RoutingTarget.CAUSE].append(routing.Example(title, body, cause))
        found[RoutingTarget.TIER].append(routing.Example(title, body, tier))
    return found


def imported_examples() -> list[routing.Example]:
    return [
        routing.Example(title, body, label)
        for title, body, label in TrainingExample.objects.order_by("pk").values_list(
            "title", "body", "label"
        )
    ]


def department_label(label: str, by_code: set[str], by_name: dict[str, str]) -> str:
    """An imported label as a department code where it names one (by code or name)."""
    label = label.strip()
    if label in by_code:
        return label
    return by_name.get(label, label)


def department_names() -> tuple[set[str], dict[str, str]]:
    departments = list(Department.objects.values_list("code", "name"))
    return {code for code, _name in departments}, {name: code for code, name in departments}


def learnable(examples: Sequence[routing.Example]) -> bool:
    counts: dict[str, int] = {}
    for example in examples:
        counts[example.label] = counts.get(example.label, 0) + 1
    enough = [label for label, n in counts.items() if n >= MIN_PER_LABEL]
    return len(examples) >= MIN_EXAMPLES and len(enough) >= 2


# --- the model in use -----------------------------------------------------------------------


def to_bytes(model: routing.Model) -> bytes:
    buffer = io.BytesIO()
    routing.save(model, buffer)
    return buffer.getvalue()


class _Cache:
    """The model in use per target, loaded once per process and version; a newer version is
    looked for at most every RECHECK_SECONDS."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.held: dict[str, tuple[int, RoutingModel, routing.Model]] = {}
        self.checked: dict[str, float] = {}

    def get(self, target: str) -> tuple[RoutingModel, routing.Model] | None:
        now = time.monotonic()
        with self.lock:
            held = self.held.get(target)
            if held is not None and now - self.checked.get(target, 0) < RECHECK_SECONDS:
                return held[1], held[2]
            newest = (
                RoutingModel.objects.filter(target=target)
                .order_by("-version")
                .values_list("pk", flat=True)
                .first()
            )
            self.checked[target] = now
            if newest is None:
                self.held.pop(target, None)
                return None
            if held is None or held[0] != newest:
                row = RoutingModel.objects.get(pk=newest)
                self.held[target] = (newest, row, routing.load(io.BytesIO(bytes(row.blob))))
            _pk, row, model = self.held[target]
            return row, model

    def clear(self) -> None:
        with self.lock:
            self.held.clear()
            self.checked.clear()


models_in_use = _Cache()


def suggest(case: Case, *, top: int = 3) -> list[Suggestion]:
    """Ranked suggestions for a case, per target. Without a department model the service
    item's department is the one suggestion (the rule fallback)."""
    title, body = case_text(case)
    return suggest_text(title, body, service_item_department=_item_department(case), top=top)


def suggest_text(
    title: str, body: str, *, service_item_department: str | None, top: int = 3
) -> list[Suggestion]:
    found: list[Suggestion] = []
    for target in RoutingTarget.values:
        in_use = models_in_use.get(target) if (title or body) else None
        if in_use is not None:
            row, model = in_use
            ranked = model.suggest(title, body, top=top)
            found.extend(
                Suggestion(target, label, confidence, row.pk, rank)
                for rank, (label, confidence) in enumerate(ranked, 1)
            )
        elif target == RoutingTarget.DEPARTMENT and service_item_department:
            found.append(Suggestion(target, service_item_department, 1.0, None))
    return found


def _item_department(case: Case) -> str | None:
    if case.service_item_id is None or case.service_item is None:
        return None
    return case.service_item.department.code


# --- showing labels -------------------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """A suggestion as the page shows it: its name, and the form value it stands for (None
    when the label names nothing in the form, e.g. an imported area)."""

    target: str
    label: str
    name: str
    value: str | None
    confidence: float
    by_rule: bool

    @property
    def percent(self) -> int:
        return round(self.confidence * 100)


def shown(suggestions: Iterable[Ranked]) -> list[Shown]:
    """Suggestions as the page shows them, in the order given, with names and form values
    resolved in two queries whatever their number."""
    items = list(suggestions)
    codes = {s.label for s in items if s.target == RoutingTarget.DEPARTMENT}
    departments = {
        code: (str(pk), name)
        for pk, code, name in Department.objects.filter(code__in=codes).values_list(
            "pk", "code", "name"
        )
    }
    codes = {s.label for s in items if s.target == RoutingTarget.CAUSE}
    causes = {
        c.code: (str(c.pk), str(c))
        for c in Cause.objects.filter(code__in=codes).select_related("parent")
    }
    tiers = {value: (value, str(name)) for value, name in Tier.choices}
    known: dict[str, dict[str, tuple[str, str]]] = {
        RoutingTarget.DEPARTMENT: departments,
        RoutingTarget.CAUSE: causes,
        RoutingTarget.TIER: tiers,
    }
    result = []
    for s in items:
        value, name = known[s.target].get(s.label, (None, s.label))
        result.append(Shown(s.target, s.label, name, value, s.confidence, s.model_id is None))
    return result


def settled_since(when: datetime) -> int:
    """Cases answered since a time: what a retraining would add."""
    return Case.objects.filter(
        state__in=SETTLED, triage__isnull=False, answered_at__gt=when
    ).count()
