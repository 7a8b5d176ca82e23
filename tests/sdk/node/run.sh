#!/usr/bin/env bash
# Run the stripe-node conformance suite against the real pasarela binary.
#   tests/sdk/node/run.sh [extra node --test args...]
# Builds the binary from the current source first (`cargo build --release --locked`, quick
# when up to date) into cargo's target dir (CARGO_TARGET_DIR or <repo>/target), unless
# PASARELA_BIN names a binary to test instead.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../../.." && pwd)"
if [ -z "${PASARELA_BIN:-}" ]; then
  (cd "$REPO" && cargo build --release --locked --quiet)
  TARGET="${CARGO_TARGET_DIR:-target}"
  case "$TARGET" in /*) ;; *) TARGET="$REPO/$TARGET" ;; esac
  PASARELA_BIN="$TARGET/release/pasarela"
fi
export PASARELA_BIN
cd "$HERE"
bash ./install.sh
exec node --test "$@" ./*.test.js
