"""doudi triage train|evaluate: versions kept under the data directory, the report's last line."""

from __future__ import annotations

import csv
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from doudi.lib.tests.test_routing import examples


def write(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["id", "title", "body", "label"])
        out.writerows((n, *row) for n, row in enumerate(rows))
    return path


@pytest.fixture
def data_dir(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    settings.DATA_DIR = tmp_path / "data"
    return settings.DATA_DIR


def run(*args: str) -> list[str]:
    out = StringIO()
    call_command("triage", *args, stdout=out)
    return out.getvalue().splitlines()


def test_training_keeps_versions_and_evaluation_ends_with_macro_f1(
    data_dir: Path, tmp_path: Path
) -> None:
    train = write(tmp_path / "train.csv", [(e.title, e.body, e.label) for e in examples(0, 10)])
    held = write(tmp_path / "held.csv", [(e.title, e.body, e.label) for e in examples(10, 4)])

    assert run("train", "--data", str(train))[0].startswith("v0001: 30 messages, 3 labels")
    assert run("train", "--data", str(train))[0].startswith("v0002:")
    meta = json.loads((data_dir / "models/routing/v0002.json").read_text(encoding="utf-8"))
    assert (meta["examples"], meta["source"]) == (30, "train.csv")
    assert meta["labels"] == ["交通", "人社", "教育"]

    report = run("evaluate", "--data", str(held))
    assert report[0].endswith("v0002.joblib")
    assert "messages: 12" in report
    assert report[-1] == "macro-F1: 1.000"
    assert len(report) == 3 + 1 + 3 + 1  # model, messages, accuracy; header; classes; macro-F1


def test_evaluation_needs_a_model_and_a_good_file(data_dir: Path, tmp_path: Path) -> None:
    held = write(tmp_path / "held.csv", [("社保", "养老", "人社")])
    with pytest.raises(CommandError, match="no routing model yet"):
        run("evaluate", "--data", str(held))
    with pytest.raises(CommandError, match="No such file"):
        run("train", "--data", str(tmp_path / "missing.csv"))
