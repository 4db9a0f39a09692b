#!/usr/bin/env bash
# Quick start: set everything up, then run Baleen on the fixtures' cucumber suite (one container per feature file).
# Extra arguments go to `baleen cucumber`, e.g. `bash scripts/demo.sh --concurrency 8`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# Paths are sent relative to the current directory, and the image holds the same tree at its work dir (/app).
cd fixtures/cucumber
exec ../../node_modules/.bin/baleen cucumber --image "${BALEEN_FIXTURES_IMAGE:-baleen-fixtures:latest}" --files features "$@"
