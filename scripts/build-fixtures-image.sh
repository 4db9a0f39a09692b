#!/usr/bin/env bash
# Builds the Docker image of the fixture project (fixtures/cucumber) WITHOUT an image registry.
#
# No base image can be pulled here, so the image is assembled from this machine's own files: its node binary
# and the shared libraries it links against, a static busybox for `sh` and `/usr/bin/env`, a minimal /etc, and
# the fixture project with its node_modules at /app. The tree is imported with `docker import`.
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
FIXTURES="$REPO_ROOT/fixtures/cucumber"
IMAGE=${BALEEN_FIXTURES_IMAGE:-baleen-fixtures:latest}
LABEL_KEY=baleen.fixtures.hash
# Files of fixtures/cucumber that are only for the conventional Dockerfile build; not copied into the image.
# .baleen/ is Baleen's own timing history when it runs from this folder: local state, not part of the project.
EXCLUDED_FROM_APP=(./Dockerfile ./.dockerignore ./.baleen)
APPLETS=(sh ash ls cat echo printf sleep true false mkdir rm cp mv pwd env test '[' id kill ps grep head tail wc
  touch chmod date uname hostname)

[[ -f "$FIXTURES/package-lock.json" ]] || die "missing $FIXTURES/package-lock.json"

NODE_BIN=$(command -v node) || die "node is not on PATH"
NODE_BIN=$(readlink -f "$NODE_BIN")
NODE_VERSION=$("$NODE_BIN" --version)

# --- the fixture project's node_modules (also needed to run the fixtures without Docker) ----------------------
if [[ ! -f "$FIXTURES/node_modules/.package-lock.json" ||
  "$FIXTURES/package-lock.json" -nt "$FIXTURES/node_modules/.package-lock.json" ]]; then
  log "installing fixtures/cucumber dependencies (npm ci)"
  npm ci --prefix "$FIXTURES" --no-audit --no-fund >&2
fi
[[ -x "$FIXTURES/node_modules/.bin/cucumber-js" ]] || die "fixtures/cucumber/node_modules/.bin/cucumber-js is missing after npm ci"

# --- content hash of everything that goes into the image ---------------------------------------------------
# The fixture files (not node_modules: package-lock.json stands for it), the node version and machine, and this
# script. File names are part of the hash, NUL-separated so that odd names (edge/odd names/...) are safe.
compute_hash() {
  {
    printf 'node %s %s\n' "$NODE_VERSION" "$(uname -m)"
    printf 'applets %s\n' "${APPLETS[*]}"
    sha256sum "$SCRIPT_PATH" | cut -d' ' -f1
    (cd "$FIXTURES" && find . \( -path ./node_modules -o -path ./.baleen \) -prune -o -type f -print0 | LC_ALL=C sort -z |
      xargs -0 sha256sum --)
  } | sha256sum | cut -c1-32
}
HASH=$(compute_hash)

if ! docker info >/dev/null 2>&1; then
  die "no Docker engine answers (docker info failed); run scripts/ensure-docker.sh first"
fi

OLD_ID=$(docker image inspect --format '{{.Id}}' "$IMAGE" 2>/dev/null || true)
if [[ -n "$OLD_ID" ]]; then
  OLD_HASH=$(docker image inspect --format "{{index .Config.Labels \"$LABEL_KEY\"}}" "$IMAGE" 2>/dev/null || true)
  if [[ "$OLD_HASH" == "$HASH" ]]; then
    log "$IMAGE is up to date"
    exit 0
  fi
fi

# --- a shell for the image: Debian's static busybox ------------------------------------------------------------
if [[ ! -x /bin/busybox ]]; then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    log "installing busybox-static (the image needs a shell for before-commands)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq busybox-static >/dev/null 2>&1 ||
      { apt-get update -qq >/dev/null && apt-get install -y -qq busybox-static >/dev/null; } ||
      die "could not install busybox-static"
  else
    die "/bin/busybox is missing; install Debian's busybox-static (apt-get install busybox-static)"
  fi
fi

