#!/usr/bin/env bash
# Tools the deployment tests use, from Debian's packages: docker-compose validates the
# compose file without an engine; caddy validates the proxy's configuration.
# Idempotent; without root it installs nothing and those tests skip with the reason.
set -euo pipefail
missing=()
command -v docker-compose >/dev/null || missing+=(docker-compose)
command -v caddy >/dev/null || missing+=(caddy)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
    echo "deploy/tools.sh: ${missing[*]} missing and not root: the tests that need them are skipped" >&2
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The package may start a caddy service of its own; the tests want none.
if command -v systemctl >/dev/null && systemctl is-active --quiet caddy 2>/dev/null; then
    systemctl disable --now caddy || true
fi
