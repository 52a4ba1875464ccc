"""Benchmark: the CPU one `POST /api/v1/cases` costs the server's Python, in process.

The load benchmark (bench/api_load.py) measures what a client sees, but on a shared 2-core
machine its figures move by a third from run to run. This one counts the process's own CPU time
(not wall time) over the same request, so that a change to the registration path can be judged
on its own: a fresh data directory (and the given PostgreSQL database, which should be empty),
the demo district, an integration token; then Django's test client posts --warm cases, and
--rounds times --creates cases, each with its own Idempotency-Key and the load benchmark's body.
Then --lists times the first page of the case list (`GET /api/v1/cases?limit=50&state=registered`).
Prints and writes to bench/results/api-cpu-<database>.json the CPU and wall milliseconds per
create of each round, the database statements per create, and the CPU milliseconds per page.

    .venv/bin/python bench/api_cpu.py [--creates 300] [--rounds 3]
        [--database-url postgres://postgres@127.0.0.1:5432/doudi_api_cpu] [--profile FILE]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import subprocess
import sys
import time
from pathlib import Path

from _env import use_environment

ROOT = Path(__file__).resolve().parent.parent
DOUDI = [sys.executable, "-m", "doudi"]


def prepare(args: argparse.Namespace) -> str:
    """Set up the data directory and database in this process's environment; the token."""
    use_environment(args.database_url)
    subprocess.run([*DOUDI, "setup", "-v", "0"], check=True, cwd=ROOT)
    subprocess.run([*DOUDI, "demo"], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    done = subprocess.run(
        [*DOUDI, "token", "create", "--integration", "cpu", "--centre", "SFQ"],
        check=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--creates", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warm", type=int, default=50)
    parser.add_argument("--lists", type=int, default=200)
    parser.add_argument("--database-url", default="")
    parser.add_argument(
        "--profile",
        default="",
        help="write a cProfile of the last round to this file (read it with pstats or snakeviz)",
    )
    args = parser.parse_args()
    token = prepare(args)

    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    client = Client()
    nonce = str(time.time())

    def post(n: int) -> None:
        body = {
            "centre": "SFQ",
            "channel": "12345",
            "title": f"压测案件 {nonce}-{n}",
            "description": "原单位已注销，窗口要求原单位证明，无法提供，已经跑了两次。",
            "service_item": "RS-SB-0001",
            "reporter": {"name": "测试人", "phone": "13900001234"},
        }
        response = client.post(
            "/api/v1/cases",
            json.dumps(body, ensure_ascii=False),
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": f"{nonce}-{n}"},
        )
        if response.status_code != 201:
            raise RuntimeError(f"create failed: {response.status_code} {response.content[:200]!r}")

    for n in range(args.warm):
        post(n)
    statements: list[str] = []

    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):  # the request resets connection.queries
        post(args.warm)
    rounds = []
    for r in range(args.rounds):
        profiler = cProfile.Profile() if args.profile and r == args.rounds - 1 else None
        cpu, wall = time.process_time(), time.perf_counter()
        if profiler:
            profiler.enable()
        for n in range(args.creates):
            post((r + 1) * 1_000_000 + n)
        if profiler:
            profiler.disable()
            profiler.dump_stats(args.profile)
        rounds.append(
            {
                "cpu_ms_per_create": round((time.process_time() - cpu) / args.creates * 1000, 2),
                "wall_ms_per_create": round((time.perf_counter() - wall) / args.creates * 1000, 2),
            }
        )
        print(rounds[-1], flush=True)
    page = "/api/v1/cases?limit=50&state=registered"
    auth = {"Authorization": f"Bearer {token}"}
    for _ in range(20):
        client.get(page, headers=auth)
    cpu = time.process_time()
    for _ in range(args.lists):
        if client.get(page, headers=auth).status_code != 200:
            raise RuntimeError("the list failed")
    list_ms = round((time.process_time() - cpu) / max(args.lists, 1) * 1000, 2)
    print({"list_cpu_ms_per_page": list_ms}, flush=True)
    result = {
        "benchmark": "CPU of one POST /api/v1/cases in process (Django test client)",
        "database": connection.vendor,
        "creates_per_round": args.creates,
        "rounds": rounds,
        "statements_per_create": len(statements),
        "statements": statements,
        "list_cpu_ms_per_page": list_ms,
        "date": time.strftime("%Y-%m-%d"),
    }
    out = ROOT / "bench" / "results" / f"api-cpu-{connection.vendor}.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
