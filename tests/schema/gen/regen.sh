#!/usr/bin/env bash
# Regenerates tests/schema/objects.json from the official SDKs' type declarations:
# stripe-node (package.json, read with the TypeScript compiler) for the shapes and
# stripe-python (requirements.txt) for which numbers are integers; then
# tests/schema/versions/*.json from the older stripe-node releases (package.json's stripe-<version>).
# Needs Node, npm, Python 3 and the npm and PyPI registries. To follow a newer API version,
# bump both SDKs to releases of that version, run this, and review the diff of objects.json.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
npm ci --no-audit --no-fund --loglevel=error
rm -rf .deps
PIP_ROOT_USER_ACTION=ignore "${PYTHON:-python3}" -m pip install --quiet --disable-pip-version-check \
  --no-input --no-deps --target .deps -r requirements.txt
node gen.js
