"""Crash safety: SIGKILL the production server and task worker while cases are being registered
through the API, restart them, and check that no acknowledged case was lost or stored twice.

For each database (--database postgresql|sqlite|both, default both), with DOUDI_ENV=production
(keys and secret given in the environment; plain HTTP on the loopback, DOUDI_HTTPS=0):
- PostgreSQL is the scale-out mode: the database doudi_crash_bench (dropped and created) and
  Redis db 13 (flushed) as the task queue; SQLite the embedded default (WAL, synchronous=NORMAL,
  the queue in a SQLite file); a fresh temporary data directory for both.
- migrate, the demo district, an integration token for the district centre (SFQ); then
  `doudi serve` (Granian: main process and workers) and `doudi worker` (Huey consumer: outbox
  delivery, audit sweep), each started in its own process group.
- --clients threads POST /api/v1/cases, each submission with its own Idempotency-Key (also
  written in the title). A submission that is not acknowledged (connection refused or reset,
  time-out, 5xx) is sent again with the same key until a 201 comes back. A share (--resend) of
  the acknowledged keys is sent once more and must return the same case with
  Idempotent-Replayed. A case registration writes no audit entry, so one more thread, signed in
  to the web as the demo clerk, reveals acknowledged cases' personal data (each reveal an audit
  entry, chained just after its commit in the web process).
- --kills times, at a random moment (--kill-after seconds after the server answered again),
  the server's and the worker's process groups get SIGKILL together; after a random pause
  (--down) both start again.
- After the last restart, --tail seconds more; then every client finishes its key; up to
  --drain seconds for the worker to send the outbox; then both stop.

Then, against the database (a `doudi shell` subprocess): every acknowledged case is stored
once, under the number the API returned and the key's idempotency hash; as many cases as keys
(none stored twice, found by submission key and by the key in the title); one register event,
one search row and one outbox notice per case; the reveals' audit entries (at least those
acknowledged); `doudi audit seal` (what a killed process left unchained), then `doudi audit
verify` must exit 0. Prints the counts, writes bench/results/crash-<database>.json, exits 1
if any check failed.

    .venv/bin/python bench/crash.py [--database both|postgresql|sqlite] [--clients 16]
        [--kills 3] [--seed N] [--keep]
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import http.client
import json
import os
import random
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.api_load import DOUDI, doudi_output, free_port, wait_for_server  # noqa: E402

PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PG_DATABASE = "doudi_crash_bench"
REDIS_URL = "redis://127.0.0.1:6379/13"
CENTRE = "SFQ"
WEB_LOGIN = ("clerk", "doudi-demo-2026")  # the demo clerk of the district centre
LOGIN = "/accounts/login/"


class SignInError(Exception):
    pass


CLIENT_ERRORS = (OSError, http.client.HTTPException)

# Run inside `doudi shell`: the checks against the database. Reads the run's keys from the JSON
# file named by CRASH_INPUT, prints one JSON line.
CHECK = r"""
import json, os
from collections import Counter
from django.db.models import Count
from doudi.api.models import ApiToken
from doudi.audit.models import AuditEntry
from doudi.cases.models import Case, CaseEvent
from doudi.core.crypto import lookup_hash
from doudi.notify.models import Notification
from doudi.search.actions import COUNTED_BELOW
from doudi.search.models import CaseIndex, Term

run = json.load(open(os.environ["CRASH_INPUT"], encoding="utf-8"))
user = ApiToken.objects.get(prefix=run["token_prefix"]).user
cases = Case.objects.filter(registered_by=user)
rows = list(cases.values_list("id", "number", "title", "submission_key"))
ids = [row[0] for row in rows]
by_title = Counter(row[2].split()[-1] for row in rows)
by_hash = {row[3]: row for row in rows}
acked = run["acknowledged"]
lost, wrong = [], []
for key, number in acked.items():
    row = by_hash.get(lookup_hash(f"{user.pk}:{key}", purpose="idempotency"))
    if row is None:
        lost.append(key)
    elif row[1] != number or row[2].split()[-1] != key:
        wrong.append([key, number, row[1]])
