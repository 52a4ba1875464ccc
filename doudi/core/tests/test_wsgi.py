"""The WSGI application a worker process loads."""

from __future__ import annotations

import os
import subprocess
import sys

from django.conf import settings


def test_the_worker_loads_every_view_and_keeps_the_started_heap_out_of_the_collector() -> None:
    # In a process of its own: freezing would keep this test process's objects for good.
    probe = (
        "import gc, sys\n"
        "before = gc.get_freeze_count()\n"
        "import doudi.wsgi\n"
        "print(before, gc.get_freeze_count(), 'doudi.api.api' in sys.modules)\n"
    )
    done = subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", probe],
        env=os.environ.copy(),
        cwd=settings.BASE_DIR.parent,
        capture_output=True,
        text=True,
        check=True,
    )
    before, frozen, views_loaded = done.stdout.split()
    assert before == "0"
    # The views (the API's among them) are loaded before the freeze, not by a first request.
    assert views_loaded == "True"
    # Django, the project's modules and the views: far more than a bare interpreter's objects.
    assert int(frozen) > 50_000


PROXY_PROBE = """
import io, sys
from django.core.signals import request_started
import doudi.wsgi

seen = []
request_started.connect(
    lambda sender, environ, **kw: seen.append(environ["REMOTE_ADDR"]), weak=False
)
for remote in sys.argv[1:]:
    environ = {
        "REQUEST_METHOD": "GET", "PATH_INFO": "/healthz", "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80", "REMOTE_ADDR": remote, "HTTP_X_FORWARDED_FOR": "203.0.113.9",
        "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(), "wsgi.errors": sys.stderr,
    }
    b"".join(doudi.wsgi.application(environ, lambda status, headers, exc=None: None))
print(" ".join(seen))
"""


def _addresses_seen(trusted: str | None, *remotes: str) -> list[str]:
    env = os.environ.copy()
    env.pop("DOUDI_TRUSTED_PROXIES", None)
    if trusted is not None:
        env["DOUDI_TRUSTED_PROXIES"] = trusted
    done = subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", PROXY_PROBE, *remotes],
        env=env,
        cwd=settings.BASE_DIR.parent,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.split()


def test_the_client_address_comes_from_x_forwarded_for_only_behind_a_trusted_proxy() -> None:
    # From the trusted network, the forwarded client; from anywhere else, its own address.
    assert _addresses_seen("10.0.0.0/8, 192.0.2.1", "10.1.2.3", "192.0.2.1", "198.51.100.7") == [
        "203.0.113.9",
        "203.0.113.9",
        "198.51.100.7",
    ]
    # None trusted (the default): the header is never believed.
    assert _addresses_seen(None, "10.1.2.3") == ["10.1.2.3"]
