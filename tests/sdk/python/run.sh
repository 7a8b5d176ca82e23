#!/usr/bin/env bash
# Run the stripe-python conformance suite against the real pasarela binary.
#   tests/sdk/python/run.sh [pytest args...]
# Builds the binary from the current source first (`cargo build --release --locked`, quick
# when up to date) into cargo's target dir (CARGO_TARGET_DIR or <repo>/target), unless
# PASARELA_BIN names a binary to test instead.
# PASARELA_DATABASE=postgres runs it on PostgreSQL: PASARELA_TEST_DATABASE_URL must then name
# a server (postgres://USER@HOST:PORT, no database); scripts/test starts a throwaway one.
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

if [ -z "${PASARELA_BIN:-}" ]; then
  (cd "$REPO" && cargo build --release --locked --quiet)
  TARGET="${CARGO_TARGET_DIR:-target}"
  case "$TARGET" in /*) ;; *) TARGET="$REPO/$TARGET" ;; esac
  PASARELA_BIN="$TARGET/release/pasarela"
fi
export PASARELA_BIN
export PYTHONPATH="$DEPS:$HERE${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONDONTWRITEBYTECODE=1
cd "$HERE"
exec "$PY" -m pytest -p no:cacheprovider -q "$@"
