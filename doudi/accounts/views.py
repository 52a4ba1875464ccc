"""Sign in and out. Lockout after repeated failures is django-axes' (see settings)."""

from __future__ import annotations

from django.contrib.auth import views as auth_views

from doudi.accounts.forms import LoginForm


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass
