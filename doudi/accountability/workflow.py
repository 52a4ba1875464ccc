"""Accountability findings (问责认定) about window staff, as data.

    recorded ─┬─> appealed ─┬─> upheld (申诉不成立, the finding stands)
              │             └─> dismissed (申诉成立, withdrawn)
              └─> dismissed (withdrawn by a supervisor)

A recorded or upheld finding counts on the staff member's and the window's record; an appealed
one is shown as pending.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from doudi.accounts.roles import Capability
from doudi.core.statetable import TableMove, guard, table


class FindingKind(models.TextChoices):
    SHIFTING = "shifting", _("推诿")
    ATTITUDE = "attitude", _("态度")
    EXTRA_CONDITIONS = "conditions", _("增设条件")
    OVERDUE = "overdue", _("超时")
    OTHER = "other", _("其他")


class FindingState(models.TextChoices):
    RECORDED = "recorded", _("已认定")
    APPEALED = "appealed", _("申诉中")
    UPHELD = "upheld", _("申诉不成立，维持认定")
    DISMISSED = "dismissed", _("已撤销")


# The states in which a finding counts against the staff member and the window.
COUNTING_STATES = frozenset({FindingState.RECORDED, FindingState.UPHELD})


FINDING_MOVES = table(
    TableMove("appeal", _("提出申诉"), frozenset({FindingState.RECORDED}),
              FindingState.APPEALED, Capability.APPEAL),
    TableMove("uphold", _("申诉不成立，维持认定"), frozenset({FindingState.APPEALED}),
              FindingState.UPHELD, Capability.SUPERVISE),
    TableMove("dismiss", _("撤销认定"), frozenset({FindingState.RECORDED, FindingState.APPEALED}),
              FindingState.DISMISSED, Capability.SUPERVISE),
)  # fmt: skip


def finding_guard(move_name: str, state: str, capabilities: frozenset[Capability]) -> TableMove:
    return guard(
        FINDING_MOVES, move_name, state, capabilities, state_label=FindingState(state).label
    )
