#!/usr/bin/env bash
# `make e2e`: the platform in a real browser, on PostgreSQL and Redis, with a real
# Celery worker and beat, posting to the local Bluesky reference network.
#
# 1. Debian's chromium (Playwright's own browser download does not work here),
#    axe-core from npm, the local Bluesky network's packages.
# 2. A database of its own (dropped and made again each run), Redis databases of
#    its own, migrate, the demo organization (for the screenshots) and the e2e
#    organization (e2e/seed.py, for the journeys' exact figures).
# 3. gunicorn, celery worker, celery beat, a tiny "company website" that the
#    shared link points at, all with production settings (DEBUG off), and loopback
#    Mastodon, X and LinkedIn stand-ins (e2e/standins/) for the OAuth connect journeys.
# 4. pytest + Playwright (e2e/tests); screenshots go to var/e2e/screenshots.
#
# Everything started here is stopped on exit. The last line is
#   e2e: N passed, M failed
#
# Environment (all optional): E2E_PG (server URL, default
# postgres://postgres@127.0.0.1:5432), E2E_DB (database name, default chorus_e2e),
# E2E_REDIS (default redis://127.0.0.1:6379), E2E_REDIS_DB (default 4; the cache
# uses the next one), PYTEST_ARGS (extra pytest arguments, e.g. -k danish).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

PY="$ROOT/.venv/bin/python"
OUT="$ROOT/var/e2e"
LOGS="$OUT/logs"
PG="${E2E_PG:-postgres://postgres@127.0.0.1:5432}"
DB="${E2E_DB:-chorus_e2e}"
REDIS="${E2E_REDIS:-redis://127.0.0.1:6379}"
REDIS_DB="${E2E_REDIS_DB:-4}"
started=$SECONDS

say() { echo "e2e: $*"; }
die() {
  echo "e2e: $*" >&2
  exit 1
}

