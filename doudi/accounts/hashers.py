"""Password hashing. Production uses Django's Argon2 hasher with its memory-hard defaults
(about 0.15 s and 100 MB per hash, on purpose). The test settings use the same algorithm with
the smallest parameters, so that the nine personas each test signs in as do not cost seconds of
hashing; the stored format, and every check, stay Argon2's."""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class QuickArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id with minimal cost: for the test suite only (DOUDI_ENV=test)."""

    time_cost = 1
    memory_cost = 8
    parallelism = 1
