"""Benchmark: how long registering a case through the clerk's window form takes.

Steps: make a fresh data directory; migrate and load the demo district; start the production
server (Granian through `doudi serve`) on a free local port; sign in as the demo clerk; then
100 times: open the form (for its CSRF token and one-time key), post a case, and time the post
until the redirect to the new case arrives. Prints and writes to bench/results/intake.json the
median, p95 and max.

    .venv/bin/python bench/intake.py [--runs 100] [--database-url postgres://…]
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOUDI = [sys.executable, "-m", "doudi"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Browser:
    """Just enough of a browser: cookies, CSRF tokens, no redirects followed."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args: object, **kwargs: object) -> None:
                return None

        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect()
        )

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.read().decode()

    def post(self, path: str, data: dict[str, str]) -> tuple[int, str]:
        token = next(c.value for c in self.jar if c.name == "csrftoken")
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}).encode()
        request = urllib.request.Request(
            self.base + path, data=body, headers={"Referer": self.base + path}
        )
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, ""
        except urllib.error.HTTPError as error:  # 302 arrives as an "error" without redirects
            return error.code, error.headers.get("Location", "")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="doudi-bench-")
    env = {**os.environ, "DOUDI_DATA_DIR": data_dir, "DOUDI_ENV": "development"}
    env.pop("REDIS_URL", None)
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    else:
        env.pop("DATABASE_URL", None)
    subprocess.run([*DOUDI, "setup", "-v", "0"], env=env, check=True, cwd=ROOT)
    subprocess.run([*DOUDI, "demo"], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    port = free_port()
    server = subprocess.Popen(
        [*DOUDI, "serve"],
        env={**env, "PORT": str(port)},
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2).close()
                break
            except OSError:
                time.sleep(0.2)
        browser = Browser(base)
        browser.get("/accounts/login/")
        status, _ = browser.post(
            "/accounts/login/", {"username": "clerk", "password": "doudi-demo-2026"}
        )
        assert status == 302, f"login failed: {status}"
        centre = re.search(r'<option value="(\d+)" selected>', browser.get("/cases/new/"))
        assert centre, "the clerk's centre is not preselected"
        timings = []
        for run in range(args.runs):
            form = browser.get("/cases/new/")
            key = re.search(r'name="submission_key" value="([0-9a-f]+)"', form)
            assert key
            data = {
                "submission_key": key.group(1),
                "centre": centre.group(1),
                "reporter_kind": "person",
                "reporter_name": "测试人",
                "reporter_phone": f"1390000{run:04d}",
                "service_item": "RS-SB-0001",
                "visits": "2",
                "title": f"基准测试案件 {run}",
                "description": "原单位已注销，无法开具证明，窗口要求必须提供，已经跑了两次。",
                "request": "告知替代材料",
                "urgency": "normal",
            }
            started = time.perf_counter()
            status, location = browser.post("/cases/new/", data)
            timings.append((time.perf_counter() - started) * 1000)
            assert status == 302 and location.startswith("/cases/"), (status, location)
    finally:
        server.terminate()
        server.wait(timeout=20)

    timings.sort()
    result = {
        "benchmark": "register a case through the window form (POST until redirect)",
        "database": "postgresql" if args.database_url else "sqlite",
        "runs": args.runs,
        "median_ms": round(statistics.median(timings), 1),
        "p95_ms": round(timings[int(len(timings) * 0.95) - 1], 1),
        "max_ms": round(timings[-1], 1),
        "machine": f"{os.cpu_count()} cores",
        "date": time.strftime("%Y-%m-%d"),
    }
    out = ROOT / "bench" / "results" / f"intake-{result['database']}.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
