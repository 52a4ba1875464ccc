"""Backing up and restoring an installation: the database and the attachments, in one file.

A backup is a tar archive, written next to its final name and renamed when complete:

- ``manifest.json``: format, time, database, the last migration of each app, counts;
- ``db.sqlite3``: SQLite's online backup (the sqlite3 backup API copies the pages of a
  consistent snapshot while the centre keeps working), or ``db.pgdump``: ``pg_dump
  --format=custom`` (compressed, restorable table by table);
- ``attachments/…``: the case files of DATA_DIR/attachments;
- ``keys/…`` only when asked (``--include-keys``): the encryption and hash keys of the data
  directory. Without them the personal data in a backup cannot be read, which is the point of
  keeping them apart; a restore onto a new machine needs the same keys.

Restoring needs the same kind of database. SQLite: the backup's pages are copied back into the
live database through the same API (other connections wait), PostgreSQL: ``pg_restore --clean
--if-exists --single-transaction``; then the attachments directory is swapped for the
backup's and ``migrate`` brings an older backup up to date. A database that holds cases is
restored over only when forced.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.translation import gettext as _

from doudi.core.errors import InvalidInput

FORMAT = 1
KEY_FILES = ("secret_key", "field_key", "hash_key")
Progress = Callable[[str], None]


@dataclass(frozen=True)
class Result:
    path: Path
    manifest: dict[str, Any]
    seconds: float


def _attachments() -> Path:
    return Path(settings.DATA_DIR) / "attachments"


def _migrations() -> dict[str, str]:
    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connection).migration_qs.values_list("app", "name"):
        latest[app] = max(latest.get(app, ""), name)
    return latest


def counts() -> dict[str, int]:
    """What an installation holds, as a manifest records it."""
    from doudi.cases.models import Attachment, Case

    return {"cases": Case.objects.count(), "attachments": Attachment.objects.count()}


def _pg_args(tool: str) -> tuple[list[str], dict[str, str]]:
    """A PostgreSQL client's connection arguments and environment, from Django's settings (so
    that the test database is the one dumped in tests)."""
    db = connection.settings_dict
    args = [tool, "--no-password", "--dbname", db["NAME"]]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = {**os.environ, "PGPASSWORD": str(db.get("PASSWORD") or "")}
    return args, env


def _run(args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode:
        raise InvalidInput(f"{args[0]}: {done.stderr.strip()[:500]}")


def backup(
    directory: Path, *, include_keys: bool = False, progress: Progress | None = None
) -> Result:
    """Write a backup archive into ``directory``; its path, manifest and duration."""
    say = progress or (lambda _text: None)
    started = timezone.now()
    directory.mkdir(parents=True, exist_ok=True)
    name = f"doudi-backup-{timezone.localtime(started):%Y%m%d-%H%M%S}.tar"
    target = directory / name
    with tempfile.TemporaryDirectory(dir=directory, prefix=".backup-") as work:
        vendor = connection.vendor
        if vendor == "sqlite":
            say(_("复制 SQLite 数据库…"))
            dump = Path(work) / "db.sqlite3"
            connection.ensure_connection()
            with sqlite3.connect(dump) as copy:
                connection.connection.backup(copy, pages=4096)
            copy.close()
        elif vendor == "postgresql":
            say(_("pg_dump 导出数据库…"))
            dump = Path(work) / "db.pgdump"
            args, env = _pg_args("pg_dump")
            _run([*args, "--format=custom", "--no-owner", "--file", str(dump)], env)
        else:
            raise InvalidInput(_("不支持备份这种数据库：%(v)s") % {"v": vendor})
        manifest = {
            "format": FORMAT,
            "created_at": started.isoformat(),
            "database": vendor,
            "migrations": _migrations(),
            "counts": counts(),
            "keys": include_keys,
        }
        partial = directory / f".{name}.partial"
        with tarfile.open(partial, "w") as archive:
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size, info.mtime = len(data), int(started.timestamp())
            archive.addfile(info, io.BytesIO(data))
            archive.add(dump, arcname=dump.name)
            if _attachments().exists():
                say(_("打包附件…"))
                archive.add(_attachments(), arcname="attachments")
            if include_keys:
                for key in KEY_FILES:
                    path = Path(settings.DATA_DIR) / key
                    if path.exists():
                        archive.add(path, arcname=f"keys/{key}")
        partial.replace(target)
    seconds = (timezone.now() - started).total_seconds()
    return Result(target, manifest, seconds)


def read_manifest(archive: tarfile.TarFile) -> dict[str, Any]:
    try:
        member = archive.extractfile("manifest.json")
    except KeyError:
        member = None
    if member is None:
        raise InvalidInput(_("这不是兜底的备份文件（没有 manifest.json）。"))
    manifest: dict[str, Any] = json.loads(member.read())
    if manifest.get("format") != FORMAT:
        raise InvalidInput(_("备份格式不受支持。"))
    return manifest


def restore(path: Path, *, force: bool = False, progress: Progress | None = None) -> Result:
    """Put a backup back: the database, then the attachments; then migrate."""
    from doudi.cases.models import Case

    say = progress or (lambda _text: None)
    started = timezone.now()
    try:
        archive = tarfile.open(path, "r")  # noqa: SIM115 - closed by the with below
    except (OSError, tarfile.TarError) as error:
        raise InvalidInput(_("无法读取备份文件：%(e)s") % {"e": error}) from error
    with archive, tempfile.TemporaryDirectory(dir=Path(settings.DATA_DIR)) as work:
        manifest = read_manifest(archive)
        if manifest["database"] != connection.vendor:
            raise InvalidInput(
                _("备份来自 %(a)s，当前数据库是 %(b)s：只能恢复到同一种数据库。")
                % {"a": manifest["database"], "b": connection.vendor}
            )
        newer = {
            app: name
            for app, name in manifest["migrations"].items()
            if name > _migrations().get(app, "")
        }
        if newer:
            raise InvalidInput(_("备份来自更新的版本（%(a)s），请先升级兜底。") % {"a": newer})
        if not force and Case.objects.exists():
            raise InvalidInput(_("当前数据库已有案件：确认覆盖请加 --force。"))
        archive.extractall(work, filter="data")
        say(_("恢复数据库…"))
        if connection.vendor == "sqlite":
            connection.ensure_connection()
            with sqlite3.connect(Path(work) / "db.sqlite3") as source:
                source.backup(connection.connection, pages=4096)
            source.close()
        else:
            args, env = _pg_args("pg_restore")
            _run([*args, "--clean", "--if-exists", "--no-owner", "--single-transaction",
                  str(Path(work) / "db.pgdump")], env)  # fmt: skip
            # pg_restore brings no planner statistics: until autovacuum gets to a million
            # fresh rows, the case list and search chose plans for empty tables (seconds).
            say(_("更新查询统计…"))
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        say(_("恢复附件…"))
        _swap(Path(work) / "attachments", _attachments())
        say(_("检查数据库结构…"))
        call_command("migrate", verbosity=0, interactive=False)
    seconds = (timezone.now() - started).total_seconds()
    return Result(path, manifest, seconds)


def _swap(source: Path, target: Path) -> None:
    """Replace ``target`` with ``source`` (an empty directory when the backup had none); the
    old directory is removed only once the new one is in place."""
    if not source.exists():
        source.mkdir()
    old = target.with_name(f".{target.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.replace(old)
    shutil.move(str(source), str(target))
    shutil.rmtree(old, ignore_errors=True)
