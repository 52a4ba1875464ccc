"""Soak: cases through POST /api/v1/cases at a fixed rate for minutes, with dashboards polled.

Steps: a fresh data directory (and, for PostgreSQL, the database dropped and created again and
the Redis database flushed); `doudi setup` and `doudi demo`; an integration token (the
submitting system) and the district leader's own token; then the production processes as
`doudi run` starts them: `doudi serve` (Granian, DOUDI_WEB_WORKERS × DOUDI_WEB_THREADS) and
`doudi worker` (Huey), with DOUDI_ENV=production (keys and secret given, HTTPS on, as behind a
TLS proxy: the client sends X-Forwarded-Proto: https). Then, from this process (asyncio, HTTP/1.1
keep-alive, at most --connections requests in flight):

- creates on a fixed schedule (open loop): request i is due at start + i / --rate whether or
  not earlier ones have answered, with its own Idempotency-Key and varied text (bench/casetext.py),
  service items and reporters; latency is counted from the time it was due, so time spent
  waiting for a free connection is in it;
- every --poll-seconds, the leader (session: home page, /analytics/, /cases/), the task force
  (session: home page, /cases/, /triage/) and the leader's token (/api/v1/metrics) fetch their
  pages, one after the other as a person would;
- every --sample-seconds, the resident memory (VmRSS from /proc) of the web server's main
  process, each web worker and the task worker; the cases stored, the outbox's pending messages, the
  task queue's length and the database's size (SQLite: the files and the WAL).

Any answer that is not 2xx, a timeout (--timeout) or a connection error is an error. After the
load, waits (up to 2 minutes) until no more cases arrive (the server may still be working on
requests the client gave up on) and the worker's queue is empty, counts the cases the database
holds against the 201s, and scans the servers' logs for tracebacks. Writes
bench/results/soak-<database>.json and exits 1 when there was an error, the stored cases do
not match the 201s, the queue did not drain, a web worker was replaced, a log holds a
traceback, the main process or a web worker went over --max-web-rss-mb or the task worker over
--max-task-rss-mb, or grew by more than --max-growth-mb (--max-task-growth-mb) between the end
of minute 2 (the middle, for runs under 4 minutes) and the end.

    .venv/bin/python bench/soak.py [--database postgresql|sqlite] [--rate 100] [--minutes 10]
        [--database-url postgres://postgres@127.0.0.1:5432/doudi_soak_bench]
        [--redis-url redis://127.0.0.1:6379/14]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import random
import re
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.api_load import (  # noqa: E402
    DOUDI,
    children,
    cpu_seconds,
    doudi_output,
    free_port,
    shared_servers_cpu,
    wait_for_server,
)
from bench.casetext import CaseText  # noqa: E402
from doudi.core.management.commands.serve import WEB_THREADS, WEB_WORKERS  # noqa: E402

PASSWORD = "doudi-demo-2026"  # noqa: S105 - the demo users' published password
POLLS = {
    "leader": ("/", "/analytics/", "/cases/"),
    "taskforce": ("/", "/cases/", "/triage/"),
    "leader_token": ("/api/v1/metrics",),
}
FIXED_BODY = json.dumps(
    {
        "centre": "SFQ",
        "channel": "12345",
        "title": "压测案件",
        "description": "原单位已注销，窗口要求原单位证明，无法提供，已经跑了两次。",
        "service_item": "RS-SB-0001",
        "reporter": {"name": "测试人", "phone": "13900001234"},
    },
    ensure_ascii=False,
).encode()
IDLE_SECONDS = 1.0  # servers close idle keep-alive connections (gunicorn after 2 s): reopen first
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
ITEMS = (
    "import json; from doudi.directory.models import ServiceItem; "
    "print(json.dumps(list(ServiceItem.objects.filter(is_active=True)"
    ".values_list('code', 'name')), ensure_ascii=False))"
)
AFTER = (
    "import json; from collections import Counter; from doudi.cases.models import Case; "
    "from doudi.notify.models import Notification; "
    "print(json.dumps({'cases_12345': Case.objects.filter(channel='12345').count(), "
    "'notifications': dict(Counter(Notification.objects.values_list('status', flat=True)))}))"
)


# --- a small HTTP/1.1 client ----------------------------------------------------------------


class Stale(ConnectionError):
    """A kept-alive connection the server had closed: nothing of an answer was read."""


class Conn:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.used_at = time.monotonic()
        self.reusable = True

    def close(self) -> None:
        self.reusable = False
        self.writer.close()

    async def exchange(self, raw: bytes) -> tuple[int, dict[str, list[str]], bytes]:
        self.writer.write(raw)
        await self.writer.drain()
        try:
            line = await self.reader.readline()
        except ConnectionResetError as error:
            raise Stale from error
        if not line:
            raise Stale
        status = int(line.split()[1])
        headers: dict[str, list[str]] = defaultdict(list)
        while True:
            header = await self.reader.readline()
            if header in (b"\r\n", b"\n", b""):
                break
            name, _, value = header.decode("latin-1").partition(":")
            headers[name.strip().lower()].append(value.strip())
        if "content-length" in headers:
            body = await self.reader.readexactly(int(headers["content-length"][0]))
        elif "chunked" in ",".join(headers.get("transfer-encoding", [])).lower():
            parts = []
            while True:
                size = int((await self.reader.readline()).split(b";")[0], 16)
                if size == 0:
                    await self.reader.readline()
                    break
                parts.append(await self.reader.readexactly(size))
                await self.reader.readline()
            body = b"".join(parts)
        else:
            body = await self.reader.read()
            self.reusable = False
        if "close" in ",".join(headers.get("connection", [])).lower():
            self.reusable = False
        self.used_at = time.monotonic()
        return status, headers, body


class Pool:
    """Keep-alive connections to one server, at most ``size`` requests in flight."""

    def __init__(self, port: int, size: int) -> None:
        self.port = port
        self.gate = asyncio.Semaphore(size)
        self.idle: list[Conn] = []
        self.stale_retries = 0
        self.opened = 0

    async def _open(self) -> Conn:
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        self.opened += 1
        return Conn(reader, writer)

    async def send(self, raw: bytes) -> tuple[int, dict[str, list[str]], bytes, float]:
        """The answer and when the request was written (after waiting for a free slot)."""
        async with self.gate:
            for _attempt in range(2):
                conn = None
                while self.idle and conn is None:
                    conn = self.idle.pop()
                    if time.monotonic() - conn.used_at > IDLE_SECONDS:
                        conn.close()
                        conn = None
                reused = conn is not None
                if conn is None:
                    conn = await self._open()
                sent = time.monotonic()
                try:
                    status, headers, body = await conn.exchange(raw)
                except Stale:
                    conn.close()
                    if reused:  # closed by the server while idle: try once on a new one
                        self.stale_retries += 1
                        continue
                    raise
                except BaseException:
                    conn.close()
                    raise
                if conn.reusable:
                    self.idle.append(conn)
                else:
                    conn.close()
                return status, headers, body, sent
            raise Stale("the server closed two connections in a row")


def request_bytes(
    method: str, path: str, port: int, headers: dict[str, str], body: bytes = b""
) -> bytes:
    lines = [
        f"{method} {path} HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        "X-Forwarded-Proto: https",
        "User-Agent: doudi-soak",
    ]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    if body or method == "POST":
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


class Session:
    """A signed-in browser: cookies kept by hand (they are Secure, this is plain HTTP)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.pool = Pool(port, 1)
        self.cookies: dict[str, str] = {}

    async def fetch(
        self, method: str, path: str, body: bytes = b"", extra: dict[str, str] | None = None
    ) -> tuple[int, bytes, float]:
        headers = dict(extra or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        status, answer, body_out, sent = await self.pool.send(
            request_bytes(method, path, self.port, headers, body)
        )
        for cookie in answer.get("set-cookie", []):
            name, _, rest = cookie.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return status, body_out, sent

    async def login(self, username: str) -> None:
        status, page, _ = await self.fetch("GET", "/accounts/login/")
        found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or not found:
            raise RuntimeError(f"login page: HTTP {status}")
        form = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": found.group(1).decode(),
                "username": username,
                "password": PASSWORD,
            }
        ).encode()
        origin = f"https://127.0.0.1:{self.port}"
        status, _, _ = await self.fetch(
            "POST",
            "/accounts/login/",
            form,
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": origin,
                "Referer": origin + "/accounts/login/",
            },
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"login as {username}: HTTP {status}")


