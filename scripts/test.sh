#!/usr/bin/env bash
# The whole test suite on a fresh machine: set-up, then formatting, lint, types, unit and end-to-end tests
# (the end-to-end tests drive the real CLI against the real Docker engine and the real fixtures image).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "== format"; npm run --silent format:check
echo "== lint"; npm run --silent lint
echo "== typecheck"; npm run --silent typecheck
echo "== tests"; npm test --silent
