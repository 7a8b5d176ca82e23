#!/usr/bin/env bash
# Installs the stripe-node suite's packages (package-lock.json) into tests/sdk/node/node_modules
# once, again only when the lock file changes. Used by run.sh and by the Python suite's test of
# Stripe's sample app, whose Node server needs express, dotenv and stripe.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
if ! cmp -s package-lock.json node_modules/.pasarela-lock.json 2>/dev/null; then
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json node_modules/.pasarela-lock.json
fi