# --- measurement ------------------------------------------------------------------------------


async def attempt(awaitable: Any, timeout: float) -> tuple[Any, str]:
    """The awaitable's result and ""; or None and what went wrong ("timeout", "connection: …")."""
    try:
        return await asyncio.wait_for(awaitable, timeout), ""
    except TimeoutError:
        return None, "timeout"
    except (OSError, asyncio.IncompleteReadError, ValueError, IndexError) as error:
        return None, f"connection: {type(error).__name__}"


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 1)


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)  # ms, 2xx only
    errors: Counter[str] = field(default_factory=Counter)
    statuses: Counter[str] = field(default_factory=Counter)

    def summary(self) -> dict[str, Any]:
        return {
            "requests": sum(self.statuses.values()),
            "ok": len(self.latencies),
            "by_status": dict(sorted(self.statuses.items())),
            "errors": sum(self.errors.values()),
            "p50_ms": percentile(self.latencies, 0.50),
            "p90_ms": percentile(self.latencies, 0.90),
            "p99_ms": percentile(self.latencies, 0.99),
            "max_ms": round(max(self.latencies), 1) if self.latencies else None,
        }


@dataclass
class Run:
    port: int
    token: str
    leader_token: str
    items: list[tuple[str, str]]
    rate: float
    seconds: float
    poll_seconds: float
    sample_seconds: float
    timeout: float
    connections: int
    pids: dict[str, int]
    backlog: Any
    creates: Tally = field(default_factory=Tally)
    service_ms: list[float] = field(default_factory=list)
    per_minute: dict[int, Tally] = field(default_factory=lambda: defaultdict(Tally))
    polls: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    poll_minutes: dict[int, Tally] = field(default_factory=lambda: defaultdict(Tally))
    error_samples: list[str] = field(default_factory=list)
    samples: list[dict[str, Any]] = field(default_factory=list)
    created: int = 0
    send_lag_max_ms: float = 0.0
    start: float = 0.0
    fixed_text: bool = False
    text: CaseText = field(default_factory=lambda: CaseText(20261128))
    rng: random.Random = field(default_factory=lambda: random.Random(7))

    def note_error(self, what: str, kind: str) -> None:
        if len(self.error_samples) < 20:
            self.error_samples.append(f"{time.monotonic() - self.start:.1f}s {what}: {kind}")

    def body(self) -> bytes:
        rng = self.rng
        if self.fixed_text:  # bench/api_post.lua's case, for comparison with bench/api_load.py
            return FIXED_BODY
        code, name = rng.choice(self.items)
        text = self.text.case(name, settled=False)
        reporter = {
            "name": rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2)))),
            # 20,000 numbers: some reporters come back, as they do.
            "phone": f"13{rng.randrange(10):d}{rng.randrange(20000) * 3571 % 100000000:08d}",
        }
        return json.dumps(
            {
                "centre": "SFQ",
                "channel": "12345",
                "title": text["title"],
                "description": text["description"],
                "request": text["request"],
                "service_item": code,
                "reporter": reporter,
            },
            ensure_ascii=False,
        ).encode()

    def create_request(self, key: str) -> bytes:
        """``POST /api/v1/cases`` with a new case's body under the idempotency ``key``."""
        return request_bytes(
            "POST",
            "/api/v1/cases",
            self.port,
            {
                "Content-Type": "application/json",
                "Authorization": f"Bearer {self.token}",
                "Idempotency-Key": key,
            },
            self.body(),
        )

    async def create(self, pool: Pool, index: int, due: float, nonce: str) -> None:
        minute = int((due - self.start) // 60)
        sent_back, kind = await attempt(
            pool.send(self.create_request(f"{nonce}-{index}")), self.timeout
        )
        if sent_back is not None:
            status, _, answer, sent = sent_back
            done = time.monotonic()
            kind = str(status)
            if 200 <= status < 300:
                self.created += 1
                ms = (done - due) * 1000
                self.creates.latencies.append(ms)
                self.per_minute[minute].latencies.append(ms)
                self.service_ms.append((done - sent) * 1000)
            else:
                self.note_error("POST /api/v1/cases", f"{status} {answer[:200]!r}")
        for tally in (self.creates, self.per_minute[minute]):
            tally.statuses[kind] += 1
            if not kind.startswith("2"):
                tally.errors[kind] += 1
        if not kind[:1].isdigit():
            self.note_error("POST /api/v1/cases", kind)

    async def submit(self, stop: asyncio.Event) -> Pool:
        pool = Pool(self.port, self.connections)
        nonce = secrets.token_hex(4)
        running: set[asyncio.Task[None]] = set()
        total = int(self.rate * self.seconds)
        for index in range(total):
            due = self.start + index / self.rate
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            self.send_lag_max_ms = max(self.send_lag_max_ms, (time.monotonic() - due) * 1000)
            task = asyncio.create_task(self.create(pool, index, due, nonce))
            running.add(task)
            task.add_done_callback(running.discard)
        stop.set()
        if running:
            await asyncio.gather(*running)
        return pool

    async def poll(self, reader: str, stop: asyncio.Event) -> None:
        session = Session(self.port)
        extra = {}
        if reader == "leader_token":
            extra = {"Authorization": f"Bearer {self.leader_token}"}
        else:
            await session.login(reader)
        round_index = 0
        while not stop.is_set():
            for path in POLLS[reader]:
                name = f"{reader} {path}"
                begun = time.monotonic()
                minute = max(0, int((begun - self.start) // 60))
                fetched, kind = await attempt(session.fetch("GET", path, extra=extra), self.timeout)
                if fetched is not None:
                    kind = str(fetched[0])
                ms = (time.monotonic() - begun) * 1000
                for tally in (self.polls[name], self.poll_minutes[minute]):
                    tally.statuses[kind] += 1
                    if kind.startswith("2"):
                        tally.latencies.append(ms)
                    else:
                        tally.errors[kind] += 1
                if not kind.startswith("2"):
                    self.note_error(f"GET {path} as {reader}", kind)
            round_index += 1
            wait = self.start + round_index * self.poll_seconds - time.monotonic()
            if wait > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), wait)

    async def sample(self, stop: asyncio.Event) -> None:
        while True:
            entry: dict[str, Any] = {"t": round(time.monotonic() - self.start, 1)}
            entry["rss_mb"] = {
                name: rss_mb(pid) for name, pid in processes(self.pids["master"], self.pids)
            }
            entry.update(await asyncio.to_thread(self.backlog))
            entry["load"] = os.getloadavg()[0]
            self.samples.append(entry)
            if stop.is_set():
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.sample_seconds)

    async def go(self) -> dict[str, Any]:
        # Warm up (not counted): a few creates. The pages are first read in the measured run.
        warm = Pool(self.port, 4)
        for index in range(20):
            raw = self.create_request(f"warm-{index}-{secrets.token_hex(4)}")
            status, _, answer, _ = await warm.send(raw)
            if status != 201:
                raise RuntimeError(f"warm-up create: HTTP {status} {answer[:300]!r}")
        stop = asyncio.Event()
        finished = asyncio.Event()
        cpu0, wall0, machine0 = time.process_time(), time.monotonic(), machine_cpu()
        procs0 = {name: cpu_seconds(pid) for name, pid in processes(self.pids["master"], self.pids)}
        shared0 = shared_servers_cpu()
        self.start = time.monotonic() + 0.5
        sampler = asyncio.create_task(self.sample(finished))
        pollers = [asyncio.create_task(self.poll(reader, stop)) for reader in POLLS]
        pool = await self.submit(stop)
        elapsed = time.monotonic() - self.start
        await asyncio.gather(*pollers)
        client_cpu = time.process_time() - cpu0
        machine1 = machine_cpu()
        procs1 = {name: cpu_seconds(pid) for name, pid in processes(self.pids["master"], self.pids)}
        shared1 = shared_servers_cpu()
        finished.set()
        await sampler
        wall = time.monotonic() - wall0
        busy = (machine1[0] - machine0[0]) / max(1, machine1[1] - machine0[1])
        used = {name: procs1[name] - procs0[name] for name in procs1 if name in procs0}
        for name, cpu in shared1.items():
            # The whole server: other databases' work too, when something else ran.
            used[name] = cpu - shared0.get(name, cpu)
        machine_s = (machine1[0] - machine0[0]) / os.sysconf("SC_CLK_TCK")
        return {
            "elapsed_s": round(elapsed, 1),
            "client_cpu_percent_of_one_core": round(100 * client_cpu / wall, 1),
            "machine_cpu_busy_percent": round(100 * busy, 1),
            "client_cpu_seconds": round(client_cpu, 1),
            "process_cpu_seconds": {name: round(cpu, 1) for name, cpu in used.items()},
            "machine_cpu_seconds": round(machine_s, 1),
            "other_cpu_seconds": round(machine_s - client_cpu - sum(used.values()), 1),
            "connections_opened": pool.opened,
            "stale_keepalive_retries": pool.stale_retries,
        }


