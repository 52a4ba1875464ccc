"""Two people act on one work order at the same moment, in real concurrent transactions: one
succeeds, the other is told the work order changed.

PostgreSQL only: there the row lock taken by the action is what serialises the two. The SQLite
test database is a shared-cache in-memory database whose table locks fail at once instead of
waiting, so it cannot stand in for the file database the embedded default runs on (where the
IMMEDIATE transactions queue writers one after another).
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from doudi.conftest import Personas
from doudi.workorders import actions
from doudi.workorders.models import WorkOrder, WorkOrderEvent


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent transactions")
def test_two_people_at_once_one_wins_one_gets_a_conflict(dispatched, people: Personas) -> None:
    case = dispatched(departments=("X",))
    order = WorkOrder.objects.get(case=case)
    version = order.version
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def sign() -> None:
        try:
            start.wait(timeout=10)
            actions.work_order_sign(actor=people.handler_x, work_order_id=order.pk, version=version)
            outcomes.append("signed")
        except actions.ConflictError as error:
            outcomes.append(f"conflict: {error}")
        finally:
            connection.close()

    def dispute() -> None:
        try:
            start.wait(timeout=10)
            actions.work_order_dispute(
                actor=people.handler_x, work_order_id=order.pk, reason="不属本部门", version=version
            )
            outcomes.append("disputed")
        except actions.ConflictError as error:
            outcomes.append(f"conflict: {error}")
        finally:
            connection.close()

    threads = [threading.Thread(target=sign), threading.Thread(target=dispute)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    winners = [o for o in outcomes if not o.startswith("conflict")]
    conflicts = [o for o in outcomes if o.startswith("conflict")]
    assert len(winners) == 1, outcomes
    assert len(conflicts) == 1, outcomes
    assert "刚被他人处理过" in conflicts[0]
    order.refresh_from_db()
    assert order.state == ("signed" if winners == ["signed"] else "disputed")
    assert order.version == version + 1
    assert (
        WorkOrderEvent.objects.filter(work_order=order, kind__in=["sign", "dispute"]).count() == 1
    )
