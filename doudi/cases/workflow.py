"""The life of a case, as data: its states and the moves between them (DESIGN.md).

One table says which move goes from which states to which state, who may make it and whether
the reporter hears of it. ``guard`` is the one check every action makes before it moves a case.

    registered ─┬─> resolved on the spot ──────────┐
                ├─> out of scope ──────────────────┤
                ├─> transferred ───────────────────┤
                └─> triage ─> dispatched ─> in progress ─> answered ─┴─> return visit ─> closed
                      ^────────────── reopened (unsolved / unsatisfied) <──────────┘
    withdrawn, merged and (for a bad review found untrue) voided are exits from any open state
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from doudi.accounts.roles import Capability

# Every action raises it; cases' callers import it from here.
from doudi.core.errors import DomainError as DomainError


class State(models.TextChoices):
    REGISTERED = "registered", _("已登记")
    RESOLVED_ON_SPOT = "resolved_on_spot", _("当场办结")
    OUT_OF_SCOPE = "out_of_scope", _("不属于受理范围")
    TRANSFERRED = "transferred", _("已转办")
    TRIAGE = "triage", _("待分拣")
    DISPATCHED = "dispatched", _("已派单")
    IN_PROGRESS = "in_progress", _("办理中")
    REVIEW = "review", _("待审核")
    ANSWERED = "answered", _("已答复")
    RETURN_VISIT = "return_visit", _("回访中")
    CLOSED = "closed", _("已办结")
    WITHDRAWN = "withdrawn", _("已撤回")
    MERGED = "merged", _("已合并")


# Open: someone still has to act before the matter is settled.
OPEN_STATES = frozenset(
    {
        State.REGISTERED,
        State.TRIAGE,
        State.DISPATCHED,
        State.IN_PROGRESS,
        State.REVIEW,
        State.ANSWERED,
        State.RETURN_VISIT,
    }
)

# Answered: waiting for the return visit (回访), which closes or reopens the case.
VISIT_STATES = frozenset({State.ANSWERED, State.RETURN_VISIT})


@dataclass(frozen=True)
class Move:
    name: str
    label: str | Promise
    sources: frozenset[str]
    target: State
    # Staff need this capability; None means no staff move (register is special).
    capability: Capability | None
    # The reporter may make this move on their own case from the tracking page.
    reporter_may: bool = False
    # The template of the notice the reporter gets, if any.
    notice: str | None = None
    # Made with a button on the case page; False for moves that other apps' pages make.
    on_case_page: bool = True
    # The case leaves the workflow: its clocks stop and its open work orders are withdrawn.
    ends_work: bool = False


MOVES: dict[str, Move] = {
    move.name: move
    for move in (
        Move("register", _("登记"), frozenset({""}), State.REGISTERED, Capability.CASE_REGISTER,
             reporter_may=True, notice="case_registered", on_case_page=False),
        Move("resolve_on_spot", _("当场办结"), frozenset({State.REGISTERED}),
             State.RESOLVED_ON_SPOT, Capability.CASE_REGISTER, notice="case_resolved_on_spot"),
        Move("out_of_scope", _("不属于受理范围（一次性告知）"), frozenset({State.REGISTERED}),
             State.OUT_OF_SCOPE, Capability.CASE_REGISTER, notice="case_out_of_scope"),
        Move("transfer", _("转办"), frozenset({State.REGISTERED}), State.TRANSFERRED,
             Capability.CASE_REGISTER, notice="case_transferred"),
        Move("send_to_triage", _("转专班分拣"), frozenset({State.REGISTERED}), State.TRIAGE,
             Capability.CASE_REGISTER, notice="case_sent_to_triage"),
        # Triage and work orders (doudi.triage, doudi.workorders) make these moves.
        Move("dispatch", _("派发工作单"), frozenset({State.TRIAGE}), State.DISPATCHED,
             Capability.TRIAGE, notice="case_dispatched", on_case_page=False),
        Move("start", _("部门签收"), frozenset({State.DISPATCHED}), State.IN_PROGRESS,
             Capability.WORK_ORDER_HANDLE, on_case_page=False),
        Move("await_review", _("办理结果待审核"), frozenset({State.IN_PROGRESS}), State.REVIEW,
             Capability.WORK_ORDER_HANDLE, on_case_page=False),
        Move("accept", _("审核通过并答复"), frozenset({State.REVIEW}), State.ANSWERED,
             Capability.TRIAGE, notice="case_answered", on_case_page=False),
        Move("rework", _("退回重办"), frozenset({State.REVIEW}), State.IN_PROGRESS,
             Capability.TRIAGE, on_case_page=False),
        Move("back_to_triage", _("退回专班重新分拣"),
             frozenset({State.DISPATCHED, State.IN_PROGRESS}), State.TRIAGE, Capability.TRIAGE,
             on_case_page=False),
        # The return visit (doudi.feedback): by a supervisor, or by the reporter's own rating.
        Move("visit_start", _("开始回访"), frozenset({State.ANSWERED}), State.RETURN_VISIT,
             Capability.SUPERVISE, on_case_page=False),
        Move("close", _("回访办结"), VISIT_STATES, State.CLOSED, Capability.SUPERVISE,
             reporter_may=True, notice="case_closed", on_case_page=False),
        Move("close_unreachable", _("多次联系不上，办结"), VISIT_STATES, State.CLOSED,
             Capability.SUPERVISE, notice="case_closed_unreachable", on_case_page=False),
        Move("reopen", _("回访未解决，重新办理"), VISIT_STATES, State.TRIAGE, Capability.SUPERVISE,
             reporter_may=True, notice="case_reopened", on_case_page=False),
        # A bad review found malicious or mistaken: its rectification case ends.
        Move("void_rectification", _("差评不实，撤销整改"), OPEN_STATES, State.CLOSED,
             Capability.TRIAGE, on_case_page=False, ends_work=True),
        Move("withdraw", _("撤回"), OPEN_STATES, State.WITHDRAWN, Capability.CASE_REGISTER,
             reporter_may=True, notice="case_withdrawn", ends_work=True),
        Move("merge", _("合并到其他案件"), OPEN_STATES, State.MERGED, Capability.CASE_REGISTER,
             notice="case_merged", ends_work=True),
    )
}  # fmt: skip


def guard(move_name: str, state: str, *, capabilities: frozenset[Capability] | None) -> Move:
    """The move, if it may be made from ``state`` by someone holding ``capabilities``.

    ``capabilities`` None means the reporter. Raises DomainError otherwise.
    """
    move = MOVES.get(move_name)
    if move is None:
        raise DomainError(_("未知的操作。"))
    if state not in move.sources:
        current = State(state).label if state in State.values else state
        raise DomainError(
            _("案件当前状态为“%(state)s”，不能%(move)s。") % {"state": current, "move": move.label}
        )
    if capabilities is None and not move.reporter_may:
        raise DomainError(_("反映人不能进行此操作。"))
    if capabilities is not None and move.capability not in capabilities:
        raise DomainError(_("您的角色不能进行此操作。"))
    return move


def moves_from(state: str, capabilities: frozenset[Capability]) -> list[Move]:
    """The staff moves available from ``state``, for the case page's buttons."""
    return [
        move
        for move in MOVES.values()
        if state in move.sources and move.capability in capabilities and move.on_case_page
    ]
