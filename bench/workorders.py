"""Benchmark: issuing 200 work orders in one batch, and one supervision sweep over 100,000 open
work orders.

Steps: a fresh data directory (and, with --database-url, that database, emptied first);
migrate; load the demo district and users; then
1. put 200 cases through triage to one department each and time ``work_orders_issue`` for the
   whole batch (200 work orders, 400 clocks, 200 case moves and notices);
2. bulk-load 100,000 open work orders with their sign-for and answer clocks (1% due for the
   first time now, 5% due soon, the rest later) and time one ``sweep``, then a second one
   (which must find nothing new).
Results go to bench/results/workorders-<database>.json.

    .venv/bin/python bench/workorders.py [--database-url postgres://…] [--open 100000]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from datetime import timedelta
from pathlib import Path

from _env import use_environment

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--database-url", default="")
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--open", type=int, default=100_000)
    args = parser.parse_args()

    use_environment(args.database_url)
    os.environ["DOUDI_HUEY_IMMEDIATE"] = "0"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if args.database_url:
        call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    result = {
        "database": connection.vendor,
        "machine": f"{os.cpu_count()} cores",
        "date": time.strftime("%Y-%m-%d"),
    }
    result.update(bench_batch_issue(args.batch))
    result.update(bench_sweep(args.open))
    out = ROOT / "bench" / "results" / f"workorders-{connection.vendor}.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False))


def bench_batch_issue(size: int) -> dict[str, object]:
    from doudi.accounts.models import User
    from doudi.cases.actions import Intake, Reporter, case_register, case_send_to_triage
    from doudi.core.actions import demo_load
    from doudi.directory.models import Centre, Department
    from doudi.triage.actions import triage_case, work_orders_issue
    from doudi.triage.models import Cause

    demo_load()
    clerk = User.objects.get(username="clerk")
    force = User.objects.get(username="taskforce")
    centre = Centre.objects.get(code="SFQ")
    departments = list(Department.objects.filter(parent=None))
    cause = Cause.objects.get(code="HARD-MATERIALS")
    ids = []
    for n in range(size):
        case = case_register(
            actor=clerk,
            intake=Intake(
                centre=centre,
                channel="window",
                title=f"基准案件 {n}",
                description="材料齐全仍被要求补交证明。",
                reporter=Reporter(name="测试", phone=f"1390001{n:04d}"),
            ),
        )
        case_send_to_triage(actor=clerk, case_id=case.pk)
        triage_case(
            actor=force,
            case_id=case.pk,
            cause=cause,
            tier="general",
            departments=[departments[n % len(departments)]],
        )
        ids.append(case.pk)
    started = time.perf_counter()
    issued = work_orders_issue(actor=force, case_ids=ids)
    seconds = time.perf_counter() - started
    assert issued.work_orders == size and not issued.failed, issued
    return {
        "batch_issue_work_orders": size,
        "batch_issue_seconds": round(seconds, 2),
        "batch_issue_ms_per_work_order": round(seconds * 1000 / size, 1),
    }


def bench_sweep(count: int) -> dict[str, object]:
    """Bulk-load ``count`` open work orders and time the sweep over them."""
    from django.utils import timezone

    from doudi.cases.models import Case
    from doudi.cases.workflow import State
    from doudi.deadlines.actions import sweep
    from doudi.deadlines.models import Clock, ClockKind, ClockState, Supervision
    from doudi.directory.models import Centre, Department
    from doudi.workorders.models import Role, WorkOrder
    from doudi.workorders.workflow import WorkOrderState

    now = timezone.now()
    centre = Centre.objects.get(code="SFQ")
    departments = list(Department.objects.all())
    template = Case.objects.order_by("pk").first()
    assert template is not None
    batch = 5000
    loaded = 0
    started = time.perf_counter()
    while loaded < count:
        size = min(batch, count - loaded)
        cases = Case.objects.bulk_create(
            [
                Case(
                    number=f"BENCH-{loaded + i:07d}",
                    centre=centre,
                    channel="window",
                    state=State.IN_PROGRESS,
                    title="基准工作单",
                    description="基准",
                    query_code=template.query_code,
                    registered_at=now - timedelta(days=3),
                )
                for i in range(size)
            ]
        )
        orders = WorkOrder.objects.bulk_create(
            [
                WorkOrder(
                    number=f"{case.number}-1",
                    case=case,
                    department=departments[i % len(departments)],
                    role=Role.LEAD,
                    state=WorkOrderState.SIGNED,
                    issued_at=now - timedelta(days=3),
                )
                for i, case in enumerate(cases)
            ]
        )
        clocks = []
        for i, order in enumerate(orders):
            n = loaded + i
            # 1% newly overdue, 5% due within the next day, the rest in a week.
            if n % 100 == 0:
                due = now - timedelta(hours=2)
            elif n % 100 < 6:
                due = now + timedelta(hours=12)
            else:
                due = now + timedelta(days=7)
            clocks.append(
                Clock(
                    kind=ClockKind.ANSWER,
                    case_id=order.case_id,
                    work_order=order,
                    counted_from=now - timedelta(days=3),
                    working_days=5,
                    due_at=due,
                    soon_at=due - timedelta(hours=24),
                    state=ClockState.ON_TIME,
                    started_at=now - timedelta(days=3),
                )
            )
        Clock.objects.bulk_create(clocks)
        loaded += size
    load_seconds = time.perf_counter() - started
    started = time.perf_counter()
    first = sweep()
    first_seconds = time.perf_counter() - started
    started = time.perf_counter()
    second = sweep()
    second_seconds = time.perf_counter() - started
    assert first.overdue >= count // 100, first
    assert second.overdue == 0 and second.supervisions == 0, second
    return {
        "sweep_open_work_orders": count,
        "sweep_load_seconds": round(load_seconds, 1),
        "sweep_first_seconds": round(first_seconds, 2),
        "sweep_first_overdue": first.overdue,
        "sweep_first_due_soon": first.due_soon,
        "sweep_supervisions": Supervision.objects.count(),
        "sweep_second_seconds": round(second_seconds, 3),
    }


if __name__ == "__main__":
    main()
