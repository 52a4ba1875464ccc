"""Where the routing models live: versioned files under the data directory.

Each training writes ``models/routing/vNNNN.joblib`` and ``vNNNN.json`` (when, from what, how many
messages, which labels); the highest version is the one in use. Training itself is
``doudi.lib.routing``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from doudi.lib import routing


@dataclass(frozen=True)
class Version:
    number: int
    path: Path

    @property
    def name(self) -> str:
        return self.path.stem  # "v0003"


def model_dir() -> Path:
    return Path(settings.DATA_DIR) / "models" / "routing"


def versions() -> list[Version]:
    found = []
    for path in model_dir().glob("v*.joblib"):
        if path.stem[1:].isdigit():
            found.append(Version(int(path.stem[1:]), path))
    return sorted(found, key=lambda v: v.number)


def latest() -> Version | None:
    found = versions()
    return found[-1] if found else None


def train_and_keep(examples: list[routing.Example], *, source: str) -> Version:
    """Train on the examples and keep the model as the next version (the one in use)."""
    model = routing.train(examples)
    current = latest()
    number = (current.number if current else 0) + 1
    version = Version(number, model_dir() / f"v{number:04d}.joblib")
    routing.save(model, version.path)
    meta = {
        "version": number,
        "trained_at": timezone.now().isoformat(),
        "source": source,
        "examples": len(examples),
        "labels": model.labels,
    }
    version.path.with_suffix(".json").write_text(
        json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    return version
