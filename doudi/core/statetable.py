"""A small state table for records that move between a few states by named moves (a rating,
an accountability finding): who may make each move, from where, and whether it needs a
reason. Cases and work orders have their own, richer tables."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext as _

from doudi.accounts.roles import Capability
from doudi.core.errors import DomainError


@dataclass(frozen=True)
class TableMove:
    name: str
    label: str | Promise
    sources: frozenset[str]
    target: str
    capability: Capability
    needs_reason: bool = True


def table(*moves: TableMove) -> dict[str, TableMove]:
    return {move.name: move for move in moves}


def event_label(
    moves: Mapping[str, TableMove], kind: str, others: Mapping[str, str | Promise]
) -> str:
    """What an event of the record's log says in words: its move's label, else the label of
    one of the ``others`` (events that are not moves), else its kind."""
    move = moves.get(kind)
    return str(move.label if move is not None else others.get(kind, kind))


def guard(
    moves: Mapping[str, TableMove],
    name: str,
    state: str,
    capabilities: frozenset[Capability],
    *,
    state_label: str | Promise,
) -> TableMove:
    move = moves[name]
    if state not in move.sources:
        raise DomainError(
            _("当前为“%(state)s”，不能%(move)s。") % {"state": state_label, "move": move.label}
        )
    if move.capability not in capabilities:
        raise DomainError(_("您的角色不能进行此操作。"))
    return move


def moves_from(
    moves: Mapping[str, TableMove], state: str, capabilities: frozenset[Capability]
) -> list[TableMove]:
    return [m for m in moves.values() if state in m.sources and m.capability in capabilities]
