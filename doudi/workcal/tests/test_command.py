"""`doudi calendar`: due dates, import, seed, show."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from doudi.workcal.models import CalendarDay, CalendarYear


def run(*args: str) -> str:
    out = StringIO()
    call_command("calendar", *args, stdout=out, stderr=StringIO())
    return out.getvalue().strip()


@pytest.mark.parametrize(
    ("start", "n", "printed"),
    [
        ("2026-02-12", "5", "2026-02-26"),
        ("2026-09-29", "5", "2026-10-12"),
        ("2025-12-31", "1", "2026-01-04"),
    ],
)
def test_due_prints_the_design_reference_dates(db: None, start: str, n: str, printed: str) -> None:
    assert run("due", start, n) == printed


def test_due_in_a_year_without_arrangement_says_provisional(db: None) -> None:
    assert run("due", "2027-03-01", "5") == "2027-03-08 provisional"
    assert run("due", "2026-12-31", "1") == "2027-01-04 provisional"  # 01-01 is statutory


def test_due_takes_the_counting_flags(db: None) -> None:
    assert run("due", "2026-02-12", "5", "--count-start") == "2026-02-25"
    assert run("due", "2026-02-12", "1", "--inclusive-end") == "2026-02-13"
    assert run("due", "2026-02-13", "1", "--inclusive-end") == "2026-02-23"


def test_due_refuses_a_bad_date_or_a_negative_count(db: None) -> None:
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        run("due", "2026-02-30", "5")
    with pytest.raises(CommandError, match="negative"):
        run("due", "2026-02-12", "-1")


def test_import_then_due_is_no_longer_provisional(
    db: None, tmp_path: Path, example_csv: bytes, example_json: bytes
) -> None:
    assert run("due", "2027-09-30", "5").endswith("provisional")
    path = tmp_path / "2027.csv"
    path.write_bytes(example_csv)
    assert "2027" in run("import", str(path))
    assert run("due", "2027-09-30", "5") == "2027-10-13"  # 10-01..10-07 off, 10-09 make-up
    json_path = tmp_path / "2027.json"
    json_path.write_bytes(example_json)
    run("import", str(json_path), "--note", "JSON")
    assert CalendarYear.objects.get(year=2027).note == "JSON"


def test_import_reports_errors_by_line_and_changes_nothing(db: None, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("date,kind\n2027-01-01,holiday\n2027-01-01,holiday\n2027-01-05,makeup\n")
    err = StringIO()
    with pytest.raises(CommandError, match="nothing imported"):
        call_command("calendar", "import", str(path), stdout=StringIO(), stderr=err)
    assert "line 3" in err.getvalue()
    assert "line 4" in err.getvalue()
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_import_refuses_other_extensions_and_missing_files(db: None, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"\.csv or \.json"):
        run("import", str(tmp_path / "2027.xlsx"))
    with pytest.raises(CommandError, match="cannot read"):
        run("import", str(tmp_path / "missing.csv"))


def test_seed_is_idempotent(db: None) -> None:
    assert "nothing to seed" in run("seed")
    CalendarDay.objects.filter(year=2025).delete()
    assert "2025" in run("seed")
    assert CalendarDay.objects.filter(year=2025).count() == 33


def test_show_lists_an_official_year(db: None) -> None:
    text = run("show", "2026")
    assert "official" in text
    assert "2026-02-14 周六 班 makeup  春节" in text
    assert "2026-10-07 周三 休 holiday 国庆节" in text


def test_show_marks_a_year_without_arrangement_provisional(db: None, capsys: Any) -> None:
    text = run("show", "2027")
    assert "provisional" in text
    assert "2027-02-10 周三 休 holiday 春节（补假）" in text
    assert "makeup" not in text
