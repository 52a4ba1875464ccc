"""Benchmark: exporting 100,000 cases to CSV and to XLSX (masked, as by default).

Runs on the history bench/dashboard.py generated (same --data-dir or --database-url). As the
district leader, it picks the most recent days that hold at least --rows received cases, asks
for the dashboard's "received" number of those days as an export (the same path as the
button), and times ``export_run`` in process: the query, decrypting and masking the personal
data, writing the file. Results go to bench/results/export-<database>.json.

    .venv/bin/python bench/export.py --data-dir DIR [--rows 100000]
    .venv/bin/python bench/export.py --database-url postgres://postgres@127.0.0.1:5432/doudi_bench
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
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    use_environment(args.database_url, args.data_dir)
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count
    from django.utils import timezone

    from doudi.accounts.models import User
    from doudi.cases.models import Case
    from doudi.exports.actions import export_request, export_run

    leader = User.objects.get(username="leader")
    today = timezone.localdate()
    per_day = dict(Case.objects.values_list("registered_day").annotate(n=Count("id")).order_by())
    start, total = today, 0
    while total < args.rows and start > today - timedelta(days=4 * 366):
        total += per_day.get(start, 0)
        start -= timedelta(days=1)
    params = {
        "metric": "received",
        "side": "num",
        "preset": "custom",
        "start": (start + timedelta(days=1)).isoformat(),
        "end": today.isoformat(),
    }
    result: dict[str, object] = {
        "database": connection.vendor,
        "machine": f"{os.cpu_count()} cores",
        "date": time.strftime("%Y-%m-%d"),
        "cases_in_database": Case.objects.count(),
    }
    for fmt in ("csv", "xlsx"):
        job = export_request(actor=leader, kind="drill", params=params, fmt=fmt)
        started = time.perf_counter()
        job = export_run(job.pk)
        seconds = time.perf_counter() - started
        assert job.status == "done", job.error
        result[f"{fmt}_rows"] = job.written
        result[f"{fmt}_seconds"] = round(seconds, 1)
        print(fmt, job.written, "rows", round(seconds, 1), "s")
    out = ROOT / "bench" / "results" / f"export-{connection.vendor}.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
