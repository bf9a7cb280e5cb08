#!/usr/bin/env bash
# `npm run test:jupyter`: the rnnlab kernel under real Jupyter clients. Needs Debian's
#   apt-get install -y jupyter-notebook python3-nbclient python3-nbconvert python3-jupyter-kernel-test chromium
# (.ci/run installs them). Uses Debian's python3, which has those modules, whatever python3 is on PATH.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
for mod in jupyter_kernel_test nbclient nbconvert; do
  "$PY" -c "import $mod" 2>/dev/null || { echo "test:jupyter: python module '$mod' is missing; install: apt-get install -y jupyter-notebook python3-nbclient python3-nbconvert python3-jupyter-kernel-test chromium" >&2; exit 1; }
done
npm run build --silent
JUPYTER_PATH="$(node -e 'process.stdout.write(require("./dist/kernel/kernelspec").projectJupyterPath())')"
export JUPYTER_PATH
echo "kernelspec: $JUPYTER_PATH/kernels/rnnlab"
"$PY" -W ignore test/jupyter/test_kernel.py -v
"$PY" -W ignore test/jupyter/test_busy.py -v
"$PY" -W ignore test/jupyter/test_server_busy.py -v
"$PY" -W ignore test/jupyter/test_session.py -v
"$PY" -W ignore test/jupyter/test_nbclient.py -v
"$PY" -W ignore test/jupyter/test_import_anywhere.py -v
