"""Benchmark: the API's case list at a million cases, on the production server, with wrk.

Runs on the data bench/search.py made (the demo district and bench/bigdata.py's history of
about a million cases, indexed): the same --data-dir, and --database-url for PostgreSQL.
Makes a token for the district leader (every case) and for the RS department handler (its
items' cases and those sent to it), starts ``doudi serve`` and fetches the first page (50
cases) of ``GET /api/v1/cases`` without a filter, with a state and with a channel, for
--seconds each, with one connection (the latency of one request) and with --connections
(the same 16 as the create benchmark). Results go to bench/results/api-list-<database>.json.

    .venv/bin/python bench/api_list.py --data-dir /tmp/benchsearch
    .venv/bin/python bench/api_list.py --data-dir /tmp/benchsearchpg \\
        --database-url postgres://postgres@127.0.0.1:5432/doudi_search_bench
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.api_load import DOUDI, doudi_output, free_port, wait_for_server, wrk  # noqa: E402

LISTS = {
    "no_filter": "/api/v1/cases?limit=50",
    "state": "/api/v1/cases?limit=50&state=closed",
    "channel": "/api/v1/cases?limit=50&channel=hotline",
}
READERS = {"leader": "leader", "department_handler": "handler"}
CLEAN_UP = (
    "from doudi.api.models import ApiToken; ApiToken.objects.filter(name='bench-list').delete()"
)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    env = {**os.environ, "DOUDI_DATA_DIR": args.data_dir, "DOUDI_ENV": "development"}
    env.pop("REDIS_URL", None)
    env.pop("DATABASE_URL", None)
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    tokens = {}
    for reader, username in READERS.items():
        tokens[reader] = doudi_output(
            env, "token", "create", "--user", username, "--name", "bench-list"
        )
    cases = doudi_output(
        env, "shell", "-c", "from doudi.cases.models import Case; print(Case.objects.count())"
    )
    port = free_port()
    server = subprocess.Popen(
        [*DOUDI, "serve"], env={**env, "PORT": str(port)}, cwd=ROOT,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    result: dict[str, object] = {
        "benchmark": "API case list, first page of 50 (wrk on the same machine)",
        "database": "postgresql" if args.database_url else "sqlite",
        "cases": int(cases),
        "seconds": args.seconds,
        "machine": f"{os.cpu_count()} cores",
        "date": time.strftime("%Y-%m-%d"),
    }
    try:
        wait_for_server(base)
        for reader, token in tokens.items():
            header = f"Authorization: Bearer {token}"
            for name, path in LISTS.items():
                wrk(base + path, seconds=2, connections=1, header=header)  # warm up
                for connections in (1, args.connections):
                    measured = wrk(
                        base + path, seconds=args.seconds, connections=connections, header=header
                    )
                    result[f"{reader}_{name}_c{connections}"] = measured
    finally:
        server.terminate()
        server.wait(timeout=30)
        subprocess.run(
            [*DOUDI, "shell", "-c", CLEAN_UP], env=env, check=False, cwd=ROOT, capture_output=True
        )
    out = ROOT / "bench" / "results" / f"api-list-{result['database']}.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
