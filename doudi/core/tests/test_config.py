"""Configuration: bad or missing settings stop start-up with one line naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from doudi import config

STRONG_KEY = "k" * 20 + "Zq8#mP2$vL9!xR4&nT6*wB1@cF3^hJ5%"
# Production needs its data keys given, never generated.
DATA_KEYS = {
    "DOUDI_FIELD_KEYS": "3q2-7wS9mZc1k1Qm0yCq9o1O6iXl8cH4m9xJ8t1n7bA=",
    "DOUDI_HASH_KEY": "h" * 40,
}


def run_doudi(tmp_path: Path, *command: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DOUDI_", "DATABASE_URL"))}
    base.update({"DOUDI_DATA_DIR": str(tmp_path / "data"), **env})
    if env.get("DOUDI_ENV") == "production" and "DOUDI_FIELD_KEYS" not in env:
        base.update(DATA_KEYS)
    return subprocess.run(  # noqa: S603  (the test's own fixed arguments)
        [sys.executable, "-m", "doudi", *(command or ("check",))],
        env=base,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"DATABASE_URL": "mysql://root@localhost/doudi"}, "DATABASE_URL"),
        ({"REDIS_URL": "http://localhost:6379"}, "REDIS_URL"),
        ({"DOUDI_ENV": "staging"}, "DOUDI_ENV"),
        ({"DOUDI_DEBUG": "perhaps"}, "DOUDI_DEBUG"),
        ({"DOUDI_SESSION_MINUTES": "ten"}, "DOUDI_SESSION_MINUTES"),
        ({"DOUDI_FIELD_KEYS": "not-a-key"}, "DOUDI_FIELD_KEYS"),
        ({"DOUDI_ENV": "production", "ALLOWED_HOSTS": "doudi.example.gov.cn"}, "SECRET_KEY"),
        ({"DOUDI_ENV": "production", "SECRET_KEY": "short", "ALLOWED_HOSTS": "a.cn"}, "SECRET_KEY"),
        ({"DOUDI_ENV": "production", "SECRET_KEY": STRONG_KEY}, "ALLOWED_HOSTS"),
        (
            {"DOUDI_ENV": "production", "SECRET_KEY": STRONG_KEY, "ALLOWED_HOSTS": "*"},
            "ALLOWED_HOSTS",
        ),
        (
            {
                "DOUDI_ENV": "production",
                "SECRET_KEY": STRONG_KEY,
                "ALLOWED_HOSTS": "a.cn",
                "DOUDI_DEBUG": "1",
            },
            "DOUDI_DEBUG",
        ),
    ],
)
def test_it_stops_with_one_line_naming_the_variable(
    tmp_path: Path, env: dict[str, str], named: str
) -> None:
    result = run_doudi(tmp_path, **env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert named in lines[0]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("missing", sorted(DATA_KEYS))
def test_production_refuses_to_generate_data_keys(tmp_path: Path, missing: str) -> None:
    keys = {name: value for name, value in DATA_KEYS.items() if name != missing}
    result = run_doudi(
        tmp_path,
        DOUDI_ENV="production",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="doudi.gov.cn",
        DOUDI_FIELD_KEYS=keys.get("DOUDI_FIELD_KEYS", ""),
        **{k: v for k, v in keys.items() if k != "DOUDI_FIELD_KEYS"},
    )
    assert result.returncode == 2
    assert missing in result.stderr


def test_it_starts_in_production_with_secure_settings(tmp_path: Path) -> None:
    result = run_doudi(
        tmp_path, DOUDI_ENV="production", SECRET_KEY=STRONG_KEY, ALLOWED_HOSTS="doudi.gov.cn"
    )
    assert result.returncode == 0, result.stderr


def test_the_deployment_checklist_finds_nothing_in_production(tmp_path: Path) -> None:
    result = run_doudi(
        tmp_path,
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DOUDI_ENV="production",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="doudi.gov.cn",
    )
    assert result.returncode == 0, result.stderr
    assert "no issues (0 silenced)" in result.stdout


@pytest.mark.parametrize(("env", "first"), [("production", "Argon2"), ("test", "QuickArgon2")])
def test_only_the_test_suite_hashes_passwords_cheaply(tmp_path: Path, env: str, first: str) -> None:
    result = run_doudi(
        tmp_path,
        "diffsettings",
        DOUDI_ENV=env,
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="doudi.gov.cn",
    )
    assert result.returncode == 0, result.stderr
    hashers = next(line for line in result.stdout.splitlines() if "PASSWORD_HASHERS" in line)
    assert hashers.split(",")[0].endswith(f".{first}PasswordHasher'"), hashers


def test_parallel_test_processes_keep_their_files_apart(tmp_path: Path) -> None:
    """Each xdist worker has a database of its own, so the same row ids: an export named by its
    id in a shared directory was once read by the other worker's test (a flaky matrix cell)."""
    result = run_doudi(tmp_path, "diffsettings", DOUDI_ENV="test", PYTEST_XDIST_WORKER="gw7")
    assert result.returncode == 0, result.stderr
    data_dir = next(line for line in result.stdout.splitlines() if line.startswith("DATA_DIR"))
    assert f"PosixPath('{tmp_path / 'data' / 'gw7'}')" in data_dir, data_dir


def test_it_generates_the_secret_key_once_and_keeps_it(tmp_path: Path) -> None:
    first = config.secret_key("DOUDI_TEST_UNSET_KEY", tmp_path, may_generate=True)
    second = config.secret_key("DOUDI_TEST_UNSET_KEY", tmp_path, may_generate=True)
    assert first == second
    assert len(first) >= 50
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_the_default_database_is_sqlite_in_the_data_directory(tmp_path: Path) -> None:
    assert config.database_url("DOUDI_TEST_UNSET_URL", tmp_path) == (
        f"sqlite:///{tmp_path / 'doudi.sqlite3'}"
    )


def test_env_example_lists_every_variable_the_settings_read() -> None:
    root = Path(__file__).resolve().parents[3]
    example = (root / ".env.example").read_text(encoding="utf-8")
    sources = [root / "doudi" / "settings.py", *root.glob("doudi/core/management/commands/*.py")]
    import re

    pattern = re.compile(r'env_\w+\(\s*"([A-Z_]+)"|config\.\w+\(\s*"([A-Z_]+)"')
    names = {a or b for path in sources for a, b in pattern.findall(path.read_text("utf-8"))}
    assert names, "the pattern found no variables: it is broken"
    missing = sorted(name for name in names if f"{name}=" not in example)
    assert missing == []
