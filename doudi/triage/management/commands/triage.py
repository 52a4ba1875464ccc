"""doudi triage train|evaluate: the routing model (doudi.lib.routing, docs/triage-evaluation.md).

doudi triage train --data FILE.csv      # columns title, body, label; keeps a new version
doudi triage evaluate --data FILE.csv   # the version in use (or --model FILE) on the file
"""

from __future__ import annotations

import time
import unicodedata
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from doudi.lib import routing
from doudi.triage.routing import latest, train_and_keep


class Command(BaseCommand):
    help = "训练与评估分拣建议模型 / Train and evaluate the routing model"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        train = sub.add_parser("train", help="训练新版本 / train a new version")
        train.add_argument("--data", required=True, type=Path, help="CSV: title,body,label")
        evaluate = sub.add_parser("evaluate", help="评估 / evaluate")
        evaluate.add_argument("--data", required=True, type=Path, help="CSV: title,body,label")
        evaluate.add_argument("--model", type=Path, help="a saved model (default: in use)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            examples = routing.read_examples(options["data"])
            if options["action"] == "train":
                self._train(examples, options["data"])
            else:
                self._evaluate(examples, options.get("model"))
        except routing.DataError as exc:
            raise CommandError(str(exc)) from exc

    def _train(self, examples: list[routing.Example], data: Path) -> None:
        started = time.perf_counter()
        version = train_and_keep(examples, source=data.name)
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"{version.name}: {len(examples)} messages, "
            f"{len({e.label for e in examples})} labels, {seconds:.1f} s → {version.path}"
        )

    def _evaluate(self, examples: list[routing.Example], model_path: Path | None) -> None:
        if model_path is None:
            version = latest()
            if version is None:
                raise CommandError("no routing model yet: run `doudi triage train --data FILE`")
            model_path = version.path
        result = routing.evaluate(routing.load(model_path), examples)
        write = self.stdout.write
        write(f"model: {model_path}")
        write(f"messages: {result.examples}")
        write(f"accuracy: {result.accuracy:.3f}")
        width = max(_width(c.label) for c in result.classes) + 2
        write(_pad("label", width) + "precision  recall  f1     support")
        for c in result.classes:
            scores = f"{c.precision:9.3f}  {c.recall:6.3f}  {c.f1:.3f}  {c.support:7d}"
            write(_pad(c.label, width) + scores)
        write(f"macro-F1: {result.macro_f1:.3f}")


def _width(text: str) -> int:
    """Columns on a terminal: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