pids=()
SUMMARY=""
cleanup() {
  local code=$?
  trap - EXIT INT TERM
  # The Bluesky network is pytest's child in a session of its own: stop it too if
  # pytest could not.
  if [ -f "$OUT/bluesky.pid" ]; then
    pids+=("$(cat "$OUT/bluesky.pid")")
  fi
  for pid in "${pids[@]}"; do
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  done
  rm -f "$OUT/bluesky.pid"
  if [ -z "$SUMMARY" ] && [ "$code" -ne 0 ]; then
    SUMMARY="e2e: 0 passed, 1 failed (the run stopped before the journeys; see above)"
  fi
  [ -n "$SUMMARY" ] && echo "$SUMMARY"
  exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Starts a command in a process group of its own (so that its children stop with it).
start() {
  local name="$1"
  shift
  setsid "$@" >"$LOGS/$name.log" 2>&1 &
  pids+=("$!")
}

wait_http() {
  local url="$1" name="$2"
  for _ in $(seq 1 150); do
    if "$PY" - "$url" <<'EOF' 2>/dev/null; then
import sys, urllib.request
urllib.request.urlopen(sys.argv[1], timeout=2).read()
EOF
      return 0
    fi
    sleep 0.2
  done
  tail -n 40 "$LOGS/$name.log" >&2
  die "$name did not answer at $url"
}

wait_log() {
  local file="$1" text="$2" name="$3"
  for _ in $(seq 1 300); do
    grep -q "$text" "$file" 2>/dev/null && return 0
    sleep 0.2
  done
  tail -n 40 "$file" >&2
  die "$name did not start"
}

free_port() {
  "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# -- tools ---------------------------------------------------------------------------
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

rm -rf "$OUT"
mkdir -p "$LOGS" "$OUT/screenshots" "$OUT/state"

# -- the platform's environment: production settings, plus plain http on loopback ----
WEB_PORT="$(free_port)"
SITE_PORT="$(free_port)"
MASTODON_PORT="$(free_port)"
X_PORT="$(free_port)"
LINKEDIN_PORT="$(free_port)"
export DEBUG=0
export SECRET_KEY="e2e-only-secret-key-that-is-long-enough-for-django-and-never-used-elsewhere"
export FIELD_ENCRYPTION_KEYS="ZTJlLW9ubHkta2V5LWZvci1icm93c2VyLXRlc3RzISE="
export ALLOWED_HOSTS="127.0.0.1,localhost"
export SECURE_SSL_REDIRECT=0 SECURE_COOKIES=0 SECURE_HSTS_SECONDS=0
export SITE_URL="http://127.0.0.1:$WEB_PORT"
export NETWORKS_ALLOW_PRIVATE_HOSTS=1 CONTENT_FETCH_ALLOW_PRIVATE=1
export DATABASE_URL="$PG/$DB"
export REDIS_URL="$REDIS/$REDIS_DB"
export CACHE_URL="$REDIS/$((REDIS_DB + 1))"
export CELERY_QUEUE="e2e"
export VAR_DIR="$OUT/state"
export EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend"
export TIME_ZONE="UTC"
export PYTHONUNBUFFERED=1
# Read by the tests.
export E2E_BASE_URL="$SITE_URL"
export E2E_SITE_URL="http://127.0.0.1:$SITE_PORT"
export E2E_MASTODON_URL="http://127.0.0.1:$MASTODON_PORT"
export E2E_X_URL="http://127.0.0.1:$X_PORT"
# X's app and endpoints point at its loopback stand-in (e2e/standins/x.py).
export X_CLIENT_ID="e2e-x-client" X_CLIENT_SECRET="e2e-x-secret"
export X_API_BASE="$E2E_X_URL" X_AUTHORIZE_URL="$E2E_X_URL/i/oauth2/authorize"
# LinkedIn's app, its OAuth pages and REST API point at its stand-in (e2e/standins/linkedin.py),
# which grants the analytics scopes LinkedIn gives approved apps.
export E2E_LINKEDIN_URL="http://127.0.0.1:$LINKEDIN_PORT"
export LINKEDIN_CLIENT_ID="e2e-linkedin-client" LINKEDIN_CLIENT_SECRET="e2e-linkedin-secret"
export LINKEDIN_API_BASE="$E2E_LINKEDIN_URL" LINKEDIN_OAUTH_BASE="$E2E_LINKEDIN_URL/oauth/v2"
export LINKEDIN_EXTRA_SCOPES="r_member_postAnalytics r_member_profileAnalytics"
export E2E_OUT="$OUT"
# The Bluesky network keeps its schemas in the run's own database.
export BSKY_DB_URL="$DATABASE_URL"

say "database $DB, redis db $REDIS_DB, web on port $WEB_PORT"
PGOPTIONS="-c client_min_messages=warning" psql "$PG/postgres" -qX -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB" \
  >/dev/null || die "could not create database $DB on $PG"
"$PY" -c "import os, redis; [redis.Redis.from_url(os.environ[n]).flushdb() for n in ('REDIS_URL', 'CACHE_URL')]" ||
  die "could not reach Redis at $REDIS"

"$PY" manage.py compilemessages --ignore=.venv --ignore=node_modules -v0
"$PY" manage.py collectstatic --noinput -v0
"$PY" manage.py migrate --noinput -v0
"$PY" manage.py seed_demo >"$LOGS/seed.log"
"$PY" e2e/seed.py >>"$LOGS/seed.log"

# -- services --------------------------------------------------------------------------
start web "$ROOT/.venv/bin/gunicorn" config.wsgi --bind "127.0.0.1:$WEB_PORT" --workers 2 --threads 4 \
  --timeout 60 --access-logfile -
start worker "$ROOT/.venv/bin/celery" -A config worker --loglevel=INFO --concurrency=2 \
  --without-gossip --without-mingle -n "e2e@%h"
start beat "$ROOT/.venv/bin/celery" -A config beat --loglevel=INFO
start site "$PY" -m http.server "$SITE_PORT" --bind 127.0.0.1 --directory "$ROOT/e2e/site"
# A Mastodon instance in miniature (documented endpoints, PKCE checked) for the OAuth journey.
start mastodon "$PY" -m e2e.standins.mastodon --port "$MASTODON_PORT"
start x "$PY" -m e2e.standins.x --port "$X_PORT" --client-id "$X_CLIENT_ID" --client-secret "$X_CLIENT_SECRET"
wait_http "$SITE_URL/healthz" web
wait_http "$E2E_SITE_URL/news/new-office.html" site
wait_http "$E2E_MASTODON_URL/api/v2/instance" mastodon
start linkedin "$PY" -m e2e.standins.linkedin --port "$LINKEDIN_PORT" \
  --client-id "$LINKEDIN_CLIENT_ID" --client-secret "$LINKEDIN_CLIENT_SECRET"
wait_http "$E2E_X_URL/favicon.ico" x
wait_http "$E2E_LINKEDIN_URL/favicon.ico" linkedin
wait_log "$LOGS/worker.log" "ready." worker
wait_log "$LOGS/beat.log" "beat: Starting" beat
say "platform up in $((SECONDS - started))s"

if [ "${E2E_HOLD:-0}" = "1" ]; then
  # For writing tests: keep the platform up and run pytest by hand in another shell.
  say "holding; in another shell: (set -a; . $OUT/env; .venv/bin/pytest -c e2e/pytest.ini e2e/tests -k ...)"
  env | grep -E '^(DEBUG|SECRET_KEY|FIELD_ENCRYPTION_KEYS|ALLOWED_HOSTS|SECURE_|SITE_URL|NETWORKS_|CONTENT_FETCH|DATABASE_URL|REDIS_URL|CACHE_URL|CELERY_QUEUE|VAR_DIR|EMAIL_BACKEND|TIME_ZONE|E2E_|BSKY_|X_|LINKEDIN_)' \
    | sed "s/=\(.*\)/='\1'/" >"$OUT/env"
  while true; do
    sleep 3600 &
    wait $!
  done
fi

# -- the journeys ------------------------------------------------------------------------
set +e
# shellcheck disable=SC2086  # PYTEST_ARGS is a list of arguments
"$ROOT/.venv/bin/pytest" -c e2e/pytest.ini --rootdir "$ROOT" --junitxml="$OUT/junit.xml" ${PYTEST_ARGS:-} e2e/tests
status=$?
set -e

SUMMARY="$("$PY" - "$OUT/junit.xml" <<'EOF'
import sys
import xml.etree.ElementTree as ET

try:
    root = ET.parse(sys.argv[1]).getroot()
except (OSError, ET.ParseError):
    print("e2e: 0 passed, 1 failed")
    raise SystemExit
suites = [root] if root.tag == "testsuite" else list(root)
total = sum(int(s.get("tests", 0)) for s in suites)
failed = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
skipped = sum(int(s.get("skipped", 0)) for s in suites)
print(f"e2e: {total - failed - skipped} passed, {failed} failed")
EOF
)"
say "screenshots in ${OUT#"$ROOT/"}/screenshots, logs in ${OUT#"$ROOT/"}/logs; took $((SECONDS - started))s"
if [ "$status" -ne 0 ] && [[ "$SUMMARY" == *", 0 failed" ]]; then
  SUMMARY="${SUMMARY%, 0 failed}, 1 failed"
fi
exit "$status"
