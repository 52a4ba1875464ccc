"""doudi triage train|evaluate: the routing models (docs/triage-evaluation.md).

doudi triage train                      # from the settled cases (and imported history)
doudi triage train --data FILE.csv      # columns title, body, label: imported, then trained
doudi triage evaluate --data FILE.csv   # the department model in use (or --version N)
"""

from __future__ import annotations

import io
import unicodedata
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from doudi.lib import routing as learn
from doudi.triage.actions import routing_import, routing_train
from doudi.triage.models import RoutingModel, RoutingTarget


class Command(BaseCommand):
    help = "训练与评估分拣建议模型 / Train and evaluate the routing models"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        train = sub.add_parser(
            "train",
            help="训练新版本：已办结案件及导入的历史数据 / train new versions from the settled "
            "cases and imported history",
        )
        train.add_argument(
            "--data", type=Path, help="先导入此 CSV（title,body,label）/ import this CSV first"
        )
        evaluate = sub.add_parser(
            "evaluate", help="评估承办部门模型 / evaluate the department model"
        )
        evaluate.add_argument("--data", required=True, type=Path, help="CSV: title,body,label")
        evaluate.add_argument("--version", type=int, help="模型版本（默认：在用）/ default: in use")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "train":
                self._train(options.get("data"))
            else:
                self._evaluate(learn.read_examples(options["data"]), options.get("version"))
        except learn.DataError as exc:
            raise CommandError(str(exc)) from exc

    def _train(self, data: Path | None) -> None:
        source = "history"
        if data is not None:
            examples = learn.read_examples(data)
            added = routing_import(examples=examples, source=data.name)
            self.stdout.write(f"{data.name}: {len(examples)} messages, {added} new")
            source = f"history + {data.name}"
        result = routing_train(source=source)
        for model in result.trained:
            self.stdout.write(
                f"{model.target} v{model.version}: {model.examples} examples, "
                f"{len(model.labels)} labels, {model.seconds:.1f} s"
            )
        for target, count in result.skipped.items():
            self.stdout.write(f"{target}: not trained, {count} examples are too few (or one label)")
        if not result.trained:
            raise CommandError("nothing to learn from yet: settle some cases or import --data")

    def _evaluate(self, examples: list[learn.Example], version: int | None) -> None:
        rows = RoutingModel.objects.filter(target=RoutingTarget.DEPARTMENT)
        row = (rows.filter(version=version) if version else rows.order_by("-version")).first()
        if row is None:
            raise CommandError(
                f"no department model v{version}"
                if version
                else "no routing model yet: run `doudi triage train --data FILE`"
            )
        result = learn.evaluate(learn.load(io.BytesIO(bytes(row.blob))), examples)
        write = self.stdout.write
        write(f"model: department v{row.version} ({row.source}, {row.examples} examples)")
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
