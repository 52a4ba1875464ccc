"""Benchmark: routing accuracy on real public messages, and the time of one suggestion.

Reads ../shared/data/ (never copied into the repository; the script exits with a note when the
data is absent). The labelled raw messages are split into stratified folds, with raw messages
that are near-duplicates of each other kept in the same fold. Each fold trains
``doudi.lib.routing`` on the tokenised file plus the other folds' raw messages, and scores
macro-F1 on the fold's raw messages. The tokenised file holds a twin of almost every raw
message (docs/triage-evaluation.md), so every tokenised message whose words overlap a test
message's by a Jaccard index of 0.5 or more is left out of that fold's training; the leaky
score (twins kept) is reported next to it. Then one message is suggested 200 times.
Results go to bench/results/triage.json.

    .venv/bin/python bench/triage.py [--repeats 1] [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from doudi.lib import routing  # noqa: E402
from doudi.lib.routing import Example  # noqa: E402

TWIN = 0.5


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--repeats", type=int, default=1, help="times 5 folds")
    args = parser.parse_args()
    raw_path = args.data / "messages_labeled_raw.csv"
    tok_path = args.data / "messages_labeled_tokenised.csv"
    if not (raw_path.exists() and tok_path.exists()):
        print(f"no data in {args.data}: nothing measured")
        return
    from sklearn.model_selection import StratifiedGroupKFold

    raw = routing.read_examples(raw_path)
    with tok_path.open(encoding="utf-8-sig", newline="") as handle:
        tokenised = [Example("", row["tokens"], row["label"]) for row in csv.DictReader(handle)]
    raw_words = [set(routing.words(e.title + " " + e.body)) for e in raw]
    tok_words = [set(e.body.split()) for e in tokenised]
    twins = [_similar(words, tok_words) for words in raw_words]
    groups = _groups([_similar(words, raw_words) for words in raw_words])
    with_twin = sum(bool(t) for t in twins)
    print(f"{len(raw)} raw, {len(tokenised)} tokenised; raw messages with a twin: {with_twin}")

    raw_docs = [routing.document(e.title, e.body) for e in raw]  # segment once, not per fold
    tok_docs = [routing.document(e.title, e.body) for e in tokenised]
    scores: list[float] = []
    leaky: list[float] = []
    labels = [e.label for e in raw]
    for repeat in range(args.repeats):
        folds = StratifiedGroupKFold(n_splits=5, shuffle=True, random_state=100 + repeat)
        for train_idx, test_idx in folds.split(raw, labels, groups):
            test = [raw[i] for i in test_idx]
            held = set().union(*(twins[i] for i in test_idx))
            base = [raw[i] for i in train_idx]
            kept = [j for j in range(len(tokenised)) if j not in held]
            clean = [tokenised[j] for j in kept]
            base_docs = [raw_docs[i] for i in train_idx]
            clean_docs = [tok_docs[j] for j in kept] + base_docs
            model = routing.train(clean + base, documents=clean_docs)
            scores.append(routing.evaluate(model, test).macro_f1)
            model = routing.train(tokenised + base, documents=tok_docs + base_docs)
            leaky.append(routing.evaluate(model, test).macro_f1)
            print(f"  fold {len(scores)}: macro-F1 {scores[-1]:.3f} (twins kept: {leaky[-1]:.3f})")

    started = time.perf_counter()
    model = routing.train(tokenised + raw)  # segmenting included, as in the product
    train_s = time.perf_counter() - started
    timings = []
    for _ in range(201):
        started = time.perf_counter()
        model.suggest("社保卡补办要求提供原单位证明", "原单位已注销，窗口要求必须提供证明。")
        timings.append((time.perf_counter() - started) * 1000)
    timings = sorted(timings[1:])
    result = {
        "date": time.strftime("%Y-%m-%d"),
        "folds": len(scores),
        "macro_f1_mean": round(statistics.mean(scores), 3),
        "macro_f1_std": round(statistics.pstdev(scores), 3),
        "macro_f1_twins_kept_mean": round(statistics.mean(leaky), 3),
        "train_all_s": round(train_s, 1),
        "suggest_ms_median": round(statistics.median(timings), 2),
        "suggest_ms_p95": round(timings[round(len(timings) * 0.95) - 1], 2),
    }
    out = ROOT / "bench" / "results" / "triage.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False))


def _similar(words: set[str], others: list[set[str]]) -> set[int]:
    """The indexes of the word sets whose Jaccard index with ``words`` is at least TWIN."""
    found = set()
    for j, other in enumerate(others):
        shared = len(words & other)
        if shared and shared / len(words | other) >= TWIN:
            found.add(j)
    return found


def _groups(similar: list[set[int]]) -> list[int]:
    """Connected groups of near-duplicate raw messages (each message is similar to itself)."""
    group = list(range(len(similar)))

    def root(i: int) -> int:
        while group[i] != i:
            group[i] = group[group[i]]
            i = group[i]
        return i

    for i, others in enumerate(similar):
        for j in others:
            group[root(i)] = root(j)
    return [root(i) for i in range(len(similar))]


if __name__ == "__main__":
    main()
