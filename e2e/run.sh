#!/usr/bin/env bash
# `make e2e`: the platform in a real browser, on PostgreSQL and Redis, with a real
# Celery worker and beat, posting to the local Bluesky reference network.
#
# Here: the tools (Debian's chromium, as Playwright's own browser download does not work
# here; axe-core from npm; the local Bluesky network's and the identity provider's
# packages). Then e2e/launch.py, through the process harness (harness/): a database and
# Redis databases of its own, migrate and seed, gunicorn, celery worker and beat, the
# "company website" and the Mastodon, X and LinkedIn stand-ins, all with production
# settings (DEBUG off), and pytest + Playwright (e2e/tests); screenshots go to
# var/e2e/screenshots.
#
# Everything started is stopped on exit. The last line is
#   e2e: N passed, M failed
#
# Environment (all optional): E2E_PG (server URL, default
# postgres://postgres@127.0.0.1:5432), E2E_DB (database name, default chorus_e2e),
# E2E_REDIS (default redis://127.0.0.1:6379), E2E_REDIS_DB (default 4; the cache
# uses the next one), PYTEST_ARGS (extra pytest arguments, e.g. -k danish), E2E_HOLD=1
# (keep the platform up and run pytest by hand).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
PY="$ROOT/.venv/bin/python"
E2E_STARTED_AT="$(date +%s)"
export E2E_STARTED_AT

say() { echo "e2e: $*"; }
die() {
  echo "e2e: $*" >&2
  exit 1
}
# A failure before the launcher takes over still ends with the summary line.
trap 'code=$?; [ "$code" -ne 0 ] && echo "e2e: 0 passed, 1 failed (the run stopped before the journeys; see above)"; exit "$code"' EXIT

[ -x "$PY" ] || die "no .venv: run make e2e (or make test) first"
if [ ! -x /usr/bin/chromium ]; then
  say "installing Debian's chromium"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
"$PY" -c 'import playwright' 2>/dev/null ||
  die "Playwright for Python is missing from .venv (requirements/dev.txt should list playwright)"
if [ ! -f e2e/node_modules/axe-core/axe.min.js ] ||
  ! cmp -s e2e/package-lock.json e2e/node_modules/.package-lock.json 2>/dev/null; then
  (cd e2e && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null) || die "npm ci in e2e/ failed"
fi
bash tests/bluesky/setup.sh
bash tests/idp/setup.sh

trap - EXIT
exec "$PY" -m e2e.launch
