#!/usr/bin/env bash
# Builds the images of the benchmark fixture projects (bench/fixtures, see its README) WITHOUT an image registry:
#   baleen-bench-<name>:latest   the project with its node_modules and generated modules at /app (WORKDIR /app)
# Each image is this machine's node, its libraries and busybox (scripts/lib/node-rootfs.sh) plus the project,
# imported with `docker import`. (With a registry, each project's Dockerfile builds the same thing.)
#
# Idempotent: each image carries a label with a hash of everything that goes into it; an image whose label
# matches is left alone. `npm ci` runs in a project only when its node_modules is missing or older than its lock;
# the project's generator (`npm run generate`: deterministic) runs every time, before the hash.
#
#   bash scripts/build-bench-images.sh                   # every image
#   bash scripts/build-bench-images.sh ts-heavy          # only this one
set -euo pipefail

log() { printf 'build-bench-images: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

SCRIPT_PATH=$(readlink -f "${BASH_SOURCE[0]}")
REPO_ROOT=$(cd "$(dirname "$SCRIPT_PATH")/.." && pwd)
# shellcheck source=lib/node-rootfs.sh
source "$REPO_ROOT/scripts/lib/node-rootfs.sh"
FIXTURES="$REPO_ROOT/bench/fixtures"
LABEL_KEY=baleen.bench.hash
PROJECTS=(ts-heavy esm-heavy)
# Not part of a project: Baleen's timing history, report files, and what only the Dockerfile build uses.
EXCLUDED_FROM_IMAGE=(.baleen reports Dockerfile .dockerignore)

names=("$@")
[[ ${#names[@]} -gt 0 ]] || names=("${PROJECTS[@]}")
for name in "${names[@]}"; do
  [[ -f "$FIXTURES/$name/package.json" ]] || die "no benchmark project named $name (bench/fixtures/$name)"
done

find_node
require_docker

# The project's files (node_modules excluded: package-lock.json stands for it), generated ones included, plus
# the base's inputs and this script.
content_hash() {
  local dir=$1
  {
    node_rootfs_hash_inputs
    sha256sum "$SCRIPT_PATH" | cut -d' ' -f1
    (cd "$dir" && find . \( -name node_modules -o -name .baleen -o -path ./reports \) -prune -o -type f -print0 |
      LC_ALL=C sort -z | xargs -0 sha256sum --)
  } | sha256sum | cut -c1-32
}

ROOTFS=
TMP=
cleanup() { [[ -z "$TMP" ]] || rm -rf "$TMP"; }
trap cleanup EXIT

build_project() {
  local name=$1 project="$FIXTURES/$1" image="baleen-bench-$1:latest" hash old_id e members=() started=$SECONDS
  npm_ci_if_stale "$project" "bench/fixtures/$name"
  npm run --prefix "$project" --silent generate >&2
  hash=$(content_hash "$project")
  if [[ "$(image_label "$image" "$LABEL_KEY")" == "$hash" ]]; then
    log "$image is up to date"
    return 0
  fi
  if [[ -z "$ROOTFS" ]]; then
    ensure_busybox
    TMP=$(mktemp -d "${TMPDIR:-/tmp}/baleen-bench-images.XXXXXX")
    ROOTFS="$TMP/rootfs"
    log "assembling the base from $NODE_BIN ($NODE_VERSION) and /bin/busybox"
    assemble_node_rootfs "$ROOTFS"
  fi
  members+=(--anchored)
  for e in "${EXCLUDED_FROM_IMAGE[@]}"; do members+=("--exclude=$name/$e"); done
  # S: symlink targets (node_modules/.bin/*) stay as they are.
  members+=(-C "$FIXTURES" --transform "s,^$name/,app/,S" --transform "s,^$name\$,app,S" "$name")
  old_id=$(docker image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)
  import_rootfs "$ROOTFS" "$image" \
    --change 'WORKDIR /app' \
    --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' \
    --change "LABEL $LABEL_KEY=$hash" \
    --change "LABEL baleen.bench.node=$NODE_VERSION" \
    --change 'CMD ["node_modules/.bin/cucumber-js"]' \
    -- "${members[@]}"
  check_image_runs_node "$image"
  remove_replaced_image "$old_id" "$image"
  log "built $image in $((SECONDS - started)) s ($LABEL_KEY=$hash)"
}

for name in "${names[@]}"; do build_project "$name"; done
