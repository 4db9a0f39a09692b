# shellcheck shell=bash
# Assembles a registry-free root filesystem around this machine's node binary; sourced by scripts/build-*-image*.sh,
# which define `log` and `die` before sourcing it.
#
# No base image can be pulled on Baleen's machines, so images are made from files already here: the node binary
# and the shared libraries it links against, a static busybox for `sh` and `/usr/bin/env`, and a minimal /etc.
# The caller adds its project, then imports the tree with `docker import`.

NODE_ROOTFS_LIB=$(readlink -f "${BASH_SOURCE[0]}")
NODE_ROOTFS_APPLETS=(sh ash ls cat echo printf sleep true false mkdir rm cp mv pwd env test '[' id kill ps grep head
  tail wc touch chmod date uname hostname)

# Sets NODE_BIN (the real file, symlinks resolved) and NODE_VERSION.
find_node() {
  NODE_BIN=$(command -v node) || die "node is not on PATH"
  NODE_BIN=$(readlink -f "$NODE_BIN")
  NODE_VERSION=$("$NODE_BIN" --version)
}

# What the assembled base depends on, for the callers' content hashes: node's version and machine, the applets,
# and this file. Needs find_node first.
node_rootfs_hash_inputs() {
  printf 'node %s %s\n' "$NODE_VERSION" "$(uname -m)"
  printf 'applets %s\n' "${NODE_ROOTFS_APPLETS[*]}"
  sha256sum "$NODE_ROOTFS_LIB" | cut -d' ' -f1
}

# `npm ci` in a project when its node_modules is missing or older than its package-lock.json.
npm_ci_if_stale() {
  local project=$1 name=$2
  [[ -f "$project/package-lock.json" ]] || die "missing $project/package-lock.json"
  if [[ ! -f "$project/node_modules/.package-lock.json" ||
    "$project/package-lock.json" -nt "$project/node_modules/.package-lock.json" ]]; then
    log "installing $name dependencies (npm ci)"
    npm ci --prefix "$project" --no-audit --no-fund >&2
  fi
  [[ -x "$project/node_modules/.bin/cucumber-js" ]] || die "$name: node_modules/.bin/cucumber-js is missing after npm ci"
}

require_docker() {
  docker info >/dev/null 2>&1 || die "no Docker engine answers (docker info failed); run scripts/ensure-docker.sh first"
}

# The image's label value, or nothing when there is no such image.
image_label() {
  local image=$1 key=$2
  docker image inspect --format "{{index .Config.Labels \"$key\"}}" "$image" 2>/dev/null || true
}

# A shell for the image: Debian's static busybox.
ensure_busybox() {
  [[ -x /bin/busybox ]] && return 0
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    log "installing busybox-static (the image needs a shell for before-commands)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq busybox-static >/dev/null 2>&1 ||
      { apt-get update -qq >/dev/null && apt-get install -y -qq busybox-static >/dev/null; } ||
      die "could not install busybox-static"
  else
    die "/bin/busybox is missing; install Debian's busybox-static (apt-get install busybox-static)"
  fi
}

# Shared libraries of a binary (none for a static one), plus the dynamic loader, each at the path ldd shows, so
# the binaries' own search paths and PT_INTERP work unchanged.
copy_libs() {
  local rootfs=$1 bin=$2 out line path
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
    mkdir -p "$rootfs$(dirname "$path")"
    cp -L "$path" "$rootfs$path"
  done <<<"$out"
}

