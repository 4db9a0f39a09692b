#!/usr/bin/env bash
# Everything Baleen needs on a fresh machine, idempotent and quick when all is in place:
# npm dependencies, the TypeScript build, a Docker engine that answers, the fixtures runner image and the
# images of the compatibility fixtures (fixtures/compat).
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf 'setup: %s\n' "$*" >&2; }

# npm ci when node_modules is missing or older than the lockfile.
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  log "installing npm dependencies"
  npm ci --no-audit --no-fund --loglevel=error
fi

log "building TypeScript"
npm run --silent build

# The dashboard's browser tests drive Debian's Chromium (playwright-core cannot download a browser here).
if ! command -v chromium >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && [[ $(id -u) -eq 0 ]]; then
  log "installing chromium for the dashboard's browser tests"
  apt-get install -y -qq chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }
fi

bash scripts/ensure-docker.sh
bash scripts/build-fixtures-image.sh
bash scripts/build-compat-images.sh
