#!/usr/bin/env bash
# Debian packages that the locked Python packages need when pip has to build one from
# source: xmlsec (SAML signatures, for python3-saml) builds against libxmlsec1-dev with
# pkg-config. Where a prebuilt wheel fits (Linux x86_64/arm64) nothing is built and
# nothing is installed. Idempotent: quiet when the packages are there.
set -euo pipefail

if pkg-config --exists xmlsec1 2>/dev/null; then
  exit 0
fi
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "system packages: installing libxmlsec1-dev and pkg-config (for python3-saml's xmlsec)"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libxmlsec1-dev pkg-config >/dev/null
else
  echo "system packages: libxmlsec1-dev and pkg-config are not installed; pip needs them only if it must build xmlsec" >&2
fi
