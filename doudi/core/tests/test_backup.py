"""A backup holds the database and the attachments; a restore puts them back (on SQLite and
PostgreSQL, whichever the suite runs on)."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from PIL import Image

from doudi.cases.actions import Intake, Reporter, Upload, case_register
from doudi.cases.models import Attachment, Case
from doudi.conftest import Org, Personas
from doudi.core.backup import backup, restore
from doudi.core.errors import DomainError


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="PNG")
    return buffer.getvalue()


pytestmark = pytest.mark.django_db(transaction=True)  # pg_dump reads what is committed


def register(org: Org, people: Personas, title: str, uploads: tuple[Upload, ...] = ()) -> Case:
    return case_register(
        actor=people.clerk_a,
        intake=Intake(
            centre=org.centre_a,
            channel="window",
            title=title,
            description="经过",
            reporter=Reporter(name="赵铁柱", phone="13800001234"),
        ),
        uploads=uploads,
    )


def test_a_backup_round_trips(org: Org, people: Personas, tmp_path: Path) -> None:
    image = png()
    kept = register(org, people, "备份前的案件", (Upload("证明.png", image),))
    made = backup(tmp_path)
    assert made.manifest["counts"] == {"cases": 1, "attachments": 1}
    with tarfile.open(made.path) as archive:
        names = archive.getnames()
    assert "manifest.json" in names
    assert any(name.startswith("attachments/") and name.endswith(".png") for name in names)
    assert not any(name.startswith("keys/") for name in names)

    # After the backup: a new case, a changed one, a lost file.
    register(org, people, "备份后的案件")
    Case.objects.filter(pk=kept.pk).update(title="被改过")
    stored = Path(Attachment.objects.get().file.path)
    stored.unlink()
    with pytest.raises(DomainError, match="--force"):
        restore(made.path)
    restore(made.path, force=True)
    assert list(Case.objects.values_list("title", flat=True)) == ["备份前的案件"]
    case = Case.objects.get()
    assert case.reporter_phone == "13800001234"  # decrypts with the same keys
    assert stored.read_bytes() == image


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite's pages carry sqlite_stat1")
def test_a_restore_leaves_the_planner_its_statistics(
    org: Org, people: Personas, tmp_path: Path
) -> None:
    register(org, people, "备份前的案件")
    made = backup(tmp_path)
    restore(made.path, force=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stats WHERE tablename = 'cases_case'")
        assert cursor.fetchone()[0] > 0  # only ANALYZE fills pg_stats


def test_a_backup_of_another_kind_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "not-a-backup.tar"
    with tarfile.open(path, "w") as archive:
        archive.add(__file__, arcname="something.py")
    with pytest.raises(DomainError, match="manifest"):
        restore(path)
    (tmp_path / "junk.tar").write_bytes(b"junk")
    with pytest.raises(CommandError, match="无法读取"):
        call_command("restore", str(tmp_path / "junk.tar"))


def test_the_commands(org: Org, people: Personas, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    register(org, people, "案件")
    call_command("backup", to=tmp_path, include_keys=True)
    path = Path(capsys.readouterr().out.strip().splitlines()[-1])
    with tarfile.open(path) as archive:
        assert "keys/field_key" in archive.getnames()
    call_command("restore", str(path), force=True)
    assert "已恢复" in capsys.readouterr().out