keys = set(run["keys"])
per_case = lambda qs: Counter(dict(qs.values_list("case_id").annotate(n=Count("id"))))
events = per_case(CaseEvent.objects.filter(case_id__in=ids, kind="register"))
notices = per_case(Notification.objects.filter(case_id__in=ids, template="case_registered"))
indexed = set(CaseIndex.objects.filter(case_id__in=ids).values_list("case_id", flat=True))
pending = Notification.objects.filter(case_id__in=ids, status=Notification.Status.PENDING)
# Search term counts are written just after a case's commit (search.actions.index_case): a
# kill in between leaves them off until `doudi search rebuild`. Reported, not a failure.
# (Compared with the counts before the run: the demo's own are not exact.)
docs = Counter()
for tokens in CaseIndex.objects.values_list("tokens", flat=True).iterator():
    docs.update(set(tokens.split()))
stored_docs = dict(Term.objects.values_list("term", "docs"))
off = {t: n - stored_docs.get(t, 0) for t, n in docs.items() if n < COUNTED_BELOW}
reveals = AuditEntry.objects.filter(action="personal_data.unmask", actor__username=run["web_user"])
print(json.dumps({
    "stored": len(rows),
    "stored_keys": len(by_title),
    "duplicates": sum(n - 1 for n in by_title.values()),
    "stored_unknown_keys": len(set(by_title) - keys),
    "stored_not_acknowledged": len(set(by_title) - set(acked)),
    "lost": len(lost),
    "lost_keys": lost[:20],
    "wrong_number": wrong[:20],
    "numbers_distinct": len({row[1] for row in rows}),
    "register_events_not_one": sum(1 for i in ids if events.get(i, 0) != 1),
    "search_rows_missing": len(set(ids) - indexed),
    "outbox_not_one": sum(1 for i in ids if notices.get(i, 0) != 1),
    "outbox_sent": Notification.objects.filter(
        case_id__in=ids, status=Notification.Status.SENT).count(),
    "outbox_pending": pending.count(),
    # Not due: claimed by a worker that was killed (a five-minute lease), or backing off.
    "outbox_pending_not_due": pending.filter(next_attempt_at__gt=run["now"]).count(),
    "search_terms_off": {t: d for t, d in off.items() if d},
    "audit_entries": AuditEntry.objects.count(),
    "audit_reveal_entries": reveals.count(),
    "audit_unsealed": AuditEntry.objects.filter(seq__isnull=True).count(),
}))
"""


@dataclass
class Tally:
    """What the clients saw; guarded by ``lock``."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    keys: list[str] = field(default_factory=list)
    acknowledged: dict[str, str] = field(default_factory=dict)
    attempts: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    replayed_on_retry: int = 0
    resent: int = 0
    resent_same_case: int = 0
    rejected: list[str] = field(default_factory=list)
    unacknowledged: list[str] = field(default_factory=list)
    in_flight: int = 0
    reveals_sent: int = 0
    reveals_acknowledged: int = 0
    reveal_errors: Counter[str] = field(default_factory=Counter)


class Processes:
    """`doudi serve` and `doudi worker`, each the leader of its own process group, so that
    SIGKILL to the group reaches Granian's main process and its workers at once."""

    def __init__(self, env: dict[str, str], port: int, logs: Path) -> None:
        self.env, self.port, self.logs = env, port, logs
        self.groups: dict[str, subprocess.Popen[bytes]] = {}

    def start(self) -> None:
        for name, command in (("server", "serve"), ("worker", "worker")):
            with (self.logs / f"{name}.log").open("ab") as log:
                self.groups[name] = subprocess.Popen(
                    [*DOUDI, command],
                    env={**self.env, "PORT": str(self.port)},
                    cwd=ROOT,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
        wait_for_server(f"http://127.0.0.1:{self.port}", timeout=120)

    def send_signal(self, sig: int, wait: float) -> None:
        for process in self.groups.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, sig)
        for process in self.groups.values():
            try:
                process.wait(timeout=wait)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        # The server's workers are not our children: wait until the group is empty.
        deadline = time.monotonic() + 10
        for process in self.groups.values():
            while time.monotonic() < deadline:
                try:
                    os.killpg(process.pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.05)
        self.groups.clear()

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL, 10)

    def stop(self) -> None:
        self.send_signal(signal.SIGTERM, 30)


