"""Benchmark: importing 100,000 cases from CSV and from XLSX (issue 8: under 60 s on SQLite).

A fresh data directory (or the given PostgreSQL database, emptied) with the demo district;
a file of --rows 12345 transfers written with realistic text (bench/casetext.py), names,
phones, ID numbers and service item codes, a tenth of them settled cases of the past with
their outcome; then ``doudi import`` as the task force ("good rows only", or --mode all),
timed from the command's start to its end: reading the file, the checks, encryption, the
cases, their events, search rows and figures' marks. The same file is then imported again (every row
skipped) to time the idempotent path. Results go to bench/results/imports-<database>-<mode>.json.

    .venv/bin/python bench/imports.py [--rows 100000] [--formats csv,xlsx] [--mode good|all]
    .venv/bin/python bench/imports.py --database-url postgres://postgres@127.0.0.1:5432/doudi_import_bench
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.casetext import CaseText  # noqa: E402

DOUDI = [sys.executable, "-m", "doudi"]
HEADER = ["工单编号", "标题", "诉求内容", "诉求", "来电人", "来电号码", "身份证号码", "事项编码",
          "来电时间", "状态", "处理结果", "办结时间"]  # fmt: skip
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英"


def id_number(rng: random.Random) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    body = f"110105{rng.randrange(1950, 2005)}{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}"
    body += f"{rng.randrange(0, 1000):03d}"
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]
    return body + check


def write_rows(path: Path, rows: int, items: list[tuple[str, str]]) -> None:
    rng = random.Random(8)
    text = CaseText(9)
    start = datetime(2026, 1, 5, 8, 30)  # noqa: DTZ001 - a local time, written as text
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(HEADER)
        for n in range(rows):
            code, name = rng.choice(items)
            settled = rng.random() < 0.1
            case = text.case(name, settled=settled)
            at = start + timedelta(minutes=n * 3 % (300 * 24 * 60))
            out.writerow([
                f"GD{n:08d}", case["title"], case["description"], case["request"],
                rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(("", *GIVEN)),
                f"13{rng.randrange(0, 10)}{rng.randrange(10**8):08d}", id_number(rng), code,
                at.strftime("%Y/%m/%d %H:%M:%S"), "已办结" if settled else "",
                case["outcome"],
                (at + timedelta(days=5)).strftime("%Y-%m-%d %H:%M") if settled else "",
            ])  # fmt: skip


def to_xlsx(source: Path, target: Path) -> None:
    from rustpy_xlsxwriter import write_worksheet

    with source.open(encoding="utf-8-sig", newline="") as handle:
        write_worksheet(list(csv.DictReader(handle)), str(target), sheet_name="工单")


def run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run([*DOUDI, *args], env=env, cwd=ROOT, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"doudi {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--formats", default="csv,xlsx")
    parser.add_argument("--mode", default="good", choices=("good", "all"))
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="doudi-import-bench-"))
    env = {**os.environ, "DOUDI_DATA_DIR": str(work / "data"), "DOUDI_ENV": "development"}
    env.pop("REDIS_URL", None)
    env.pop("DATABASE_URL", None)
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    result: dict[str, object] = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{os.cpu_count()} cores",
        "database": "postgresql" if args.database_url else "sqlite",
        "rows": args.rows,
        "mode": args.mode,
    }
    for fmt in args.formats.split(","):
        if args.database_url:
            run(["flush", "--noinput"], env)
        else:  # a fresh database (and its WAL) for each format
            for path in (work / "data").glob("*.sqlite3*"):
                path.unlink()
        run(["setup"], env)
        run(["demo"], env)
        items = [
            tuple(line.split("\t"))
            for line in run(["shell", "-c", ITEMS], env).strip().splitlines()
            if "\t" in line  # not the shell's own notes
        ]
        source = work / "transfers.csv"
        if not source.exists():
            write_rows(source, args.rows, items)  # type: ignore[arg-type]
        path = source if fmt == "csv" else work / "transfers.xlsx"
        if fmt == "xlsx" and not path.exists():
            to_xlsx(source, path)
        command = ["import", str(path), "--centre", "SFQ", "--user", "taskforce"]
        command += ["--mode", args.mode]
        started = time.perf_counter()
        summary = run(command, env)
        result[f"{fmt}_seconds"] = round(time.perf_counter() - started, 1)
        result[f"{fmt}_summary"] = summary.strip().splitlines()[0]
        started = time.perf_counter()
        again = run(command, env)
        result[f"{fmt}_again_seconds"] = round(time.perf_counter() - started, 1)
        result[f"{fmt}_again_summary"] = again.strip().splitlines()[0]
        print(json.dumps(result, ensure_ascii=False, indent=1), flush=True)
    out = ROOT / "bench" / "results" / f"imports-{result['database']}-{args.mode}.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"written to {out}")


ITEMS = (
    "from doudi.directory.models import ServiceItem\n"
    "for code, name in ServiceItem.objects.filter(is_active=True).values_list('code', 'name'):\n"
    "    print(code + '\\t' + name)"
)

if __name__ == "__main__":
    main()
