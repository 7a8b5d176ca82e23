#!/usr/bin/env bash
# Run the stripe-node conformance suite against the real pasarela binary.
#   tests/sdk/node/run.sh [extra node --test args...]
# PASARELA_BIN overrides the binary (default: <repo>/target/release/pasarela).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$HERE"
if [ ! -d node_modules ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
set +e
node --test "$@" ./*.test.js
exit $?
