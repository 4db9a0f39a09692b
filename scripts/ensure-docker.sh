#!/usr/bin/env bash
# Makes sure a Docker engine answers. Idempotent: an engine that already answers is used as it is.
# On Debian as root it installs docker.io and starts dockerd fully detached (setsid, no stdin, output to a log)
# so that it never holds a CI run's output open. Elsewhere it says how to get Docker and fails.
set -euo pipefail

log() { printf 'ensure-docker: %s\n' "$*" >&2; }

if docker info >/dev/null 2>&1; then
  exit 0
fi

if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
  log "no Docker engine answers (docker info failed)."
  log "Install Docker (https://docs.docker.com/engine/install/) and start it, or set DOCKER_HOST to a running engine."
  exit 2
fi

if ! command -v dockerd >/dev/null 2>&1; then
  log "installing docker.io from Debian's packages (about 20 s)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq docker.io >/dev/null
fi

# One loop covers the three states an engine can be in: answering (done), starting (wait for it), and stopping
# (a dockerd still shutting down holds its pid file, so a new one can only start once it has exited).
started=0
for _ in $(seq 1 120); do
  if docker info >/dev/null 2>&1; then
    log "Docker engine is up ($(docker version --format '{{.Server.Version}}' 2>/dev/null))"
    exit 0
  fi
  if ! pgrep -x dockerd >/dev/null 2>&1; then
    if [[ $started -eq 1 ]]; then
      log "dockerd exited while starting; see /var/log/baleen-dockerd.log"
      tail -n 20 /var/log/baleen-dockerd.log >&2 || true
      exit 2
    fi
    log "starting dockerd in the background (log: /var/log/baleen-dockerd.log)"
    # crun does not work on hybrid cgroups here; runc is dockerd's default, so no runtime flag is passed.
    setsid dockerd >/var/log/baleen-dockerd.log 2>&1 </dev/null &
    disown || true
    started=1
  fi
  sleep 0.5
done
log "dockerd did not answer within 60 s; see /var/log/baleen-dockerd.log"
exit 2
