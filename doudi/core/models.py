"""Small shared tables: rate-limit counters, key rotation checkpoints."""

from __future__ import annotations

from django.db import models


class RateCounter(models.Model):
    """Hits of one key in one fixed time window, shared by every process through the database.

    The embedded default has no shared cache (no Redis), so counters live in the database,
    where an UPDATE … SET count = count + 1 is atomic on SQLite and PostgreSQL alike.
    """

    key = models.CharField(max_length=200)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="rate_counter_key_window")
        ]
        indexes = [models.Index(fields=["window_start"], name="rate_counter_window")]

    def __str__(self) -> str:
        return f"{self.key} {self.window_start:%Y-%m-%d %H:%M} {self.count}"


class KeyRotation(models.Model):
    """How far re-encrypting one model's rows under a key has got (``core.keys.rotate``)."""

    model = models.CharField(max_length=100, unique=True)
    key = models.CharField(max_length=16, default="")  # the fingerprint of the target key
    last_pk = models.BigIntegerField(default=0)
    rows = models.BigIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.model} {self.key} {self.last_pk}"
