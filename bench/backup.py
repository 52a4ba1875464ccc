"""Benchmark: ``doudi backup`` and ``doudi restore`` of an installation with a million cases.

Uses a data directory (and, for PostgreSQL, a database) prepared by ``bench/search.py --runs 0``
(a million generated cases, the search index built). Runs, as an operator would, with the
command line: ``doudi backup --to DIR`` (timed, file size noted), then ``doudi restore FILE
--force`` over the same installation (timed), then checks that the database holds the same
counts as the backup's manifest says. Results go to bench/results/backup-<database>.json.

    .venv/bin/python bench/search.py --data-dir /tmp/benchsearch --runs 0
    .venv/bin/python bench/backup.py --data-dir /tmp/benchsearch
    .venv/bin/python bench/backup.py --data-dir /tmp/benchsearchpg \\
        --database-url postgres://postgres@127.0.0.1:5432/doudi_search_bench
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DOUDI = str(ROOT / ".venv" / "bin" / "doudi")

# The counts the database holds, printed as JSON by a Django shell in the installation.
COUNTS = "import json; from doudi.core.backup import counts; print(json.dumps(counts()))"


def counts(env: dict[str, str]) -> dict[str, int]:
    _, out = run(env, "shell", "--no-imports", "-c", COUNTS)
    return dict(json.loads(out.strip().splitlines()[-1]))


def run(env: dict[str, str], *command: str) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run([DOUDI, *command], env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode:
        sys.exit(f"doudi {' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    return seconds, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", required=True, help="prepared by bench/search.py")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--to", default="", help="where the backup goes (default: a temp dir)")
    args = parser.parse_args()

    env = {k: v for k, v in os.environ.items() if not k.startswith(("DOUDI_", "DATABASE_URL"))}
    env.update(DOUDI_ENV="development", DOUDI_DATA_DIR=args.data_dir)
    env.pop("REDIS_URL", None)
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    target = Path(args.to or tempfile.mkdtemp(prefix="doudi-backup-bench-"))

    before = counts(env)
    print(f"installation: {before}", flush=True)
    backup_seconds, _ = run(env, "backup", "--to", str(target))
    archive = max(target.glob("*.tar"), key=lambda p: p.stat().st_mtime)
    with tarfile.open(archive) as tar:
        member = tar.extractfile("manifest.json")
        assert member is not None
        manifest: dict[str, Any] = json.load(member)
    print(f"backup: {backup_seconds:.1f} s, {archive.stat().st_size / 1e9:.2f} GB", flush=True)

    restore_seconds, _ = run(env, "restore", str(archive), "--force")
    print(f"restore: {restore_seconds:.1f} s", flush=True)
    same = counts(env) == manifest["counts"] == before

    result = {
        "database": manifest["database"],
        "machine": f"{os.cpu_count()} cores",
        "date": time.strftime("%Y-%m-%d"),
        "counts": manifest["counts"],
        "backup_seconds": round(backup_seconds, 1),
        "backup_gb": round(archive.stat().st_size / 1e9, 2),
        "restore_seconds": round(restore_seconds, 1),
        "counts_after_restore_match": same,
    }
    print(json.dumps(result, ensure_ascii=False))
    out_file = ROOT / "bench" / "results" / f"backup-{manifest['database']}.json"
    out_file.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    archive.unlink()
    if not same:
        sys.exit("the restored database does not hold what the backup's manifest says")


if __name__ == "__main__":
    main()
