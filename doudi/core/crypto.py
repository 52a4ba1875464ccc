"""Personal data at rest: encrypted model fields and keyed hashes for equality lookups.

Encryption is Fernet (AES-128-CBC + HMAC-SHA256, from the ``cryptography`` package) through
MultiFernet: the first key in settings.FIELD_ENCRYPTION_KEYS encrypts, every key decrypts, so a
new key can be put first and old rows re-encrypted at leisure. A lookup such as "the same phone"
compares HMAC-SHA256 digests under a separate key, never plaintext.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

PREFIX = "f1:"  # marks a stored value as encrypted (and which scheme), for audits and rotation


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except (ValueError, TypeError):
        raise ImproperlyConfigured(
            "DOUDI_FIELD_KEYS must hold Fernet keys (32 url-safe base64 bytes), comma-separated"
        ) from None


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(value: str) -> str:
    return PREFIX + fernet().encrypt(value.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    if not token.startswith(PREFIX):
        raise ValueError("not an encrypted value")
    try:
        return fernet().decrypt(token[len(PREFIX) :].encode("ascii")).decode("utf-8")
    except InvalidToken:
        raise ValueError("the value cannot be decrypted with any configured key") from None


def lookup_hash(value: str, *, purpose: str) -> str:
    """A keyed hash of a normalised value, for "same phone" / "same ID" lookups."""
    key = settings.LOOKUP_HASH_KEY.encode("utf-8")
    message = f"{purpose}:{value}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """A text field stored encrypted; it reads and writes plain ``str`` in Python.

    Empty values are stored as the empty string so that "not given" stays visible to queries;
    nothing else about the value can be searched.
    """

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt(str(value))

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value in (None, ""):
            return value
        return decrypt(value)

    def get_lookup(self, lookup_name: str) -> Any:
        # Equality on ciphertext never matches (each encryption is randomised): refuse it.
        if lookup_name not in {"isnull"}:
            return None
        return super().get_lookup(lookup_name)
