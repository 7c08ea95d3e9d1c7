#!/usr/bin/env bash
# `make bench`: seed the benchmark database (reused when it already holds this size), then
# measure and write the results and their report: `--large`, the 50,000-employee preset the
# targets are set for, bench/results.json and bench/RESULTS.md; the default 5,000-employee
# preset bench/results-default.json and bench/RESULTS-default.md; `--small` the quick one
# (bench/results-small.json, bench/RESULTS-small.md). Other options go to bench/run.py.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON=.venv/bin/python
preset=""
for argument in "$@"; do
  if [ "$argument" = "--small" ] || [ "$argument" = "--large" ]; then preset="$argument"; fi
done

eval "$($PYTHON -m bench.environment)"

if ! command -v wrk >/dev/null 2>&1; then
  echo "bench: installing wrk from Debian's packages"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq wrk
fi
bash tests/bluesky/setup.sh

$PYTHON -m bench.database
$PYTHON manage.py migrate --noinput -v0
$PYTHON manage.py collectstatic --noinput -v0
DJANGO_SETTINGS_MODULE=bench.settings $PYTHON manage.py seed_scale $preset --reuse
exec $PYTHON -m bench.run "$@"
