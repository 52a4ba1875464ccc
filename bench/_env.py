"""The environment every benchmark runs in, set in its own process (and so in the commands it
starts): development settings, the embedded task queue, a data directory, and the given
PostgreSQL database or else the data directory's SQLite file."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def use_environment(database_url: str, data_dir: str = "") -> str:
    """Point this process at ``data_dir`` (made if missing; a fresh temporary one if empty) and
    at ``database_url`` (SQLite in the data directory if empty), ready for ``django.setup()``.
    The data directory."""
    if data_dir:
        Path(data_dir).mkdir(parents=True, exist_ok=True)
    os.environ["DOUDI_DATA_DIR"] = data_dir or tempfile.mkdtemp(prefix="doudi-bench-")
    os.environ["DOUDI_ENV"] = "development"
    os.environ.pop("REDIS_URL", None)
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "doudi.settings")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    return os.environ["DOUDI_DATA_DIR"]
