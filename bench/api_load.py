"""Benchmark: the JSON API under load, on the production server.

Steps: make a fresh data directory (and use the given PostgreSQL database, which should be
empty); migrate and load the demo district; make an integration token; start Granian through
`doudi serve` (DOUDI_WEB_WORKERS, DOUDI_WEB_THREADS); warm up; then with wrk (Debian package
`wrk`), on this same machine, 16 connections:
1. POST /api/v1/cases for --seconds, each request with its own Idempotency-Key
   (bench/api_post.lua): validation, encryption, the case, its event, audit and outbox rows;
2. GET /api/v1/cases?limit=50&state=registered (the first page with a filter) for --seconds,
   after an ANALYZE (as autovacuum would have run).
Prints and writes to bench/results/api-<database>.json requests/s and p50/p90/p99 latency, the
non-2xx count, the CPU milliseconds per request spent by the server, PostgreSQL and wrk,
and how many cases the database holds against how many POSTs wrk counted.

    .venv/bin/python bench/api_load.py [--seconds 30] [--connections 16]
        [--database-url postgres://postgres@127.0.0.1:5432/doudi_api_bench]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from doudi.core.management.commands.serve import WEB_THREADS, WEB_WORKERS

ROOT = Path(__file__).resolve().parent.parent
DOUDI = [sys.executable, "-m", "doudi"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def doudi_output(env: dict[str, str], *args: str) -> str:
    """Run ``doudi ARGS`` in ``env`` (checked); the last line it printed."""
    done = subprocess.run(
        [*DOUDI, *args], env=env, check=True, cwd=ROOT, capture_output=True, text=True
    )
    return done.stdout.strip().splitlines()[-1]


def wait_for_server(base: str, timeout: float = 60) -> None:
    """Until ``GET /healthz`` answers 200; RuntimeError after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{base} did not answer /healthz in {timeout:.0f} s") from None
            time.sleep(0.2)


# --- processes (also bench/soak.py) ---------------------------------------------------------------