# --- processes --------------------------------------------------------------------------------


def processes(master: int, pids: dict[str, int]) -> list[tuple[str, int]]:
    found = [("web main process", master)]
    found += [(f"web worker {pid}", pid) for pid in sorted(children(master))]
    found.append(("task worker", pids["task worker"]))
    return found


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def machine_cpu() -> tuple[int, int]:
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def backlog_reader(database: str, data_dir: str, database_url: str, redis_url: str) -> Any:
    """A function that returns the cases stored, the outbox's pending messages, the task
    queue's length and the database's size on disk (SQLite: the files, with the WAL)."""
    count_sql = (
        "SELECT (SELECT count(*) FROM cases_case WHERE channel = '12345'),"
        " (SELECT count(*) FROM notify_notification WHERE status = 'pending')"
    )
    if database == "postgresql":
        import psycopg
        import redis

        db = psycopg.connect(database_url, autocommit=True)
        queue = redis.Redis.from_url(redis_url)

        def read() -> dict[str, Any]:
            row = db.execute(count_sql).fetchone() or (-1, -1)
            size = db.execute("SELECT pg_database_size(current_database())").fetchone()
            return {
                "cases": row[0],
                "outbox_pending": row[1],
                "queue": int(queue.zcard("huey.redis.doudi")),
                "database_mb": round(size[0] / 2**20, 1) if size else None,
            }

        return read
    folder = Path(data_dir)
    db = sqlite3.connect(
        f"file:{folder / 'doudi.sqlite3'}?mode=ro", uri=True, timeout=5, check_same_thread=False
    )
    queue_db = sqlite3.connect(
        f"file:{folder / 'queue.sqlite3'}?mode=ro", uri=True, timeout=5, check_same_thread=False
    )

    def read_sqlite() -> dict[str, Any]:
        sizes = {
            name: round(path.stat().st_size / 2**20, 1)
            for name in ("doudi.sqlite3", "doudi.sqlite3-wal", "queue.sqlite3-wal")
            if (path := folder / name).exists()
        }
        try:
            cases, pending = db.execute(count_sql).fetchone()
            queued = queue_db.execute("SELECT count(*) FROM task").fetchone()[0]
        except sqlite3.Error:
            return {"cases": -1, "outbox_pending": -1, "queue": -1, "files_mb": sizes}
        return {"cases": cases, "outbox_pending": pending, "queue": queued, "files_mb": sizes}

    return read_sqlite