# Fills an empty directory with: node at /usr/bin/node and its libraries, /bin/busybox with its applets and
# /usr/bin/env (cucumber-js's bin starts with #!/usr/bin/env node), /etc/passwd and /etc/group (root, nobody),
# /tmp (1777), /root (0700), and empty /usr/local/bin, /proc, /sys and /dev. Needs find_node and ensure_busybox.
assemble_node_rootfs() {
  local rootfs=$1 applet
  mkdir -p "$rootfs"/{bin,etc,root,usr/bin,usr/local/bin,proc,sys,dev}
  install -d -m 1777 "$rootfs/tmp"

  cp -L "$NODE_BIN" "$rootfs/usr/bin/node"
  cp -L /bin/busybox "$rootfs/bin/busybox"
  copy_libs "$rootfs" "$NODE_BIN"
  copy_libs "$rootfs" /bin/busybox

  for applet in "${NODE_ROOTFS_APPLETS[@]}"; do
    ln -s busybox "$rootfs/bin/$applet"
  done
  ln -s ../../bin/busybox "$rootfs/usr/bin/env"

  cat >"$rootfs/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
  cat >"$rootfs/etc/group" <<'GROUP'
root:x:0:
nogroup:x:65534:
GROUP
  chmod 0644 "$rootfs/etc/passwd" "$rootfs/etc/group"
  chmod 0700 "$rootfs/root"
}

# The start of a script that builds one image on this base (build-fixtures-image.sh, build-server-image.sh):
#   start_node_image IMAGE LABEL_KEY HASH TMP_NAME CONTENT
# Ends the script when IMAGE already carries LABEL_KEY=HASH: nothing that goes into it has changed. Otherwise sets
# OLD_ID (the image the build replaces, or nothing), TMP (a new temporary directory named after TMP_NAME, removed
# when the script exits) and ROOTFS (the base, assembled in TMP); CONTENT says what the caller adds, for the log.
# Needs find_node.
start_node_image() {
  local image=$1 label_key=$2 hash=$3 tmp_name=$4 content=$5
  require_docker
  OLD_ID=$(docker image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)
  if [[ -n "$OLD_ID" && "$(image_label "$image" "$label_key")" == "$hash" ]]; then
    log "$image is up to date"
    exit 0
  fi
  ensure_busybox
  TMP=$(mktemp -d "${TMPDIR:-/tmp}/$tmp_name.XXXXXX")
  trap 'rm -rf "$TMP"' EXIT
  ROOTFS="$TMP/rootfs"
  log "assembling $image from $NODE_BIN ($NODE_VERSION), /bin/busybox and $content"
  assemble_node_rootfs "$ROOTFS"
}

# Imports a root filesystem as an image, every file owned by root:
#   import_rootfs ROOTFS IMAGE [--change INSTRUCTION]... [-- TAR-ARGUMENT...]
# Tar arguments after `--` add members from elsewhere straight into the stream (`-C DIR --transform ... NAME`):
# writing a project's thousands of node_modules files to disk first costs seconds per image on these machines.
import_rootfs() {
  local rootfs=$1 image=$2 changes=()
  shift 2
  while [[ $# -gt 0 && "$1" != -- ]]; do
    changes+=("$1")
    shift
  done
  [[ $# -eq 0 ]] || shift
  log "importing the root filesystem ($(du -sh "$rootfs" | cut -f1)${*:+ and more}) as $image"
  tar --numeric-owner --owner=0 --group=0 -cf - -C "$rootfs" . "$@" | docker import "${changes[@]}" - "$image" >/dev/null
}

# Fails unless the image runs this machine's node. A failed image is removed: it already carries its content
# label, and the next run would otherwise take it as up to date.
check_image_runs_node() {
  local image=$1 out
  if ! out=$(docker run --rm --network none "$image" node -e 'process.stdout.write("ok " + process.version)' 2>&1) ||
    [[ "$out" != "ok $NODE_VERSION" ]]; then
    docker image rm "$image" >/dev/null 2>&1 || true
    die "the new image $image does not run node: $out"
  fi
}

# Removes the image that a rebuild left untagged (unless a container still uses it).
remove_replaced_image() {
  local old_id=$1 image=$2 new_id
  new_id=$(docker image inspect --format '{{.Id}}' "$image")
  if [[ -n "$old_id" && "$old_id" != "$new_id" ]]; then
    docker image rm "$old_id" >/dev/null 2>&1 || true
  fi
}
