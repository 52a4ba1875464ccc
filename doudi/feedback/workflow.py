"""Window ratings (好差评) and return visits (回访), as data.

A rating's life::

    valid (a good rating) ───────────────────────────────> excluded
    to_verify (差评) ─> confirmed ─┬─> appealed ─┬─> excluded (appeal upheld)
         │                         │             └─> confirmed (appeal rejected)
         └─────────────────────────┴──────────────> excluded (task force, with a reason)

A 差评 (the two lowest levels) opens a rectification case; it is verified within one working day
and fixed within the rectification tier's days. An excluded rating leaves the statistics, and
its rectification case, if still open, ends.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from doudi.accounts.roles import Capability
from doudi.core.statetable import TableMove, guard, table


class Level(models.IntegerChoices):
    """The national five levels of the 好差评 system."""

    VERY_SATISFIED = 5, _("非常满意")
    SATISFIED = 4, _("满意")
    BASICALLY_SATISFIED = 3, _("基本满意")
    DISSATISFIED = 2, _("不满意")
    VERY_DISSATISFIED = 1, _("非常不满意")


# 差评: the two lowest levels.
BAD_LEVELS = frozenset({Level.DISSATISFIED, Level.VERY_DISSATISFIED})


def is_bad(level: int) -> bool:
    return level in BAD_LEVELS


class Source(models.TextChoices):
    WINDOW = "window", _("窗口扫码评价")
    VISIT = "visit", _("回访评价")
    REPORTER = "reporter", _("短信链接评价")


class RatingState(models.TextChoices):
    VALID = "valid", _("有效")
    TO_VERIFY = "to_verify", _("待核实")
    CONFIRMED = "confirmed", _("核实属实")
    APPEALED = "appealed", _("申诉复核中")
    EXCLUDED = "excluded", _("已剔除")


RATING_MOVES = table(
    TableMove("verify", _("核实属实"), frozenset({RatingState.TO_VERIFY}),
              RatingState.CONFIRMED, Capability.TRIAGE, needs_reason=False),
    TableMove("exclude", _("剔除（恶意或误评）"),
              frozenset({RatingState.VALID, RatingState.TO_VERIFY, RatingState.CONFIRMED}),
              RatingState.EXCLUDED, Capability.TRIAGE),
    TableMove("appeal", _("申诉复核"), frozenset({RatingState.TO_VERIFY, RatingState.CONFIRMED}),
              RatingState.APPEALED, Capability.APPEAL),
    TableMove("uphold_appeal", _("申诉成立，剔除"), frozenset({RatingState.APPEALED}),
              RatingState.EXCLUDED, Capability.TRIAGE),
    TableMove("reject_appeal", _("申诉不成立"), frozenset({RatingState.APPEALED}),
              RatingState.CONFIRMED, Capability.TRIAGE),
)  # fmt: skip


def rating_guard(move_name: str, state: str, capabilities: frozenset[Capability]) -> TableMove:
    return guard(RATING_MOVES, move_name, state, capabilities, state_label=RatingState(state).label)


class Method(models.TextChoices):
    PHONE = "phone", _("电话")
    SMS = "sms", _("短信")
    ON_SITE = "on_site", _("上门/当面")


class VisitOutcome(models.TextChoices):
    OPEN = "", _("待回访")
    CLOSED = "closed", _("已解决，办结")
    REOPENED = "reopened", _("未解决或不满意，重新办理")
    UNREACHABLE = "unreachable", _("联系不上，办结")


# Three failed attempts close the visit as unreachable.
MAX_FAILED_ATTEMPTS = 3
# The return visit is due this many working days after the answer.
VISIT_WORKING_DAYS = 3
# A 差评 is verified within one working day.
VERIFY_WORKING_DAYS = 1


def visit_outcome(*, solved: bool, level: int) -> VisitOutcome:
    """Solved and not a 差评 closes the case; anything else reopens it."""
    return VisitOutcome.CLOSED if solved and not is_bad(level) else VisitOutcome.REOPENED