def fresh_postgres(database_url: str) -> None:
    import psycopg

    parts = urllib.parse.urlsplit(database_url)
    name = parts.path.lstrip("/")
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        db.execute(f'CREATE DATABASE "{name}"')


def log_problems(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
    bad = [
        line
        for line in text.splitlines()
        if "Traceback" in line
        or "[ERROR]" in line
        or "[CRITICAL]" in line
        or " ERROR " in line
        or "WORKER TIMEOUT" in line
    ]
    return {"tracebacks": text.count("Traceback"), "error_lines": len(bad), "first": bad[:5]}


def memory_summary(
    samples: list[dict[str, Any]], baseline_t: float
) -> dict[str, dict[str, float | None]]:
    names = sorted({name for s in samples for name in s["rss_mb"]})
    summary = {}
    for name in names:
        series = [(s["t"], s["rss_mb"][name]) for s in samples if s["rss_mb"].get(name)]
        if not series:
            continue
        base = next((mb for t, mb in series if t >= baseline_t), None)
        end = series[-1][1]
        summary[name] = {
            "first_mb": series[0][1],
            "baseline_mb": base,
            "end_mb": end,
            "max_mb": max(mb for _, mb in series),
            "growth_mb": round(end - base, 1) if base is not None else None,
            "samples": len(series),
        }
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--database", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/doudi_soak_bench"
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--rate", type=float, default=100.0, help="creates per second")
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--poll-seconds", type=float, default=5.0)
    parser.add_argument("--sample-seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=64, help="most creates in flight")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per request")
    parser.add_argument(
        "--max-web-rss-mb", type=float, default=300.0, help="bound: web main process, each worker"
    )
    parser.add_argument("--max-task-rss-mb", type=float, default=450.0, help="bound: task worker")
    parser.add_argument(
        "--max-growth-mb", type=float, default=50.0, help="bound: web server, minute 2 → end"
    )
    parser.add_argument(
        "--max-task-growth-mb",
        type=float,
        default=100.0,
        help="bound: task worker, minute 2 → end (its first clustering of the month raises it)",
    )
    parser.add_argument(
        "--fixed-text",
        action="store_true",
        help="every case the same short text (bench/api_post.lua's), not bench/casetext.py's",
    )
    parser.add_argument("--out", default="", help="default: bench/results/soak-<database>.json")
    parser.add_argument("--keep", action="store_true", help="keep the data directory")
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix=f"doudi-soak-{args.database}-")
    env = {
        **os.environ,
        "DOUDI_DATA_DIR": data_dir,
        "DOUDI_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "DOUDI_FIELD_KEYS": base64.urlsafe_b64encode(os.urandom(32)).decode(),
        "DOUDI_HASH_KEY": secrets.token_urlsafe(32),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DOUDI_HTTPS": "1",
        "DOUDI_LOG_LEVEL": "INFO",
    }
    for name in ("DATABASE_URL", "REDIS_URL", "DOUDI_HUEY_IMMEDIATE", "DOUDI_DEBUG"):
        env.pop(name, None)
    if args.database == "postgresql":
        fresh_postgres(args.database_url)
        import redis

        redis.Redis.from_url(args.redis_url).flushdb()
        env["DATABASE_URL"] = args.database_url
        env["REDIS_URL"] = args.redis_url
    subprocess.run([*DOUDI, "setup", "-v", "0"], env=env, check=True, cwd=ROOT)
    subprocess.run([*DOUDI, "demo"], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    token = doudi_output(env, "token", "create", "--integration", "soak", "--centre", "SFQ")
    leader_token = doudi_output(env, "token", "create", "--user", "leader", "--name", "soak")
    items = [tuple(pair) for pair in json.loads(doudi_output(env, "shell", "-c", ITEMS))]
    port = free_port()
    logs = Path(data_dir)
    out_files = [
        open(logs / name, "wb")  # noqa: SIM115 - closed in the finally below
        for name in ("web-access.log", "web-error.log", "worker.log")
    ]
    server = subprocess.Popen(
        [*DOUDI, "serve"], env={**env, "PORT": str(port)}, cwd=ROOT,
        stdout=out_files[0], stderr=out_files[1],
    )  # fmt: skip
    worker = subprocess.Popen(
        [*DOUDI, "worker"], env=env, cwd=ROOT, stdout=out_files[2], stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    load0 = os.getloadavg()
    result: dict[str, Any] = {
        "benchmark": "soak: POST /api/v1/cases at a fixed rate, dashboards polled",
        "database": args.database,
        "rate_per_s": args.rate,
        "minutes": args.minutes,
        "poll_seconds": args.poll_seconds,
        "text": "fixed (bench/api_post.lua)" if args.fixed_text else "varied (bench/casetext.py)",
        "polled": {reader: list(paths) for reader, paths in POLLS.items()},
        "web_workers": int(env.get("DOUDI_WEB_WORKERS", WEB_WORKERS)),
        "web_threads": int(env.get("DOUDI_WEB_THREADS", WEB_THREADS)),
        "task_worker_threads": int(env.get("DOUDI_WORKERS", 2)),
        "max_connections": args.connections,
        "machine": f"{os.cpu_count()} cores",
        "date": time.strftime("%Y-%m-%d %H:%M"),
    }
    failures: list[str] = []
    try:
        wait_for_server(base, timeout=120)  # /healthz: exempt from the HTTPS redirect
        master = server.pid
        first_workers = set(children(master))
        run = Run(
            port=port,
            token=token,
            leader_token=leader_token,
            items=items,  # type: ignore[arg-type]
            rate=args.rate,
            seconds=args.minutes * 60,
            poll_seconds=args.poll_seconds,
            sample_seconds=args.sample_seconds,
            timeout=args.timeout,
            connections=args.connections,
            pids={"master": master, "task worker": worker.pid},
            backlog=backlog_reader(args.database, data_dir, args.database_url, args.redis_url),
            fixed_text=args.fixed_text,
        )
        client = asyncio.run(run.go())
        last_workers = set(children(master))
        # After the load: the server may still be answering requests the client gave up on;
        # wait (up to 2 minutes) until the cases stop coming and the worker's queue is empty.
        drained_after = None
        begun = time.monotonic()
        previous = None
        while time.monotonic() - begun < 120:
            state = run.backlog()
            now = (state["cases"], state["outbox_pending"], state["queue"])
            if now[1:] == (0, 0) and previous == now:
                drained_after = round(time.monotonic() - begun, 1)
                break
            previous = now
            time.sleep(2)
        backlog_end = run.backlog()
    finally:
        server.terminate()
        worker.terminate()
        for process in (server, worker):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        for handle in out_files:
            handle.close()
    after = json.loads(doudi_output(env, "shell", "-c", AFTER))

    seconds = client["elapsed_s"]
    # Server CPU (web, worker, database) per case stored while the load ran, polls included:
    # what the machine could sustain if it ran nothing else.
    stored = run.samples[-1]["cases"] - run.samples[0]["cases"]
    server_cpu = sum(client["process_cpu_seconds"].values())
    if stored > 0:
        client["server_cpu_ms_per_case"] = round(1000 * server_cpu / stored, 1)
        client["cases_per_s_the_cores_could_serve"] = round(
            (os.cpu_count() or 1) * stored / server_cpu, 1
        )
    baseline_t = 120.0 if args.minutes >= 4 else args.minutes * 30
    memory = memory_summary(run.samples, baseline_t)
    creates = run.creates.summary()
    result.update(
        {
            "achieved": {
                "scheduled": int(args.rate * args.minutes * 60),
                "created_per_s": round(run.created / seconds, 1),
                "answers_per_s": round(creates["requests"] / seconds, 1),
                "send_lag_max_ms": round(run.send_lag_max_ms, 1),
                **client,
            },
            "load_average": [round(load0[0], 2), round(os.getloadavg()[0], 2)],
            "creates": {
                **creates,
                "latency_from": "the time the request was due (includes waiting for a connection)",
                "service_p50_ms": percentile(run.service_ms, 0.5),
                "service_p99_ms": percentile(run.service_ms, 0.99),
            },
            "creates_per_minute": [
                {"minute": minute + 1, **tally.summary()}
                for minute, tally in sorted(run.per_minute.items())
            ],
            "polls": {name: tally.summary() for name, tally in sorted(run.polls.items())},
            "polls_per_minute": [
                {"minute": minute + 1, **tally.summary()}
                for minute, tally in sorted(run.poll_minutes.items())
                if minute >= 0
            ],
            "error_samples": run.error_samples,
            "memory_baseline_at_s": baseline_t,
            "memory": memory,
            "bound": {
                "web_max_rss_mb": args.max_web_rss_mb,
                "task_worker_max_rss_mb": args.max_task_rss_mb,
                "web_max_growth_mb": args.max_growth_mb,
                "task_worker_max_growth_mb": args.max_task_growth_mb,
            },
            "web_worker_pids": {
                "at_start": sorted(first_workers),
                "at_end": sorted(last_workers),
            },
            "worker_backlog": {
                "drained_after_s": drained_after,
                "at_end": backlog_end,
                "max_outbox_pending": max(s["outbox_pending"] for s in run.samples),
                "max_queue": max(s["queue"] for s in run.samples),
            },
            "database_after": after,
            "logs": {
                "web": log_problems(logs / "web-error.log"),
                "worker": log_problems(logs / "worker.log"),
            },
            "samples": run.samples,
        }
    )
    errors = creates["errors"] + sum(t.summary()["errors"] for t in run.polls.values())
    if errors:
        failures.append(f"{errors} errors")
    if first_workers != last_workers:
        failures.append("a web worker was replaced")
    if after["cases_12345"] != run.created + 20:
        failures.append(f"{after['cases_12345']} cases stored for {run.created} + 20 201s")
    for name, figures in memory.items():
        bound = args.max_task_rss_mb if name == "task worker" else args.max_web_rss_mb
        if (figures["max_mb"] or 0) > bound:
            failures.append(f"{name}: {figures['max_mb']} MB > {bound} MB")
        growth = args.max_task_growth_mb if name == "task worker" else args.max_growth_mb
        if (figures["growth_mb"] or 0) > growth:
            failures.append(f"{name} grew {figures['growth_mb']} MB > {growth} MB")
    for name, found in result["logs"].items():
        if found["tracebacks"]:
            failures.append(f"{found['tracebacks']} tracebacks in the {name} log")
    if drained_after is None:
        failures.append("the task worker had not emptied its queue 2 minutes after the load")
    result["failures"] = failures
    result["passed"] = not failures
    out = Path(args.out) if args.out else ROOT / "bench" / "results" / f"soak-{args.database}.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    report(result)
    if failures or args.keep:
        print(f"data directory and logs kept: {data_dir}")
    else:
        shutil.rmtree(data_dir, ignore_errors=True)
    sys.exit(1 if failures else 0)


def report(result: dict[str, Any]) -> None:
    achieved, creates = result["achieved"], result["creates"]
    print(
        f"\n{result['database']}: {achieved['created_per_s']} creates/s of {result['rate_per_s']} "
        f"over {achieved['elapsed_s']} s; {creates['requests']} answers, "
        f"{creates['errors']} errors; p50 {creates['p50_ms']} ms, p99 {creates['p99_ms']} ms "
        f"(service p50 {creates['service_p50_ms']}, p99 {creates['service_p99_ms']}); "
        f"client CPU {achieved['client_cpu_percent_of_one_core']}% of a core, "
        f"machine {achieved['machine_cpu_busy_percent']}% busy"
    )
    print(
        f"CPU seconds: {achieved['process_cpu_seconds']}, client {achieved['client_cpu_seconds']}, "
        f"other processes {achieved['other_cpu_seconds']} of the machine's "
        f"{achieved['machine_cpu_seconds']}; per case stored "
        f"{achieved.get('server_cpu_ms_per_case')} ms (the cores alone: "
        f"{achieved.get('cases_per_s_the_cores_could_serve')} cases/s); "
        f"load average {result['load_average']}"
    )
    print("minute  answers  2xx     errors  p50 ms  p99 ms  max ms")
    for row in result["creates_per_minute"]:
        print(
            f"{row['minute']:>6}  {row['requests']:>7}  {row['ok']:>6}  {row['errors']:>6}  "
            f"{row['p50_ms']!s:>6}  {row['p99_ms']!s:>6}  {row['max_ms']!s:>6}"
        )
    print("polled page                       n  errors  p50 ms  p99 ms  max ms")
    for name, row in result["polls"].items():
        print(
            f"{name:<30} {row['requests']:>4}  {row['errors']:>6}  {row['p50_ms']!s:>6}  "
            f"{row['p99_ms']!s:>6}  {row['max_ms']!s:>6}"
        )
    print("process                         first  minute 2  end     max     growth (MB)")
    for name, row in result["memory"].items():
        print(
            f"{name:<30} {row['first_mb']!s:>6}  {row['baseline_mb']!s:>8}  "
            f"{row['end_mb']!s:>6}  {row['max_mb']!s:>6}  {row['growth_mb']!s:>6}"
        )
    print(f"worker backlog: {result['worker_backlog']}")
    print(f"after: {result['database_after']}")
    print(f"logs: {result['logs']}")
    print("PASSED" if result["passed"] else f"FAILED: {'; '.join(result['failures'])}")


if __name__ == "__main__":
    main()
