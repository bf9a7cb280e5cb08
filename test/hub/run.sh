#!/usr/bin/env bash
# `npm run test:hub`: the class on JupyterHub (test/hub/class-on-hub.e2e.ts). Needs root and
#   apt-get install -y jupyterhub
# (.ci/run installs it); configurable-http-proxy and @jupyterlab/services come from npm ci.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ "$(id -u)" = 0 ] || { echo "test:hub: expected to run as root (it makes local accounts and the hub starts servers under their uids), got uid $(id -u)." >&2; exit 1; }
[ -x /usr/bin/jupyterhub ] || { echo "test:hub: Debian's jupyterhub is missing; install: apt-get install -y jupyterhub" >&2; exit 1; }
npm run build --silent
exec node node_modules/vitest/vitest.mjs run --config test/hub/vitest.config.mts "$@"
