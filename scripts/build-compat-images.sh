#!/usr/bin/env bash
# Builds the images of the compatibility fixtures (fixtures/compat, see its README) WITHOUT an image registry:
#   baleen-compat-<name>:latest   one per project, the project with its node_modules at /app (WORKDIR /app)
#   baleen-compat-versions:latest the versions project once per cucumber-js major, at /compat/v6 ... /compat/v12,
#                                 each with the shared features/ copied in (WORKDIR /compat/v12)
# Each image is this machine's node, its libraries and busybox (scripts/lib/node-rootfs.sh) plus the project,
# imported with `docker import`.
#
# Idempotent: each image carries a label with a hash of everything that goes into it; an image whose label
# matches is left alone. `npm ci` runs in a project only when its node_modules is missing or older than its lock.
#
#   bash scripts/build-compat-images.sh                 # every image
#   bash scripts/build-compat-images.sh hooks versions  # only these
set -euo pipefail

log() { printf 'build-compat-images: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

SCRIPT_PATH=$(readlink -f "${BASH_SOURCE[0]}")
REPO_ROOT=$(cd "$(dirname "$SCRIPT_PATH")/.." && pwd)
# shellcheck source=lib/node-rootfs.sh
source "$REPO_ROOT/scripts/lib/node-rootfs.sh"
COMPAT="$REPO_ROOT/fixtures/compat"
LABEL_KEY=baleen.compat.hash
PROJECTS=(mock-fs stdio-stubs ts-node yaml-profiles hooks gherkin-rich cucumber7)
VERSIONS=(v6 v7 v8 v9 v10 v11 v12)
# Not part of a project: Baleen's timing history and the report files a local run writes.
EXCLUDED_FROM_IMAGE=(.baleen reports)

names=("$@")
[[ ${#names[@]} -gt 0 ]] || names=("${PROJECTS[@]}" versions)
for name in "${names[@]}"; do
  [[ "$name" == versions || -d "$COMPAT/$name" ]] || die "no fixture project named $name (fixtures/compat/$name)"
done

find_node
require_docker

# The files that make a project's image (node_modules excluded: package-lock.json stands for it), with their
# names, NUL-separated, plus the base's inputs and this script.
content_hash() {
  local dir
  {
    node_rootfs_hash_inputs
    sha256sum "$SCRIPT_PATH" | cut -d' ' -f1
    for dir in "$@"; do
      printf 'dir %s\n' "${dir#"$COMPAT"/}"
      (cd "$dir" && find . \( -name node_modules -o -name .baleen -o -path ./reports \) -prune -o -type f -print0 |
        LC_ALL=C sort -z | xargs -0 sha256sum --)
    done
  } | sha256sum | cut -c1-32
}

# Tar arguments that add a directory of fixtures/compat (with node_modules, without EXCLUDED_FROM_IMAGE) to the
# image's stream under another path: `project_members versions v7 compat/v7` puts versions/v7 at /compat/v7.
project_members() {
  local parent="$COMPAT/$1" name=$2 target=$3 e
  [[ -x "$parent/$name/node_modules/.bin/cucumber-js" ]] || die "$parent/$name/node_modules/.bin/cucumber-js is missing"
  members+=(--anchored)
  for e in "${EXCLUDED_FROM_IMAGE[@]}"; do members+=("--exclude=$name/$e"); done
  # S: symlink targets (node_modules/.bin/*) stay as they are.
  members+=(-C "$parent" --transform "s,^$name/,$target/,S" --transform "s,^$name\$,$target,S" "$name")
}

ROOTFS=
TMP=
cleanup() { [[ -z "$TMP" ]] || rm -rf "$TMP"; }
trap cleanup EXIT

# The base is assembled once per run, and only if some image needs building.
base_rootfs() {
  [[ -z "$ROOTFS" ]] || return 0
  ensure_busybox
  TMP=$(mktemp -d "${TMPDIR:-/tmp}/baleen-compat-images.XXXXXX")
  ROOTFS="$TMP/rootfs"
  log "assembling the base from $NODE_BIN ($NODE_VERSION) and /bin/busybox"
  assemble_node_rootfs "$ROOTFS"
}

# build_image IMAGE WORKDIR HASH: imports the base plus the tar `members` of the project.
build_image() {
  local image=$1 workdir=$2 hash=$3 old_id started=$SECONDS
  old_id=$(docker image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)
  import_rootfs "$ROOTFS" "$image" \
    --change "WORKDIR $workdir" \
    --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' \
    --change "LABEL $LABEL_KEY=$hash" \
    --change "LABEL baleen.compat.node=$NODE_VERSION" \
    --change 'CMD ["node_modules/.bin/cucumber-js"]' \
    -- "${members[@]}"
  check_image_runs_node "$image"
  remove_replaced_image "$old_id" "$image"
  log "built $image in $((SECONDS - started)) s ($LABEL_KEY=$hash)"
}

up_to_date() {
  local image=$1 hash=$2
  if [[ "$(image_label "$image" "$LABEL_KEY")" == "$hash" ]]; then
    log "$image is up to date"
    return 0
  fi
  return 1
}

build_project() {
  local name=$1 project="$COMPAT/$1" image="baleen-compat-$1:latest" hash
  npm_ci_if_stale "$project" "fixtures/compat/$name"
  hash=$(content_hash "$project")
  up_to_date "$image" "$hash" && return 0
  base_rootfs
  members=()
  project_members . "$name" app
  build_image "$image" /app "$hash"
}

# One image for every major: the version directories hold only package.json, lock and cucumber.js; the features
# and step definitions are copied in from versions/shared, so there is one copy of them in the repository.
build_versions() {
  local image=baleen-compat-versions:latest version dirs=("$COMPAT/versions/shared") hash
  for version in "${VERSIONS[@]}"; do
    npm_ci_if_stale "$COMPAT/versions/$version" "fixtures/compat/versions/$version"
    dirs+=("$COMPAT/versions/$version")
  done
  hash=$(content_hash "${dirs[@]}")
  up_to_date "$image" "$hash" && return 0
  base_rootfs
  local staged="$TMP/versions-features"
  rm -rf "$staged"
  members=()
  for version in "${VERSIONS[@]}"; do
    project_members versions "$version" "compat/$version"
    # The shared features go into each version directory: staged as <version>/features (a handful of small
    # files), so that the transform above places them and no path is in the stream twice (docker import
    # refuses duplicates).
    mkdir -p "$staged/$version"
    cp -R "$COMPAT/versions/shared/features" "$staged/$version/features"
    members+=(-C "$staged" "$version/features")
  done
  build_image "$image" "/compat/${VERSIONS[-1]}" "$hash"
}

for name in "${names[@]}"; do
  if [[ "$name" == versions ]]; then build_versions; else build_project "$name"; fi
done