@dataclass(frozen=True)
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes


def request(
    port: int, method: str, path: str, body: bytes | None, headers: dict[str, str], timeout: float
) -> Reply:
    """One request on a new connection, read to its end."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return Reply(response.status, response.headers, response.read())
    finally:
        connection.close()


def error_kind(error: BaseException) -> str:
    if isinstance(error, ConnectionRefusedError):
        return "refused"  # the server is down
    if isinstance(error, TimeoutError):
        return "timeout"
    return "reset"  # the connection died under a request: killed while working on it


class Run:
    def __init__(self, args: argparse.Namespace, port: int, token: str) -> None:
        self.args, self.port, self.token = args, port, token
        self.tally = Tally()
        self.stop = threading.Event()
        self.give_up = float("inf")
        self.nonce = secrets.token_hex(3)
        self.recent_cases: list[int] = []

    def post_case(self, key: str) -> tuple[int, dict[str, Any], bool]:
        body = {
            "centre": CENTRE,
            "channel": "12345",
            "title": f"崩溃测试 {key}",
            "description": "原单位已注销，窗口要求原单位证明，无法提供，已经跑了两次。",
            "service_item": "RS-SB-0001",
            "reporter": {"name": "测试人", "phone": "13900001234"},
        }
        headers = {
            "Content-Type": "application/json",
            "Authorization": f"Bearer {self.token}",
            "Idempotency-Key": key,
        }
        reply = request(
            self.port,
            "POST",
            "/api/v1/cases",
            json.dumps(body).encode(),
            headers,
            self.args.timeout,
        )
        replayed = reply.headers.get("Idempotent-Replayed") == "true"
        try:
            answer = json.loads(reply.body)
        except ValueError:
            answer = {"body": reply.body[:200].decode(errors="replace")}
        return reply.status, answer, replayed

    def submit(self, key: str) -> dict[str, Any] | None:
        """Send the key until it is acknowledged (or refused with a 4xx, or the run gives up)."""
        tally = self.tally
        with tally.lock:
            tally.keys.append(key)
        attempt = 0
        while True:
            attempt += 1
            with tally.lock:
                tally.attempts += 1
                tally.in_flight += 1
            try:
                status, case, replayed = self.post_case(key)
            except CLIENT_ERRORS as error:
                status, case, replayed, kind = 0, {}, False, error_kind(error)
            else:
                kind = f"http_{status}"
            finally:
                with tally.lock:
                    tally.in_flight -= 1
            if status == 201:
                with tally.lock:
                    tally.acknowledged[key] = case["number"]
                    tally.replayed_on_retry += replayed and attempt > 1
                    self.recent_cases = [*self.recent_cases[-49:], case["id"]]
                return case
            with tally.lock:
                tally.errors[kind] += 1
                if 0 < status < 500:
                    tally.rejected.append(f"{key}: {status} {case}")
                    return None
                if time.monotonic() > self.give_up:
                    tally.unacknowledged.append(key)
                    return None
            time.sleep(0.1 + random.random() * 0.3)

    def resend(self, key: str, case: dict[str, Any]) -> None:
        """An acknowledged key once more: the first case, marked as a replay."""
        try:
            status, again, replayed = self.post_case(key)
        except CLIENT_ERRORS:
            return  # killed under it: nothing to compare
        if status >= 500:
            return
        with self.tally.lock:
            self.tally.resent += 1
            same = status == 201 and replayed and again.get("number") == case["number"]
            self.tally.resent_same_case += same
            if not same:
                self.tally.rejected.append(f"{key} resent: {status} {again} (first {case})")

    def client(self, n: int) -> None:
        count = 0
        while not self.stop.is_set():
            count += 1
            key = f"{self.nonce}-{n}-{count}"
            case = self.submit(key)
            if case is not None and random.random() < self.args.resend:
                self.resend(key, case)

    def reveals(self) -> None:
        """The demo clerk, signed in to the web, reveals recent cases' personal data: each
        reveal writes an audit entry, chained after its commit."""
        web = WebSession(self.port, self.args.timeout)
        while not self.stop.is_set():
            if not self.recent_cases:
                time.sleep(0.1)
                continue
            tally = self.tally
            try:
                if not web.signed_in:
                    web.sign_in(*WEB_LOGIN)
                with tally.lock:
                    tally.reveals_sent += 1
                status = web.reveal(random.choice(self.recent_cases))
            except (*CLIENT_ERRORS, SignInError) as error:
                with tally.lock:
                    tally.reveal_errors[
                        "sign_in" if isinstance(error, SignInError) else error_kind(error)
                    ] += 1
                time.sleep(0.2)
                continue
            with tally.lock:
                if status == 200:
                    tally.reveals_acknowledged += 1
                else:
                    tally.reveal_errors[f"http_{status}"] += 1
            time.sleep(0.05)


class WebSession:
    """A signed-in browser, minimal: cookies and the CSRF token, no redirects followed."""

    def __init__(self, port: int, timeout: float) -> None:
        self.port, self.timeout = port, timeout
        self.cookies: dict[str, str] = {}
        self.signed_in = False

    def send(self, method: str, path: str, form: dict[str, str] | None = None) -> int:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if method == "POST":
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            body = urllib.parse.urlencode(form or {}).encode()
        reply = request(self.port, method, path, body, headers, self.timeout)
        for line in reply.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(line).items():
                self.cookies[name] = morsel.value
        if reply.status in (302, 403) and path != LOGIN:
            self.signed_in = False  # the session or the CSRF token is gone: sign in again
        return reply.status

    def sign_in(self, username: str, password: str) -> None:
        self.cookies.clear()
        status = self.send("GET", LOGIN)
        if status != 200 or "csrftoken" not in self.cookies:
            raise SignInError(f"the sign-in page answered {status}")
        form = {"username": username, "password": password}
        status = self.send("POST", LOGIN, form | {"csrfmiddlewaretoken": self.cookies["csrftoken"]})
        if status != 302:
            raise SignInError(f"signing in as {username} answered {status}")
        self.signed_in = True

    def reveal(self, case_id: int) -> int:
        return self.send("POST", f"/cases/{case_id}/reveal/")


def source_stamp() -> float:
    """The newest modification time of the application's code: a restart loads the tree as
    it is then, and other people edit it (a model changed since `migrate` fails every query)."""
    return max(path.stat().st_mtime for path in (ROOT / "doudi").rglob("*.py"))


def fresh_postgres() -> str:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {PG_DATABASE}")
    return f"{PG_SERVER}/{PG_DATABASE}"


def drop_postgres() -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")


def flush_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def production_env(database: str, data_dir: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DOUDI_ENV": "production",
        "DOUDI_DATA_DIR": data_dir,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DOUDI_FIELD_KEYS": base64.urlsafe_b64encode(os.urandom(32)).decode(),
        "DOUDI_HASH_KEY": secrets.token_urlsafe(32),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DOUDI_HTTPS": "0",  # plain HTTP on the loopback (a TLS proxy would sit in front)
        "DOUDI_SMS_BACKEND": "console",
        "DOUDI_LOG_LEVEL": "WARNING",
    }
    for name in ("DATABASE_URL", "REDIS_URL", "DOUDI_DEBUG", "DOUDI_HUEY_IMMEDIATE"):
        env.pop(name, None)
    if database == "postgresql":
        env["DATABASE_URL"] = fresh_postgres()
        env["REDIS_URL"] = REDIS_URL
        flush_redis()
    return env


def check(env: dict[str, str], tally: Tally, token: str, work: Path) -> dict[str, Any]:
    with tally.lock:
        run = {
            "token_prefix": token.split("_")[1],
            "web_user": WEB_LOGIN[0],
            "keys": tally.keys,
            "acknowledged": tally.acknowledged,
            "now": datetime.now(UTC).isoformat(),
        }
    path = work / "crash-run.json"
    path.write_text(json.dumps(run), encoding="utf-8")
    line = doudi_output({**env, "CRASH_INPUT": str(path)}, "shell", "-c", CHECK)
    return dict(json.loads(line))


def drain(env: dict[str, str], tally: Tally, token: str, work: Path, seconds: float) -> None:
    """Wait (at most ``seconds``) until the outbox holds nothing due: lost queue entries are
    found by the worker's sweep every minute; rows a killed worker had claimed wait out their
    five-minute lease."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check(env, tally, token, work)
        if found["outbox_pending"] == found["outbox_pending_not_due"]:
            return
        time.sleep(5)


