#!/usr/bin/env bash
# Builds the `baleen-server` image WITHOUT an image registry, as build-fixtures-image.sh builds the fixtures image:
# this machine's node and its libraries (scripts/lib/node-rootfs.sh), a static busybox, and the built server
# (packages/server, packages/protocol and packages/reports with the server's production dependencies) at /opt/baleen.
# (With a registry, deploy/server.Dockerfile is the conventional build from the packed packages.)
#
# The server reaches the engine through a socket mounted into it (or DOCKER_HOST): see docs/deploy.md, and what
# mounting the socket means (root on the host) before running it.
#
# Idempotent: the image carries a hash of everything in it; an image with the same hash is not rebuilt.
#
#   bash scripts/build-server-image.sh            # image: baleen-server:latest
#   BALEEN_SERVER_IMAGE=name:tag bash scripts/build-server-image.sh
set -euo pipefail

log() { printf 'build-server-image: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

SCRIPT_PATH=$(readlink -f "${BASH_SOURCE[0]}")
REPO_ROOT=$(cd "$(dirname "$SCRIPT_PATH")/.." && pwd)
# shellcheck source=lib/node-rootfs.sh
source "$REPO_ROOT/scripts/lib/node-rootfs.sh"
IMAGE=${BALEEN_SERVER_IMAGE:-baleen-server:latest}
LABEL_KEY=baleen.server-image.hash
APP=/opt/baleen

find_node
cd "$REPO_ROOT"
[[ -d node_modules ]] || die "node_modules is missing: run bash scripts/setup.sh (or npm ci) first"
if [[ ! -f packages/server/dist/cli.js || ! -f packages/protocol/dist/index.js || ! -f packages/reports/dist/index.js ]]; then
  log "building the TypeScript (npm run build)"
  npm run build >&2
fi

# The server's production dependencies, as npm resolved them in this checkout (top-level folders of node_modules;
# the workspaces themselves are copied from packages/).
mapfile -t DEPENDENCIES < <(npm ls --workspace=@baleen/server --omit=dev --all --parseable 2>/dev/null |
  sed "s#^$REPO_ROOT/##" |
  awk -F/ '$1 == "node_modules" && $2 != "@baleen" { print ($2 ~ /^@/) ? $1 "/" $2 "/" $3 : $1 "/" $2 }' |
  LC_ALL=C sort -u)
[[ ${#DEPENDENCIES[@]} -gt 10 ]] || die "npm ls found only ${#DEPENDENCIES[@]} dependencies of @baleen/server"

compute_hash() {
  {
    node_rootfs_hash_inputs
    sha256sum "$SCRIPT_PATH" package-lock.json | cut -d' ' -f1
    printf '%s\n' "${DEPENDENCIES[@]}"
    find packages/server/dist packages/server/bin packages/server/package.json packages/protocol/dist \
      packages/protocol/package.json packages/reports/dist packages/reports/package.json -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum --
  } | sha256sum | cut -c1-32
}
HASH=$(compute_hash)

# Stops here when the image is up to date; otherwise the base is at $ROOTFS.
start_node_image "$IMAGE" "$LABEL_KEY" "$HASH" baleen-server-image packages/server
mkdir -p "$ROOTFS$APP/node_modules/@baleen" "$ROOTFS/var/lib/baleen" "$ROOTFS/etc/baleen"
for package in server protocol reports; do
  mkdir -p "$ROOTFS$APP/node_modules/@baleen/$package"
  tar -C "packages/$package" --exclude='*.test.*' --exclude=.tsbuildinfo --exclude=testing -cf - \
    package.json dist $([[ -d "packages/$package/bin" ]] && echo bin) $([[ -d "packages/$package/node_modules" ]] && echo node_modules) |
    tar -C "$ROOTFS$APP/node_modules/@baleen/$package" -xf -
done
tar -C "$REPO_ROOT" -cf - "${DEPENDENCIES[@]}" | tar -C "$ROOTFS$APP" -xf -

# The reaper's image is made from the server's own node and the libraries ldd names; there is no ldd in this
# image, so the libraries are named here (BALEEN_NODE_LIBRARIES, read by reaper-image.ts).
LIBRARIES=$(ldd "$NODE_BIN" | sed -n 's#.*=> \(/[^ ]*\) (0x.*#\1#p; s#^[[:space:]]*\(/[^ ]*\) (0x.*#\1#p' | sort -u | paste -sd: -)

import_rootfs "$ROOTFS" "$IMAGE" \
  --change "WORKDIR $APP" \
  --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' \
  --change "ENV BALEEN_NODE_LIBRARIES=$LIBRARIES" \
  --change 'EXPOSE 5533' \
  --change 'VOLUME /var/lib/baleen' \
  --change "LABEL $LABEL_KEY=$HASH" \
  --change "ENTRYPOINT [\"node\", \"$APP/node_modules/@baleen/server/bin/baleen-server.js\", \"--state-dir\", \"/var/lib/baleen\"]" \
  --change 'CMD ["--host", "0.0.0.0", "--token-file", "/etc/baleen/tokens"]'

out=$(docker run --rm --network none "$IMAGE" --version 2>&1) || {
  docker image rm "$IMAGE" >/dev/null 2>&1 || true
  die "the new image $IMAGE does not run baleen-server: $out"
}
remove_replaced_image "$OLD_ID" "$IMAGE"
log "built $IMAGE (baleen-server $out, $LABEL_KEY=$HASH)"
