"""doudi triage train|evaluate: imported history kept once, versions as rows, the report's
last line."""

from __future__ import annotations

import csv
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from doudi.conftest import Org
from doudi.lib.tests.test_routing import examples
from doudi.triage.models import RoutingModel, TrainingExample


def write(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["id", "title", "body", "label"])
        out.writerows((n, *row) for n, row in enumerate(rows))
    return path


def run(*args: str) -> list[str]:
    out = StringIO()
    call_command("triage", *args, stdout=out)
    return out.getvalue().splitlines()


def test_training_keeps_versions_and_evaluation_ends_with_macro_f1(
    db: None, tmp_path: Path
) -> None:
    train = write(
        tmp_path / "train.csv",
        [(e.title, f"{e.body}（第{n}条）", e.label) for n, e in enumerate(examples(0, 10))],
    )
    held = write(tmp_path / "held.csv", [(e.title, e.body, e.label) for e in examples(10, 4)])

    first = run("train", "--data", str(train))
    assert first[0] == "train.csv: 30 messages, 30 new"
    assert first[1].startswith("department v1: 30 examples, 3 labels")
    # The same file again adds nothing (a message is kept once), but makes a new version.
    again = run("train", "--data", str(train))
    assert again[0] == "train.csv: 30 messages, 0 new"
    assert again[1].startswith("department v2: 30 examples")
    assert TrainingExample.objects.count() == 30
    model = RoutingModel.objects.get(target="department", version=2)
    assert (model.examples, model.labels) == (30, ["交通", "人社", "教育"])
    assert model.source == "history + train.csv"

    report = run("evaluate", "--data", str(held))
    assert report[0].startswith("model: department v2")
    assert "messages: 12" in report
    assert report[-1] == "macro-F1: 1.000"
    assert len(report) == 3 + 1 + 3 + 1  # model, messages, accuracy; header; classes; macro-F1
    assert run("evaluate", "--data", str(held), "--version", "1")[0].startswith(
        "model: department v1"
    )


def test_imported_labels_naming_a_department_become_its_code(org: Org, tmp_path: Path) -> None:
    rows = [("养老保险", "参保", "区人社局"), ("执照", "开办", "Y"), ("道路", "修路", "交通运输")]
    run_file = write(tmp_path / "h.csv", rows)
    with pytest.raises(CommandError, match="nothing to learn from yet"):
        run("train", "--data", str(run_file))
    assert sorted(TrainingExample.objects.values_list("label", flat=True)) == ["X", "Y", "交通运输"]


def test_evaluation_needs_a_model_and_a_good_file(db: None, tmp_path: Path) -> None:
    held = write(tmp_path / "held.csv", [("社保", "养老", "人社")])
    with pytest.raises(CommandError, match="no routing model yet"):
        run("evaluate", "--data", str(held))
    with pytest.raises(CommandError, match="No such file"):
        run("train", "--data", str(tmp_path / "missing.csv"))
    with pytest.raises(CommandError, match="nothing to learn from yet"):
        run("train")