def run_once(database: str, args: argparse.Namespace) -> dict[str, Any]:
    print(f"== {database}", flush=True)
    work = Path(tempfile.mkdtemp(prefix=f"doudi-crash-{database}-"))
    env = production_env(database, str(work))
    # What the kept data needs to be read again (same keys): set -a; . DIR/env; set +a
    added = {k: v for k, v in env.items() if os.environ.get(k) != v}
    (work / "env").write_text("".join(f"{k}='{v}'\n" for k, v in added.items()))
    # `doudi setup` without compilemessages (it writes into the source tree).
    for command in (["migrate"], ["collectstatic", "--no-input"], ["demo"]):
        subprocess.run(
            [*DOUDI, *command, "-v", "0"], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL
        )
    token = doudi_output(env, "token", "create", "--integration", "crash", "--centre", CENTRE)
    run = Run(args, free_port(), token)
    stamp = source_stamp()
    terms_before = check(env, run.tally, token, work)["search_terms_off"]
    processes = Processes(env, run.port, work)
    processes.start()
    threads = [
        threading.Thread(target=run.client, args=(n,), daemon=True) for n in range(args.clients)
    ]
    threads.append(threading.Thread(target=run.reveals, daemon=True))
    started = time.monotonic()
    for thread in threads:
        thread.start()
    kills: list[dict[str, Any]] = []
    try:
        for n in range(args.kills):
            time.sleep(random.uniform(*args.kill_after))
            with run.tally.lock:
                in_flight, acked = run.tally.in_flight, len(run.tally.acknowledged)
            processes.kill()
            down = random.uniform(*args.down)
            print(
                f"kill {n + 1} at {time.monotonic() - started:.1f} s: {in_flight} requests in "
                f"flight, {acked} acknowledged so far; down {down:.1f} s",
                flush=True,
            )
            kills.append(
                {
                    "at_s": round(time.monotonic() - started, 1),
                    "in_flight": in_flight,
                    "down_s": round(down, 1),
                }
            )
            time.sleep(down)
            restarted = time.monotonic()
            processes.start()
            kills[-1]["restart_s"] = round(time.monotonic() - restarted, 1)
            if source_stamp() != stamp:
                kills[-1]["source_changed"] = True
                print("warning: the code under doudi/ changed since the run began", flush=True)
        time.sleep(args.tail)
        run.give_up = time.monotonic() + args.give_up
        run.stop.set()
        for thread in threads:
            thread.join(timeout=args.give_up + args.timeout + 5)
        seconds = time.monotonic() - started
        drain(env, run.tally, token, work, args.drain)
    finally:
        run.stop.set()
        processes.stop()
    found = check(env, run.tally, token, work)
    drift = Counter(found.pop("search_terms_off"))
    drift.subtract(terms_before)
    drift = Counter({term: n for term, n in drift.items() if n})
    seal = doudi_output(env, "audit", "seal")
    verify = subprocess.run(
        [*DOUDI, "audit", "verify"], env=env, cwd=ROOT, capture_output=True, text=True
    )
    tally = run.tally
    submitted, acknowledged = len(tally.keys), len(tally.acknowledged)
    checks = {
        "every key acknowledged": not tally.unacknowledged and acknowledged == submitted,
        "no submission refused (4xx), every resend the first case": not tally.rejected,
        "no acknowledged case lost": found["lost"] == 0,
        "each acknowledged case under the number the API returned": not found["wrong_number"],
        "no duplicates": found["duplicates"] == 0,
        "cases stored == distinct keys": found["stored"] == found["stored_keys"] == submitted,
        "only this run's keys stored": found["stored_unknown_keys"] == 0,
        "case numbers distinct": found["numbers_distinct"] == found["stored"],
        "one register event per case": found["register_events_not_one"] == 0,
        "one search row per case": found["search_rows_missing"] == 0,
        "one outbox notice per case": found["outbox_not_one"] == 0,
        "acknowledged reveals audited": found["audit_reveal_entries"] >= tally.reveals_acknowledged,
        "audit verify exits 0": verify.returncode == 0,
    }
    result: dict[str, Any] = {
        "benchmark": "crash safety: SIGKILL of server and worker under API registrations",
        "database": database,
        "clients": args.clients,
        "seconds": round(seconds, 1),
        "submitted_keys": submitted,
        "acknowledged": acknowledged,
        "stored": found["stored"],
        "duplicates": found["duplicates"],
        "lost": found["lost"],
        "attempts": tally.attempts,
        "retries": tally.attempts - submitted,
        "retry_errors": dict(tally.errors),
        "replayed_on_retry": tally.replayed_on_retry,
        "resent_after_ack": tally.resent,
        "resent_same_case": tally.resent_same_case,
        "kills": len(kills),
        "kill_log": kills,
        "source_changed_during_run": any(kill.get("source_changed") for kill in kills),
        "reveals_sent": tally.reveals_sent,
        "reveals_acknowledged": tally.reveals_acknowledged,
        "reveal_errors": dict(tally.reveal_errors),
        "database_checks": found,
        # Terms whose count the run left off (cases committed, their counts not yet written
        # when the process died), and the largest difference: about that many cases.
        "search_terms_miscounted": len(drift),
        "search_term_count_drift_max": max((abs(n) for n in drift.values()), default=0),
        "audit_seal": seal,
        "audit_verify_exit": verify.returncode,
        "audit_verify": (verify.stdout + verify.stderr).strip().splitlines()[-1:],
        "checks": checks,
        "ok": all(checks.values()),
        "rejected": tally.rejected[:20],
        "machine": f"{os.cpu_count()} cores",
        "date": time.strftime("%Y-%m-%d"),
    }
    if args.keep or not result["ok"]:  # a failure keeps the logs and the data to look at
        print(f"kept: {work}" + (f" and database {PG_DATABASE}" if database != "sqlite" else ""))
    else:
        shutil.rmtree(work, ignore_errors=True)
        if database == "postgresql":
            drop_postgres()
            flush_redis()
    return result


