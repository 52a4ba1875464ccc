"""Benchmark: full-text search over the case list, and similar cases, over a million cases.

Steps: a data directory (kept with --data-dir, so that the history is generated once) or the
given PostgreSQL database; migrate; the demo district; ``bench/bigdata.generate`` up to
--cases cases (with the realistic text of ``bench/casetext.py``); the search index built once
with ``doudi search rebuild`` (the generator writes past the actions that keep it; it fills
the cases' recipients itself); ANALYZE. Then, signed in as the district leader (every case) and as a
department handler (RS: the cases of one department), fetch the case list (first page, newest
first, through Django's test client: the whole view) without a search, with a state or channel
filter, and with ``q`` for common words (社保, 户口), rarer words, several words and a phrase,
--runs times each after a warm-up; and call ``similar_cases`` (both scopes) for
--runs cases spread over the history. Median and p95 go to bench/results/search-<database>.json.

    .venv/bin/python bench/search.py --data-dir /tmp/benchsearch
    .venv/bin/python bench/search.py --database-url postgres://postgres@127.0.0.1:5432/doudi_search_bench
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _env import use_environment

ROOT = Path(__file__).resolve().parent.parent

QUERIES = {
    "no_query_baseline": [""],  # the list without a search, for comparison
    "common_two_chars": ["社保", "户口", "窗口", "材料"],
    "rarer_words": ["丧葬", "冷静期", "火化证明", "加装电梯", "契税"],
    "several_words": ["社保 断缴", "户口 迁入 结婚证", "营业执照 遗失 登报"],
    "phrase": ["养老保险关系转移接续", "异地就医备案"],
    "no_match": ["量子纠缠", '"*NEAR-'],
}

# The case list without a search, with the list's filters (issue 8: first page < 100 ms).
LIST_FILTERS = {
    "list_no_filter": [{}],
    "list_state_common": [{"state": "closed"}],
    "list_state_rare": [{"state": "in_progress"}, {"state": "review"}],
    "list_channel": [{"channel": "hotline"}, {"channel": "qr"}],
}


def _stats(timings: list[float]) -> dict[str, float]:
    timings = sorted(timings)
    p95 = timings[max(0, round(len(timings) * 0.95) - 1)]
    return {
        "median": round(statistics.median(timings), 1),
        "p95": round(p95, 1),
        "max": round(timings[-1], 1),
    }


def _time(fn: Callable[[], Any], runs: int) -> list[float]:
    timings = []
    for run in range(runs + 1):
        started = time.perf_counter()
        fn()
        elapsed = (time.perf_counter() - started) * 1000
        if run:  # the first is a warm-up
            timings.append(elapsed)
    return timings


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
    from doudi.cases.models import Case
    from doudi.core.actions import demo_load
    from doudi.search import actions, selectors
    from doudi.search.models import CaseIndex
    from doudi.triage.models import Cause

    # A history generated before the search app existed is indexed by the bulk path (its
    # tables without the data migration that indexes case by case).
    tables = connection.introspection.table_names()
    if Cause._meta.db_table not in tables:
        # A new database: everything (the search app's data migration finds no case).
        call_command("migrate", verbosity=0)
    elif CaseIndex._meta.db_table not in tables:
        # A history made before the search app: its tables without 0002 (which indexes case
        # by case); the bulk path below indexes it.
        call_command("migrate", "search", "0001", verbosity=0)
        call_command("migrate", "workorders", verbosity=0)  # the generator fills recipients
    call_command("collectstatic", interactive=False, verbosity=0)
    if not User.objects.filter(username="leader").exists():
        call_command("migrate", verbosity=0)
        demo_load()
    have = Case.objects.count()
    generated = 0.0
    if have < args.cases:
        print(f"generating {args.cases - have:,} cases …", flush=True)
        generated = generate(args.cases - have)
    rebuilt = 0.0
    if generated or CaseIndex.objects.count() != Case.objects.count():
        print("building the search index …", flush=True)
        started = time.perf_counter()
        actions.search_rebuild(progress=lambda done, total: print(f"  {done:,} of {total:,}"))
        rebuilt = time.perf_counter() - started
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    call_command("migrate", verbosity=0)  # 0002 finds every case indexed
    total = Case.objects.count()
    result: dict[str, Any] = {
        "database": connection.vendor,
        "machine": f"{os.cpu_count()} cores",
        "date": time.strftime("%Y-%m-%d"),
        "cases": total,
        "generate_seconds": round(generated, 1),
        "index_rebuild_seconds": round(rebuilt, 1),
        "index_size_mb": round(actions.index_size() / 1e6, 1),
    }
    print(json.dumps(result, ensure_ascii=False), flush=True)
    if not args.runs:
        print("prepared (--runs 0): nothing measured")
        return

    # How often the benchmark's words occur (what "common" and "rare" mean here).
    leader = User.objects.get(username="leader")
    everything = Case.objects.all()
    result["matches"] = {
        q: selectors.search_cases(everything, q).order_by().count()
        for group in QUERIES.values()
        for q in group
        if q
    }
    print(result["matches"], flush=True)
    for username in ("leader", "handler"):
        user = User.objects.filter(username=username).first()
        if user is None:
            continue
        client = Client()
        client.force_login(user)
        for group, filters in LIST_FILTERS.items():
            timings: list[float] = []
            for params in filters:

                def listed(params: dict[str, str] = params, client: Client = client) -> None:
                    response = client.get("/cases/", params)
                    assert response.status_code == 200, response.status_code

                timings += _time(listed, args.runs)
            result[f"{username}_{group}_ms"] = _stats(timings)
            print(username, group, result[f"{username}_{group}_ms"], flush=True)
        for group, queries in QUERIES.items():
            timings = []
            for q in queries:

                def fetch(q: str = q, client: Client = client) -> None:
                    response = client.get("/cases/", {"q": q} if q else {})
                    assert response.status_code == 200, response.status_code

                timings += _time(fetch, args.runs)
            result[f"{username}_list_q_{group}_ms"] = _stats(timings)
            print(username, group, result[f"{username}_list_q_{group}_ms"], flush=True)

    # Similar cases for cases spread over the history (the newest two thirds). "cold": the
    # first call for the case (its candidates' pages may not be in memory); "warm": the
    # second. Nothing is kept between calls: the terms' counts are read each time.
    rng = random.Random(3)
    top = Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    picks = [rng.randrange(top // 3, top + 1) for _ in range(args.runs + 1)]
    cases = list(Case.objects.filter(pk__in=picks).exclude(title="差评整改"))
    for scope in ("centre", "all"):
        cold: list[float] = []
        warm: list[float] = []
        found = 0
        for case in cases:
            for timings in (cold, warm):
                started = time.perf_counter()
                similar = selectors.similar_cases(leader, case, scope=scope)
                timings.append((time.perf_counter() - started) * 1000)
            found += bool(similar)
        result[f"similar_{scope}_cold_ms"] = _stats(cold)
        result[f"similar_{scope}_warm_ms"] = _stats(warm)
        result[f"similar_{scope}_found_for"] = f"{found} of {len(cases)}"
        print("similar", scope, "cold", result[f"similar_{scope}_cold_ms"], flush=True)
        print("similar", scope, "warm", result[f"similar_{scope}_warm_ms"], flush=True)
    out = ROOT / "bench" / "results" / f"search-{connection.vendor}.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
