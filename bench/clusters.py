"""Benchmark: recurring-problem clusters on real public messages, and their time.

Reads ../shared/data/messages_hot_issues.csv (never copied into the repository; the script
exits with a note when it is absent) and clusters the whole file as one period with
``doudi.lib.clustering``: the user id is the reporter. Prints the top clusters (size, distinct
reporters, growth between the two halves of the period, label, a few titles) and the time.

Then it checks recurrence matching: for each cluster of 6 or more messages, a signature is made
from its earlier half (by time) and matched against its later half (which should match) and
against every message of the other clusters of 6 or more (which should not).

Finally, with ``--scale N``, it times clustering N documents (the hot-issue messages, the other
public files' messages, then shuffled copies of them) as a big centre's month would be.

Only counts and timings go to bench/results/clusters.json; the titles are printed and, with
``--report FILE``, written to FILE, which must be outside the repository (the messages may not
be redistributed).

    .venv/bin/python bench/clusters.py [--data ../shared/data] [--report /tmp/clusters.txt]
                                       [--scale 30000] [--threshold 0.35]
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from doudi.lib import clustering  # noqa: E402
from doudi.lib.clustering import Document  # noqa: E402

SHANGHAI = ZoneInfo("Asia/Shanghai")
TOP = 10


def parse_time(text: str) -> datetime | None:
    text = text.strip()
    for pattern in ("%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, pattern).replace(tzinfo=SHANGHAI)
        except ValueError:
            continue
    return None


def read_hot_issues(path: Path) -> list[Document]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [
            Document(
                key=int(row["id"]),
                title=row["title"].strip(),
                body=row["body"].strip(),
                reporter=row["user"].strip(),
                at=parse_time(row["time"]),
            )
            for row in csv.DictReader(handle)
        ]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--report", type=Path, help="write the titled top clusters here")
    parser.add_argument("--scale", type=int, default=30000, help="documents for the timing run")
    parser.add_argument("--threshold", type=float, default=clustering.THRESHOLD)
    parser.add_argument("--linkage", type=float, default=clustering.LINKAGE)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    path = args.data / "messages_hot_issues.csv"
    if not path.exists():
        print(f"no {path}: nothing measured")
        return
    if args.report and args.report.resolve().is_relative_to(ROOT):
        parser.error("--report must be outside the repository: the messages may not be copied")

    docs = read_hot_issues(path)
    by_key = {d.key: d for d in docs}
    clustering.find_clusters(docs[:50])  # jieba's dictionary loads once per process
    # Nearly all messages are of 2019: growth compares its second half with its first.
    start = datetime(2019, 1, 1, tzinfo=SHANGHAI)
    end = max(d.at for d in docs if d.at is not None)
    timings, clusters = [], []
    for _ in range(args.runs):
        started = time.perf_counter()
        clusters = clustering.find_clusters(
            docs, start=start, end=end, threshold=args.threshold, linkage=args.linkage
        )
        timings.append(time.perf_counter() - started)
    clustered = sum(c.size for c in clusters)
    print(
        f"{len(docs)} messages: {len(clusters)} clusters of 2 or more holding {clustered}; "
        f"{statistics.median(timings):.2f} s (median of {args.runs})"
    )
    lines = []
    for n, cluster in enumerate(clusters[:TOP], 1):
        lines.append(
            f"{n}. {' '.join(cluster.label)} — {cluster.size} messages, {cluster.reporters} "
            f"reporters, growth {cluster.growth:+d} ({cluster.earlier} → {cluster.recent}), "
            f"cohesion {cluster.cohesion:.2f}"
        )
        lines.extend(f"     {by_key[key].title}" for key in cluster.keys[:5])
    print("\n".join(lines))
    if args.report:
        args.report.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"(titles written to {args.report})")

    recurrence = check_matching(clusters, by_key, docs)
    print("recurrence matching:", json.dumps(recurrence, ensure_ascii=False))

    scale = {}
    if args.scale:
        big = scaled(args.data, docs, args.scale)
        started = time.perf_counter()
        found = clustering.find_clusters(
            big, threshold=args.threshold, linkage=args.linkage, labelled=0
        )
        scale = {
            "documents": len(big),
            "seconds": round(time.perf_counter() - started, 2),
            "clusters": len(found),
        }
        print(f"scale: {json.dumps(scale)}")

    sizes = [c.size for c in clusters]
    result = {
        "date": time.strftime("%Y-%m-%d"),
        "messages": len(docs),
        "threshold": args.threshold,
        "linkage": args.linkage,
        "clusters": len(clusters),
        "clustered_messages": clustered,
        "clusters_of_5_or_more": sum(1 for s in sizes if s >= 5),
        "top10": [
            {"size": c.size, "reporters": c.reporters, "growth": c.growth} for c in clusters[:TOP]
        ],
        "seconds_median": round(statistics.median(timings), 2),
        "recurrence": recurrence,
        "scale": scale,
    }
    out = ROOT / "bench" / "results" / "clusters.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def check_matching(
    clusters: list[clustering.Cluster], by_key: dict[int, Document], docs: list[Document]
) -> dict[str, object]:
    """Signatures from the earlier half of each large cluster, matched against its later half
    and against the other large clusters' messages, at a few thresholds."""
    large = [c for c in clusters if c.size >= 6]
    outcomes: dict[float, list[int]] = {t: [0, 0, 0, 0] for t in (0.1, 0.15, 0.2, 0.25, 0.3)}
    for cluster in large:
        members = sorted((by_key[k] for k in cluster.keys), key=lambda d: (d.at is None, d.at))
        half = len(members) // 2
        signature = clustering.signature_of(members[:half], background=docs[::10])
        later = [clustering.match(signature, d.title, d.body) for d in members[half:]]
        others = [
            clustering.match(signature, by_key[k].title, by_key[k].body)
            for other in large
            if other is not cluster
            for k in other.keys
        ]
        for threshold, counts in outcomes.items():
            counts[0] += sum(s >= threshold for s in later)
            counts[1] += len(later)
            counts[2] += sum(s >= threshold for s in others)
            counts[3] += len(others)
    return {
        "clusters": len(large),
        "by_threshold": {
            str(t): {
                "later_members_matched": f"{c[0]}/{c[1]}",
                "others_matched": f"{c[2]}/{c[3]}",
            }
            for t, c in outcomes.items()
        },
    }


def scaled(data: Path, docs: list[Document], size: int) -> list[Document]:
    """``size`` documents: the hot-issue messages, then the other public files' messages, then
    copies with their title reversed and their body rotated (so that they are not duplicates)."""
    texts = [(d.title, d.body) for d in docs]
    for name, title, body in (
        ("messages_with_replies.csv", "title", "body"),
        ("messages_labeled_raw.csv", "title", "body"),
    ):
        if (data / name).exists():
            with (data / name).open(encoding="utf-8-sig", newline="") as handle:
                texts.extend((row[title], row[body]) for row in csv.DictReader(handle))
    rng = random.Random(1)
    base = list(texts)
    while len(texts) < size:
        title, body = rng.choice(base)
        cut = rng.randrange(1, max(2, len(body)))
        texts.append((title[::-1], body[cut:] + body[:cut]))
    moment = datetime(2026, 1, 1, tzinfo=SHANGHAI)
    return [
        Document(key=n, title=t, body=b, reporter=str(rng.randrange(size)), at=moment)
        for n, (t, b) in enumerate(texts[:size])
    ]


if __name__ == "__main__":
    main()
