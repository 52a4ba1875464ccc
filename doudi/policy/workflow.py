"""Tracked policy issues (政策问题), as data.

    open ─> in progress ─> closed ─> (reopened) in progress
      └──────────────────────^

A case registered after its issue was closed and matching it is a recurrence (复发): it is
flagged on the issue and the case, and the owner decides whether to reopen; a recurrence never
reopens an issue by itself (one look-alike message is not proof that the fix failed).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from doudi.accounts.roles import Capability
from doudi.core.statetable import TableMove, guard, table


class IssueState(models.TextChoices):
    OPEN = "open", _("待研究")
    IN_PROGRESS = "in_progress", _("推进中")
    CLOSED = "closed", _("已解决")


class LinkKind(models.TextChoices):
    CLUSTER = "cluster", _("聚类")
    MANUAL = "manual", _("手动关联")
    RECURRENCE = "recurrence", _("复发")


ISSUE_MOVES = table(
    TableMove("start", _("开始推进"), frozenset({IssueState.OPEN}), IssueState.IN_PROGRESS,
              Capability.TRIAGE, needs_reason=False),
    TableMove("close", _("已解决，关闭"), frozenset({IssueState.OPEN, IssueState.IN_PROGRESS}),
              IssueState.CLOSED, Capability.TRIAGE),
    TableMove("reopen", _("重新推进"), frozenset({IssueState.CLOSED}), IssueState.IN_PROGRESS,
              Capability.TRIAGE),
)  # fmt: skip


def issue_guard(move_name: str, state: str, capabilities: frozenset[Capability]) -> TableMove:
    return guard(ISSUE_MOVES, move_name, state, capabilities, state_label=IssueState(state).label)
