"""Typed readers for environment variables.

Every setting Doudi takes from the environment goes through these readers, so that a missing or
malformed value stops start-up with one line that names the variable (see ``.env.example``).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlparse


class ConfigError(Exception):
    """A setting is missing or malformed; the message names the variable."""


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name)
    if value is None or value == "":
        if default is None:
            raise ConfigError(f"{name} is required but not set")
        return default
    return value


def env_optional(name: str) -> str | None:
    value = os.environ.get(name, "").strip()
    return value or None


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigError(f"{name} must be true or false (1/0, yes/no), got {raw!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = os.environ.get(name, "").strip() or default
    if value not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}, got {value!r}")
    return value


def database_url(name: str, data_dir: Path) -> str:
    """The database URL: the variable if set, else a SQLite file in the data directory."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return f"sqlite:///{data_dir / 'doudi.sqlite3'}"
    scheme = urlparse(raw).scheme
    if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
        raise ConfigError(
            f"{name} has unsupported scheme {scheme or '(none)'!r}: "
            "use sqlite:////absolute/path.sqlite3 or postgres://user@host:port/db"
        )
    return raw


def redis_url(name: str) -> str | None:
    raw = env_optional(name)
    if raw is None:
        return None
    if urlparse(raw).scheme not in {"redis", "rediss", "unix"}:
        raise ConfigError(f"{name} must be a redis:// URL, got {raw!r}")
    return raw


def generated_secret(
    name: str, data_dir: Path, *, filename: str, make: Callable[[], str], may_generate: bool
) -> str:
    """The variable if set, else a value generated once and kept in the data directory.

    Production never generates: a lost data directory must not silently mean new keys.
    """
    value = env_optional(name)
    if value is not None:
        return value
    if not may_generate:
        raise ConfigError(f"{name} is required when DOUDI_ENV=production")
    path = data_dir / filename
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    # Created with O_EXCL so that two processes starting together cannot both write a value.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip()
    value = make()
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(value)
    return value


def secret_key(name: str, data_dir: Path, *, may_generate: bool) -> str:
    return generated_secret(
        name,
        data_dir,
        filename="secret_key",
        make=lambda: secrets.token_urlsafe(50),
        may_generate=may_generate,
    )


def data_directory(name: str, default: Path) -> Path:
    path = Path(env_str(name, str(default))).expanduser().resolve()
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"{name}: cannot create data directory {path}: {exc.strerror}") from None
    return path


def check_fernet_keys(name: str, keys: list[str]) -> None:
    from cryptography.fernet import Fernet

    for position, key in enumerate(keys, 1):
        try:
            Fernet(key.encode())
        except (ValueError, TypeError):
            raise ConfigError(
                f"{name}: key {position} is not a Fernet key (32 url-safe base64-encoded bytes)"
            ) from None
