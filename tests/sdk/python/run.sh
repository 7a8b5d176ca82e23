#!/usr/bin/env bash
# Run the stripe-python conformance suite against the real pasarela binary.
#   tests/sdk/python/run.sh [pytest args...]
# PASARELA_BIN overrides the binary (default: <repo>/target/release/pasarela).
# Dependencies (requirements.txt) are installed once into tests/sdk/python/.deps.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../../.." && pwd)"
PY="${PYTHON:-python3}"
DEPS="$HERE/.deps"
STAMP="$DEPS/.requirements.txt"

if ! cmp -s "$HERE/requirements.txt" "$STAMP" 2>/dev/null; then
  rm -rf "$DEPS"
  PIP_ROOT_USER_ACTION=ignore "$PY" -m pip install --quiet --disable-pip-version-check --no-input \
        --target "$DEPS" -r "$HERE/requirements.txt"
  cp "$HERE/requirements.txt" "$STAMP"
fi

export PASARELA_BIN="${PASARELA_BIN:-$REPO/target/release/pasarela}"
export PYTHONPATH="$DEPS:$HERE${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONDONTWRITEBYTECODE=1
cd "$HERE"
set +e
"$PY" -m pytest -p no:cacheprovider -q "$@"
code=$?
exit $code
