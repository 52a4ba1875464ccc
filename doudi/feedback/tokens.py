"""Signed, short-lived tokens for the public rating pages.

A window page's token stands for one service event: it carries a random key, and the rating
stores that key under a unique constraint, so one token makes at most one rating. A case's
rating link, sent by SMS after the answer, names the case and its return-visit round.
"""

from __future__ import annotations

import secrets

from django.core import signing
from django.urls import reverse

WINDOW_SALT = "doudi.feedback.window-rating"
CASE_SALT = "doudi.feedback.case-rating"
# A window page is rated within two hours of opening it (the service event just happened).
WINDOW_TOKEN_MAX_AGE = 2 * 60 * 60
CASE_LINK_VALID_DAYS = 10


class BadToken(Exception):
    """Missing, forged, expired, or for another window."""


def window_token(window_id: int) -> str:
    return signing.dumps({"w": window_id, "k": secrets.token_urlsafe(12)}, salt=WINDOW_SALT)


def read_window_token(token: str, *, window_id: int) -> str:
    """The service event's key, if ``token`` is a valid, fresh token of this window."""
    try:
        data = signing.loads(token, salt=WINDOW_SALT, max_age=WINDOW_TOKEN_MAX_AGE)
    except signing.BadSignature as exc:  # includes SignatureExpired
        raise BadToken from exc
    if not isinstance(data, dict) or data.get("w") != window_id or not data.get("k"):
        raise BadToken
    return f"w:{data['k']}"


def case_link_token(case_id: int, round_: int) -> str:
    return signing.dumps({"c": case_id, "r": round_}, salt=CASE_SALT)


def case_rating_path(case_id: int, round_: int) -> str:
    """The reporter's rating page of this case's return-visit round (the SMS link's path)."""
    return reverse("feedback_public:case_rating", args=[case_link_token(case_id, round_)])


def read_case_link_token(token: str) -> tuple[int, int]:
    try:
        data = signing.loads(token, salt=CASE_SALT, max_age=CASE_LINK_VALID_DAYS * 24 * 3600)
    except signing.BadSignature as exc:
        raise BadToken from exc
    if not isinstance(data, dict) or not isinstance(data.get("c"), int):
        raise BadToken
    return data["c"], int(data.get("r", 1))
