"""Benchmark: the leaders' dashboard and a month's figures over a large case history.

Steps: a data directory (kept with --data-dir, so that the history is generated once) or the
given PostgreSQL database; migrate; the demo district; ``bench/bigdata.generate`` up to
--cases cases; the roll-up built once (``rollup.rebuild``: the generator writes past the
actions that keep it); then, signed in as the district leader and as a department leader, fetch the
dashboard page (this month) and last month's figures (the page with preset=last_month) --runs
times each through Django's test client, after one warm-up, and report the median and p95.
Results go to bench/results/dashboard-<database>.json.

    .venv/bin/python bench/dashboard.py [--cases 1000000] [--data-dir DIR]
    .venv/bin/python bench/dashboard.py --database-url postgres://postgres@127.0.0.1:5432/doudi_bench
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

from _env import use_environment

ROOT = Path(__file__).resolve().parent.parent


def _every_100k(done: int, total: int) -> None:
    if done % 100_000 < rollup_batch() or done == total:
        print(f"  {done:,} of {total:,}", flush=True)


def rollup_batch() -> int:
    from doudi.analytics.rollup import BATCH

    return BATCH


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--database-url", default="")
    parser.add_argument("--data-dir", default="")
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=20, help="0: prepare the data only")
    args = parser.parse_args()

    use_environment(args.database_url, args.data_dir)
    sys.path.insert(0, str(ROOT / "bench"))
    import django

    django.setup()
    from bigdata import generate
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from doudi.accounts.models import User
    from doudi.analytics import rollup
    from doudi.analytics.models import CaseDepartment, FigureSource
    from doudi.cases.models import Case
    from doudi.core.actions import demo_load

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    demo_load()
    have = Case.objects.count()
    generated = 0.0
    if have < args.cases:
        print(f"generating {args.cases - have:,} cases …")
        generated = generate(args.cases - have)
    rebuilt = 0.0
    covered = FigureSource.objects.filter(key__startswith="c").count()
    if generated or covered != Case.objects.count():
        # The generator writes rows in bulk, past the actions: the roll-up is built once.
        print("building the roll-up …")
        started = time.perf_counter()
        rollup.rebuild(progress=_every_100k)
        rebuilt = time.perf_counter() - started
    elif not CaseDepartment.objects.exists():
        # A roll-up built before CaseDepartment existed: fill it from the kept contributions.
        print("filling CaseDepartment …")
        started = time.perf_counter()
        rollup.rebuild_departments()
        rebuilt = time.perf_counter() - started
    if generated or rebuilt:
        # Statistics (and on PostgreSQL the visibility map for index-only scans), as the
        # autovacuum of a database that grew over years would have them.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    total = Case.objects.count()
    result: dict[str, object] = {
        "database": connection.vendor,
        "machine": f"{os.cpu_count()} cores",
        "date": time.strftime("%Y-%m-%d"),
        "cases": total,
        "generate_seconds": round(generated, 1),
        "rollup_rebuild_seconds": round(rebuilt, 1),
    }
    if not args.runs:
        print("prepared (--runs 0): nothing measured")
        return
    for username in ("leader", "leader_rs"):
        client = Client()
        client.force_login(User.objects.get(username=username))
        for name, query in (("dashboard_this_month", ""), ("month_figures", "?preset=last_month")):
            timings = []
            for run in range(args.runs + 1):
                started = time.perf_counter()
                response = client.get(f"/analytics/{query}")
                elapsed = (time.perf_counter() - started) * 1000
                assert response.status_code == 200, response.status_code
                if run:  # the first is a warm-up
                    timings.append(elapsed)
            timings.sort()
            p95 = timings[max(0, round(len(timings) * 0.95) - 1)]
            result[f"{username}_{name}_ms"] = {
                "median": round(statistics.median(timings), 1),
                "p95": round(p95, 1),
                "max": round(timings[-1], 1),
            }
            print(username, name, result[f"{username}_{name}_ms"])
    out = ROOT / "bench" / "results" / f"dashboard-{connection.vendor}.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
