#!/usr/bin/env bash
# `npm run test:browser`: the course in real front ends (JupyterLab 4 and Notebook 7 from a venv
# under build/, Debian's classic Notebook 6.4) and every HTML export, in Debian's headless
# Chromium driven by playwright-core. Needs Debian's jupyter-notebook, python3-nbconvert and
# chromium (.ci/run installs them); installs JupyterLab into build/jupyterlab-venv from pip's
# configured index when it is missing. Screenshots: build/browser-screenshots/.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -x /usr/bin/chromium ] || { echo "test:browser: /usr/bin/chromium is missing; install: apt-get install -y chromium" >&2; exit 1; }
/usr/bin/python3 -c "import notebook, nbconvert" 2>/dev/null || { echo "test:browser: Debian's Notebook is missing; install: apt-get install -y jupyter-notebook python3-nbconvert" >&2; exit 1; }
[ -x build/jupyterlab-venv/bin/jupyter-lab ] || npm run setup:lab
npm run build --silent
rm -rf build/browser-screenshots
exec node node_modules/vitest/vitest.mjs run --config test/browser/vitest.config.mts "$@"
