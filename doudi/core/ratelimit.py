"""Fixed-window rate limits on public pages (online form, tracking codes).

``hit`` counts one attempt and says whether it is still within the limit; ``exceeded`` only
looks. Keys name what is limited and for whom, e.g. ``track-fail:ip:203.0.113.9``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import wraps
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from doudi.core.models import RateCounter


def _window(period_seconds: int) -> datetime:
    now = datetime.now(UTC).timestamp()
    return datetime.fromtimestamp(now - now % period_seconds, UTC)


def _count(key: str, start: datetime) -> int:
    row = RateCounter.objects.filter(key=key, window_start=start).values_list("count", flat=True)
    return next(iter(row), 0)


def hit(key: str, *, limit: int, period_seconds: int) -> bool:
    """Count one attempt; True while the window holds at most ``limit`` attempts."""
    start = _window(period_seconds)
    counters = RateCounter.objects.filter(key=key, window_start=start)
    if not counters.update(count=F("count") + 1):
        try:
            with transaction.atomic():
                RateCounter.objects.create(key=key, window_start=start, count=1)
        except IntegrityError:  # another process created it first
            counters.update(count=F("count") + 1)
    return _count(key, start) <= limit


def exceeded(key: str, *, limit: int, period_seconds: int) -> bool:
    return _count(key, _window(period_seconds)) >= limit


def purge_before(moment: datetime) -> int:
    deleted, _ = RateCounter.objects.filter(window_start__lt=moment).delete()
    return deleted


def client_ip(request: HttpRequest) -> str:
    # Behind proxies, DOUDI_TRUSTED_PROXIES makes REMOTE_ADDR the client's (doudi/wsgi.py).
    return str(request.META.get("REMOTE_ADDR", "unknown"))


def purge_old_counters() -> int:
    return purge_before(datetime.now(UTC) - timedelta(days=1))


def limited(request: HttpRequest, period_seconds: int) -> HttpResponse:
    """The page a caller gets once over a limit (429, in the public pages' look), saying how
    long at most to wait: the limit's period."""
    minutes = max(1, -(-period_seconds // 60))
    return render(request, "public/limited.html", {"minutes": minutes}, status=429)


def per_ip(name: str, *, limit: int, period_seconds: int) -> Callable[..., Any]:
    """A view decorator: every request counts against ``name`` for the caller's address."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            key = f"{name}:ip:{client_ip(request)}"
            if not hit(key, limit=limit, period_seconds=period_seconds):
                return limited(request, period_seconds)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
