"""Sign in and out.

Two limits guard the login form: django-axes locks one user name from one address after
repeated failures (see settings), and failures from one address across all user names are
capped, so that trying many names from one place stops too.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse

from doudi.accounts.forms import LoginForm
from doudi.core import ratelimit

# A hall of staff behind one address fails now and then; a script trying names fails fast.
FAILURES_PER_IP = (30, 15 * 60)


def _failures_key(request: HttpRequest) -> str:
    return f"login-fail:ip:{ratelimit.client_ip(request)}"


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        limit, period = FAILURES_PER_IP
        if ratelimit.exceeded(_failures_key(request), limit=limit, period_seconds=period):
            return ratelimit.limited(request, period)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: Any) -> HttpResponse:
        limit, period = FAILURES_PER_IP
        ratelimit.hit(_failures_key(self.request), limit=limit, period_seconds=period)
        return super().form_invalid(form)


class LogoutView(auth_views.LogoutView):
    pass