def proc_stats() -> Iterator[tuple[int, str]]:
    """Each running process's id and /proc/PID/stat line."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                yield int(entry.name), (entry / "stat").read_text()
            except OSError:
                continue  # ended meanwhile


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
        return [int(p) for p in text.split()]
    except OSError:
        return [
            child for child, stat in proc_stats() if int(stat.rsplit(")", 1)[1].split()[1]) == pid
        ]


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def shared_servers_cpu() -> dict[str, float]:
    """CPU seconds so far of the PostgreSQL server (the postmaster with its ended children, as
    it reaped them, and the running ones) and of Redis, found by process name."""
    stats = {}
    for pid, text in proc_stats():
        name = text[text.index("(") + 1 : text.rindex(")")]
        fields = text.rsplit(")", 1)[1].split()
        stats[pid] = (name, int(fields[1]), [int(v) for v in fields[11:15]])
    tick = os.sysconf("SC_CLK_TCK")
    found: dict[str, float] = {}
    for _pid, (name, parent, (utime, stime, cutime, cstime)) in stats.items():
        if name == "postgres":
            # The postmaster (whose parent is not postgres) also carries the time of the
            # backends it reaped.
            postmaster = stats.get(parent, ("",))[0] != "postgres"
            own = utime + stime + (cutime + cstime if postmaster else 0)
            found["postgresql server"] = found.get("postgresql server", 0.0) + own / tick
        elif name == "redis-server":
            found["redis"] = found.get("redis", 0.0) + (utime + stime) / tick
    return found


def cpu_split(server_pid: int) -> dict[str, float]:
    """CPU seconds so far of the server (the process and its children: Granian's main process and
    workers) and of PostgreSQL."""
    server = [server_pid, *children(server_pid)]
    return {
        "server": sum(cpu_seconds(pid) for pid in server),
        "postgresql": shared_servers_cpu().get("postgresql server", 0.0),
    }


def wrk(
    url: str,
    *,
    seconds: int,
    connections: int,
    script: str = "",
    args: list[str] | None = None,
    header: str = "",
    server_pid: int = 0,
) -> dict[str, object]:
    """Run wrk; its figures, and with ``server_pid`` the CPU milliseconds per request that the
    server, PostgreSQL and wrk itself spent (two cores give 2,000 ms a second in all)."""
    command = [
        "wrk",
        f"-t{min(2, connections)}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "--timeout",
        "10s",
    ]
    if header:
        command += ["-H", header]
    if script:
        command += ["-s", script]
    command.append(url)
    if args:
        command += ["--", *args]
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    before = cpu_split(server_pid) if server_pid else {}
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    after = cpu_split(server_pid) if server_pid else {}
    done = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(out)

    def ms(label: str) -> float:
        found = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not found:
            raise RuntimeError(f"no {label}% line in wrk's output")
        value, unit = float(found.group(1)), found.group(2)
        return round(value / 1000 if unit == "us" else value * 1000 if unit == "s" else value, 1)

    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    spent = {name: after[name] - before[name] for name in after}
    spent["wrk"] = done.ru_utime + done.ru_stime - children.ru_utime - children.ru_stime
    return {
        "requests": requests,
        "requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        "p50_ms": ms("50"),
        "p90_ms": ms("90"),
        "p99_ms": ms("99"),
        "non_2xx": int(errors.group(1)) if errors else 0,
        "socket_errors": "Socket errors" in out,
        "cpu_ms_per_request": {
            name: round(seconds * 1000 / max(requests, 1), 2) for name, seconds in spent.items()
        }
        if server_pid
        else {},
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--database-url", default="")
    parser.add_argument(
        "--redis-url",
        default="",
        help="the scale-out mode's task queue and cache (e.g. redis://127.0.0.1:6379/14, "
        "flushed first); without it, the embedded SQLite queue and a per-process cache",
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk")

    data_dir = tempfile.mkdtemp(prefix="doudi-api-bench-")
    env = {**os.environ, "DOUDI_DATA_DIR": data_dir, "DOUDI_ENV": "development"}
    env.pop("REDIS_URL", None)
    if args.redis_url:
        import redis

        redis.Redis.from_url(args.redis_url).flushdb()
        env["REDIS_URL"] = args.redis_url
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    else:
        env.pop("DATABASE_URL", None)
    subprocess.run([*DOUDI, "setup", "-v", "0"], env=env, check=True, cwd=ROOT)
    subprocess.run([*DOUDI, "demo"], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    token = doudi_output(env, "token", "create", "--integration", "bench", "--centre", "SFQ")
    port = free_port()
    server = subprocess.Popen(
        [*DOUDI, "serve"],
        env={**env, "PORT": str(port)},
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    script = str(ROOT / "bench" / "api_post.lua")
    auth = f"Authorization: Bearer {token}"
    try:
        wait_for_server(base)
        wrk(base + "/api/v1/cases", seconds=3, connections=4, script=script, args=[token, "warm"])
        create = wrk(
            base + "/api/v1/cases",
            seconds=args.seconds,
            connections=args.connections,
            script=script,
            args=[token, str(int(time.time()))],
            server_pid=server.pid,
        )
        # The statistics of a database in service (autovacuum analyses the thousands of new
        # rows within a minute): without them the list plans for the demo's few hundred cases
        # and sorts every registered one (75 ms a page instead of 1).
        doudi_output(
            env,
            "shell",
            "-c",
            "from django.db import connection; connection.cursor().execute('ANALYZE'); print('ok')",
        )
        listing = wrk(
            base + "/api/v1/cases?limit=50&state=registered",
            seconds=args.seconds,
            connections=args.connections,
            header=auth,
            server_pid=server.pid,
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
    count = doudi_output(
        env,
        "shell",
        "-c",
        "from doudi.cases.models import Case; print(Case.objects.filter(channel='12345').count())",
    )
    result = {
        "benchmark": "JSON API under load (wrk on the same machine)",
        "database": "postgresql" if args.database_url else "sqlite",
        "task_queue": "redis" if args.redis_url else "sqlite",
        "connections": args.connections,
        "seconds": args.seconds,
        "web_workers": int(env.get("DOUDI_WEB_WORKERS", WEB_WORKERS)),
        "web_threads": int(env.get("DOUDI_WEB_THREADS", WEB_THREADS)),
        "create": create,
        "cases_stored_by_the_api": int(count),
        "list_first_page": listing,
        "machine": f"{os.cpu_count()} cores",
        "date": time.strftime("%Y-%m-%d"),
    }
    out = ROOT / "bench" / "results" / f"api-{result['database']}.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
