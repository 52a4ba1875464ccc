#!/usr/bin/env bash
# The whole suite, as `make test` and CI run it: lint, types, import contracts, migrations
# check, tests on SQLite (embedded default), tests on PostgreSQL + Redis (scale-out), and the
# browser tests in Debian's Chromium. Each stage prints its name and time.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export DOUDI_ENV=test
export DOUDI_DATA_DIR="${DOUDI_TEST_DATA_DIR:-$(mktemp -d)}"
unset DATABASE_URL REDIS_URL
PG_URL="${DOUDI_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
REDIS_TEST_URL="${DOUDI_TEST_REDIS_URL:-redis://127.0.0.1:6379/15}"

stage() { printf '\n=== %s ===\n' "$1"; SECONDS=0; }
done_stage() { printf -- '--- %s done in %ss\n' "$1" "$SECONDS"; }

stage "ruff"; $BIN/ruff check . && $BIN/ruff format --check .; done_stage ruff
stage "mypy"; $BIN/mypy; done_stage mypy
stage "import-linter"; $BIN/lint-imports; done_stage import-linter
stage "migrations are up to date"; $BIN/doudi makemigrations --check --dry-run; done_stage migrations
stage "translations compile"; (cd doudi && ../$BIN/doudi compilemessages -v 0); done_stage translations

stage "tests on SQLite, embedded queue"
$BIN/pytest -q -m "not browser" -n 2 --dist loadfile
done_stage "SQLite tests"

stage "tests on PostgreSQL, Redis queue"
DATABASE_URL="$PG_URL" REDIS_URL="$REDIS_TEST_URL" $BIN/pytest -q -m "not browser" -n 2 --dist loadfile
done_stage "PostgreSQL tests"

stage "browser tests (Chromium via Playwright)"
export DOUDI_SCREENSHOTS="${DOUDI_SCREENSHOTS:-$PWD/test-artifacts/screenshots}"
DOUDI_TEST_SQLITE_FILE=1 $BIN/pytest -q -m browser -n 2 --dist loadfile
done_stage "browser tests"
echo "screenshots: $DOUDI_SCREENSHOTS"
