#!/usr/bin/env bash
# `make chaos`: the fault scenarios against real processes (see chaos/__init__.py and the
# README's "Fault scenarios"). A fresh database chorus_chaos and Redis databases 7 and 8
# (all overridable through DATABASE_URL, REDIS_URL, CACHE_URL); logs under
# $VAR_DIR/chaos (default /tmp/chaos-var/chaos). Arguments name scenarios to run.
#
# One line per scenario, then as the very last line
#   chaos: scenarios=N passed=N shares=S posted=S duplicates=0 lost=0
# and a non-zero exit status when any scenario failed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash tests/bluesky/setup.sh
# The pages run with DEBUG off and read the static files' manifest (a build step: no secrets).
DEBUG=1 .venv/bin/python manage.py collectstatic --noinput -v0
exec .venv/bin/python -m chaos "$@"