def pair(text: str) -> tuple[float, float]:
    low, _, high = text.partition(",")
    return float(low), float(high or low)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--database", choices=("both", "postgresql", "sqlite"), default="both")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--kills", type=int, default=3)
    parser.add_argument(
        "--kill-after", type=pair, default=(3.0, 10.0), help="seconds MIN,MAX after a start"
    )
    parser.add_argument("--down", type=pair, default=(0.0, 2.0), help="seconds MIN,MAX down")
    parser.add_argument("--tail", type=float, default=5, help="seconds of load after the last")
    parser.add_argument("--timeout", type=float, default=10, help="a request's time-out")
    parser.add_argument("--give-up", type=float, default=120, help="seconds to finish a key")
    parser.add_argument("--resend", type=float, default=0.05, help="share of keys sent again")
    parser.add_argument("--drain", type=float, default=90, help="seconds to wait for the outbox")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the data directory and db")
    args = parser.parse_args()
    if args.seed is not None:
        random.seed(args.seed)
    databases = ("postgresql", "sqlite") if args.database == "both" else (args.database,)
    failed = False
    for database in databases:
        result = run_once(database, args)
        out = ROOT / "bench" / "results" / f"crash-{database}.json"
        out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(
            f"{database}: submitted keys {result['submitted_keys']}, acknowledged "
            f"{result['acknowledged']}, stored {result['stored']}, duplicates "
            f"{result['duplicates']}, lost {result['lost']}, retries {result['retries']}, "
            f"kills {result['kills']}, audit verify exit {result['audit_verify_exit']}"
        )
        for name, passed in result["checks"].items():
            print(f"  {'ok  ' if passed else 'FAIL'} {name}")
        failed = failed or not result["ok"]
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
