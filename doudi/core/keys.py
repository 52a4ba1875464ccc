"""Rotating the keys that encrypt personal data (``doudi keys``).

The first key of ``DOUDI_FIELD_KEYS`` encrypts, every key decrypts (``core.crypto``). To
rotate: make a key (``doudi keys new``), put it first — in ``DOUDI_FIELD_KEYS``, or in the data
directory's key file with ``doudi keys add`` in the embedded default — restart every process,
then ``doudi keys rotate`` re-encrypts every encrypted field of every row under it. When that
has finished, the old key can be dropped.

A rotation works model by model in primary-key order, in batches, each batch one transaction
with its checkpoint (``KeyRotation``); run again after a stop, it goes on from the checkpoint.
A checkpoint belongs to the key it rotated to: with a newer first key it starts over.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet
from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from doudi.core.crypto import EncryptedTextField
from doudi.core.errors import InvalidInput
from doudi.core.models import KeyRotation

BATCH = 500


def new_key() -> str:
    return Fernet.generate_key().decode()


def fingerprint(key: str) -> str:
    """A short name for a key that gives nothing of it away."""
    return hashlib.sha256(f"doudi-key:{key}".encode()).hexdigest()[:16]


def add_key(data_dir: Path, key: str) -> list[str]:
    """Put ``key`` first in the data directory's key file (the embedded default); the keys."""
    if os.environ.get("DOUDI_FIELD_KEYS"):
        raise InvalidInput(
            "DOUDI_FIELD_KEYS 已设置：请把新密钥放在它的最前面 / DOUDI_FIELD_KEYS is set: put the "
            "new key first in it"
        )
    try:
        Fernet(key.encode())
    except ValueError as error:
        raise InvalidInput("不是有效的密钥 / not a Fernet key") from error
    path = data_dir / "field_key"
    keys = [key, *(k for k in path.read_text().strip().split(",") if k and k != key)]
    partial = path.with_suffix(".partial")
    partial.write_text(",".join(keys))
    partial.chmod(0o600)
    partial.replace(path)
    return keys


def encrypted_models() -> Iterator[tuple[type[models.Model], list[str]]]:
    for model in apps.get_models():
        names = [
            f.attname for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)
        ]
        if names:
            yield model, names


@dataclass(frozen=True)
class Rotated:
    model: str
    rows: int


def rotate(progress: Callable[[str, int], None] | None = None) -> list[Rotated]:
    """Re-encrypt every encrypted value under the first key; resumable."""
    target = fingerprint(settings.FIELD_ENCRYPTION_KEYS[0])
    done = []
    for model, names in encrypted_models():
        label = model._meta.label
        checkpoint, _ = KeyRotation.objects.get_or_create(model=label)
        if checkpoint.key != target:
            checkpoint.key, checkpoint.last_pk, checkpoint.rows = target, 0, 0
            checkpoint.finished_at = None
            checkpoint.save()
        while checkpoint.finished_at is None:
            with transaction.atomic():
                # Reading decrypts with any key; saving encrypts with the first.
                batch = list(
                    model._default_manager.filter(pk__gt=checkpoint.last_pk)
                    .order_by("pk")
                    .only("pk", *names)[:BATCH]
                )
                if batch:
                    model._default_manager.bulk_update(batch, names)
                    checkpoint.last_pk = batch[-1].pk
                    checkpoint.rows += len(batch)
                if len(batch) < BATCH:
                    checkpoint.finished_at = timezone.now()
                checkpoint.save()
            if progress:
                progress(label, checkpoint.rows)
        done.append(Rotated(label, checkpoint.rows))
    return done
