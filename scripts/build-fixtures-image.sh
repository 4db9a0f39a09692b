#!/usr/bin/env bash
# Builds the Docker image of the fixture project (fixtures/cucumber) WITHOUT an image registry.
#
# No base image can be pulled here, so the image is assembled from this machine's own files (scripts/lib/
# node-rootfs.sh): its node binary and the shared libraries it links against, a static busybox for `sh` and
# `/usr/bin/env`, a minimal /etc, and the fixture project with its node_modules at /app. The tree is imported
# with `docker import`.
# (Users who have a registry can use the conventional fixtures/cucumber/Dockerfile instead.)
#
# Idempotent: the image carries a label with a hash of everything that goes into it; when the existing image
# has the same label, nothing is rebuilt.
#
#   bash scripts/build-fixtures-image.sh          # image: baleen-fixtures:latest
#   BALEEN_FIXTURES_IMAGE=name:tag bash scripts/build-fixtures-image.sh
set -euo pipefail

log() { printf 'build-fixtures-image: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

SCRIPT_PATH=$(readlink -f "${BASH_SOURCE[0]}")
REPO_ROOT=$(cd "$(dirname "$SCRIPT_PATH")/.." && pwd)
# shellcheck source=lib/node-rootfs.sh
source "$REPO_ROOT/scripts/lib/node-rootfs.sh"
FIXTURES="$REPO_ROOT/fixtures/cucumber"
IMAGE=${BALEEN_FIXTURES_IMAGE:-baleen-fixtures:latest}
LABEL_KEY=baleen.fixtures.hash
# Files of fixtures/cucumber that are only for the conventional Dockerfile build; not copied into the image.
# .baleen/ is Baleen's own timing history when it runs from this folder: local state, not part of the project.
EXCLUDED_FROM_APP=(./Dockerfile ./.dockerignore ./.baleen)

find_node

# --- the fixture project's node_modules (also needed to run the fixtures without Docker) ----------------------
npm_ci_if_stale "$FIXTURES" fixtures/cucumber

# --- content hash of everything that goes into the image ---------------------------------------------------
# The fixture files (not node_modules: package-lock.json stands for it), the node version and machine, the
# rootfs library and this script. File names are part of the hash, NUL-separated so that odd names
# (edge/odd names/...) are safe.
compute_hash() {
  {
    node_rootfs_hash_inputs
    sha256sum "$SCRIPT_PATH" | cut -d' ' -f1
    (cd "$FIXTURES" && find . \( -path ./node_modules -o -path ./.baleen \) -prune -o -type f -print0 | LC_ALL=C sort -z |
      xargs -0 sha256sum --)
  } | sha256sum | cut -c1-32
}
HASH=$(compute_hash)

# --- assemble the root filesystem (or stop here when the image is up to date) ---------------------------------
start_node_image "$IMAGE" "$LABEL_KEY" "$HASH" baleen-fixtures-image fixtures/cucumber
mkdir -p "$ROOTFS/app"

excludes=()
for e in "${EXCLUDED_FROM_APP[@]}"; do excludes+=("--exclude=$e"); done
tar -C "$FIXTURES" "${excludes[@]}" -cf - . | tar -C "$ROOTFS/app" -xf -

[[ -x "$ROOTFS/app/node_modules/.bin/cucumber-js" ]] || die "cucumber-js is missing from the assembled /app"

# --- import ----------------------------------------------------------------------------------------------------
import_rootfs "$ROOTFS" "$IMAGE" \
  --change 'WORKDIR /app' \
  --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' \
  --change "LABEL $LABEL_KEY=$HASH" \
  --change "LABEL baleen.fixtures.node=$NODE_VERSION" \
  --change 'CMD ["node_modules/.bin/cucumber-js"]'

check_image_runs_node "$IMAGE"
remove_replaced_image "$OLD_ID" "$IMAGE"

log "built $IMAGE ($(docker image inspect --format '{{.Id}}' "$IMAGE" | sed 's/^sha256://'), $LABEL_KEY=$HASH)"
