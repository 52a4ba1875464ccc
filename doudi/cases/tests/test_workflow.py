from __future__ import annotations

import pytest

from doudi.accounts.roles import Capability, Role, capabilities_of
from doudi.cases.workflow import MOVES, OPEN_STATES, DomainError, State, guard, moves_from


def test_every_move_leads_from_known_states_to_a_known_state() -> None:
    for move in MOVES.values():
        assert move.target in State.values
        assert all(source in State.values or source == "" for source in move.sources)


def test_a_registered_case_can_be_settled_at_intake() -> None:
    clerk = capabilities_of(Role.CLERK)
    names = {move.name for move in moves_from(State.REGISTERED, clerk)}
    assert names == {
        "resolve_on_spot",
        "out_of_scope",
        "transfer",
        "send_to_triage",
        "withdraw",
        "merge",
    }


def test_it_refuses_a_move_from_the_wrong_state() -> None:
    with pytest.raises(DomainError, match="当场办结"):
        guard("resolve_on_spot", State.TRIAGE, capabilities=capabilities_of(Role.CLERK))


def test_it_refuses_a_role_without_the_capability() -> None:
    with pytest.raises(DomainError, match="角色"):
        guard("transfer", State.REGISTERED, capabilities=capabilities_of(Role.LEADER))


def test_the_reporter_may_only_register_and_withdraw() -> None:
    assert guard("withdraw", State.TRIAGE, capabilities=None).target == State.WITHDRAWN
    with pytest.raises(DomainError):
        guard("resolve_on_spot", State.REGISTERED, capabilities=None)


def test_withdrawn_and_merged_are_exits_from_every_open_state() -> None:
    for state in OPEN_STATES:
        assert guard("withdraw", state, capabilities=frozenset({Capability.CASE_REGISTER}))
        assert guard("merge", state, capabilities=frozenset({Capability.CASE_REGISTER}))
    with pytest.raises(DomainError):
        guard("withdraw", State.CLOSED, capabilities=frozenset({Capability.CASE_REGISTER}))


def test_an_unknown_move_is_refused() -> None:
    with pytest.raises(DomainError):
        guard("teleport", State.REGISTERED, capabilities=None)


def test_a_case_s_state_label_is_django_s_without_its_cost() -> None:
    from django.db.models import Field
    from django.utils import translation

    from doudi.cases.models import Case

    # Django's own get_FOO_display, for the comparison (the model's replaces it).
    field = Case._meta.get_field("state")
    assert isinstance(field, Field)
    for language in ("zh-hans", "en"):
        with translation.override(language):
            for value in [*State.values, "no-such-state"]:
                case = Case(state=value)
                assert case.get_state_display() == str(case._get_FIELD_display(field))