# --- assemble the root filesystem ----------------------------------------------------------------------------
TMP=$(mktemp -d "${TMPDIR:-/tmp}/baleen-fixtures-image.XXXXXX")
cleanup() { rm -rf "$TMP"; }
trap cleanup EXIT
ROOTFS="$TMP/rootfs"
mkdir -p "$ROOTFS"/{app,bin,etc,root,usr/bin,usr/local/bin,proc,sys,dev}
install -d -m 1777 "$ROOTFS/tmp"

log "assembling $IMAGE from $NODE_BIN ($NODE_VERSION), /bin/busybox and fixtures/cucumber"

cp -L "$NODE_BIN" "$ROOTFS/usr/bin/node"
cp -L /bin/busybox "$ROOTFS/bin/busybox"

# Shared libraries of node (and of busybox, should it not be the static one), plus the dynamic loader, each at
# the path ldd shows, so the binaries' own search paths and PT_INTERP work unchanged.
copy_libs() {
  local bin=$1 out line path
  # A static binary makes ldd print "not a dynamic executable" and fail: nothing to copy then.
  out=$(ldd "$bin" 2>/dev/null) || return 0
  while read -r line; do
    path=
    if [[ "$line" == *"=> /"* ]]; then
      path=${line#*=> }
      path=${path%% (*}
    elif [[ "$line" == /* ]]; then
      path=${line%% (*}
    fi
    [[ -n "$path" ]] || continue # linux-vdso.so.1 has no file
    [[ -e "$path" ]] || die "ldd of $bin names $path, which does not exist"
    mkdir -p "$ROOTFS$(dirname "$path")"
    cp -L "$path" "$ROOTFS$path"
  done <<<"$out"
}
copy_libs "$NODE_BIN"
copy_libs /bin/busybox

for applet in "${APPLETS[@]}"; do
  ln -s busybox "$ROOTFS/bin/$applet"
done
ln -s ../../bin/busybox "$ROOTFS/usr/bin/env" # cucumber-js's bin starts with #!/usr/bin/env node

cat >"$ROOTFS/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat >"$ROOTFS/etc/group" <<'EOF'
root:x:0:
nogroup:x:65534:
EOF
chmod 0644 "$ROOTFS/etc/passwd" "$ROOTFS/etc/group"
chmod 0700 "$ROOTFS/root"

excludes=()
for e in "${EXCLUDED_FROM_APP[@]}"; do excludes+=("--exclude=$e"); done
tar -C "$FIXTURES" "${excludes[@]}" -cf - . | tar -C "$ROOTFS/app" -xf -

[[ -x "$ROOTFS/app/node_modules/.bin/cucumber-js" ]] || die "cucumber-js is missing from the assembled /app"

# --- import ----------------------------------------------------------------------------------------------------
log "importing the root filesystem ($(du -sh "$ROOTFS" | cut -f1)) as $IMAGE"
tar -C "$ROOTFS" --numeric-owner --owner=0 --group=0 -cf - . |
  docker import \
    --change 'WORKDIR /app' \
    --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' \
    --change "LABEL $LABEL_KEY=$HASH" \
    --change "LABEL baleen.fixtures.node=$NODE_VERSION" \
    --change 'CMD ["node_modules/.bin/cucumber-js"]' \
    - "$IMAGE" >/dev/null

if ! out=$(docker run --rm --network none "$IMAGE" node -e 'process.stdout.write("ok " + process.version)' 2>&1) ||
  [[ "$out" != "ok $NODE_VERSION" ]]; then
  die "the new image $IMAGE does not run node: $out"
fi

# The previous image of that name, now untagged, is removed (unless a container still uses it).
NEW_ID=$(docker image inspect --format '{{.Id}}' "$IMAGE")
if [[ -n "$OLD_ID" && "$OLD_ID" != "$NEW_ID" ]]; then
  docker image rm "$OLD_ID" >/dev/null 2>&1 || true
fi

log "built $IMAGE (${NEW_ID#sha256:}, $LABEL_KEY=$HASH)"
