#!/usr/bin/env bash
# Container image of hotcopyd, on machines where no registry answers.
#   mk/docker.sh build   daemon (started if none answers), base image (cached), image hotcopy:latest
#   mk/docker.sh test    build, then run the image and check it: health, smoke backup/restore over
#                        HTTP, data kept in the volume across containers, clean stop; cleans up after
#   mk/docker.sh base    only the daemon and the base image
# Environment (all optional):
#   HOTCOPY_IMAGE        image tag to build and test (default hotcopy:latest)
#   HOTCOPY_BASE_IMAGE   base image to build FROM instead of the local debootstrapped one, e.g.
#                        debian:bookworm-slim where a registry answers
#   HOTCOPY_DOCKERD_LOG  log of a dockerd started here (default /var/log/hotcopy-dockerd.log)
#   HOTCOPY_E2E_PATTERN  name pattern of the e2e tests run against the container (default smoke)
#
# What works in the sandbox these scripts were written in (Debian 12 VM, root, no systemd, cgroup v1,
# ext4 root, iptables 1.8.9 nf_tables; docker.io 20.10.24 with its own containerd 1.6 and runc 1.1):
# a plain `dockerd` with no flags — overlay2 storage, cgroupfs driver, the docker0 bridge with NAT,
# published ports on 127.0.0.1 — answers within about a second. Builds reach the apt and npm
# registries through the bridge. When the defaults fail (no overlayfs, no iptables or bridge),
# dockerd is started again with DOCKERD_FALLBACK_FLAGS and builds and containers use the host's
# network; that mode was also checked here (vfs is slow and large: each layer is a full copy).
# Caution: a dockerd started with --bridge=none deletes an existing docker0, breaking the bridge of
# any other daemon on the machine (restart that one to get it back).
# The build stage's npm needs the machine's local CAs (a TLS-inspecting proxy here: without them npm
# fails with SELF_SIGNED_CERT_IN_CHAIN); they are handed over as a build argument (local_ca_certs).
# No registry is reachable, so the base image is `debootstrap --variant=minbase` from the mirror apt
# already uses (taken from the `URIs:` lines of the machine's apt sources, never written here),
# slimmed like Debian's -slim images, upgraded from the updates and security suites, and
# `docker import`ed. It is built once and kept; `docker rmi hotcopy-base:bookworm` forces a new one.
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE=${HOTCOPY_IMAGE:-hotcopy:latest}
BUILD_STAGE_TAG=${IMAGE%%:*}-build:cache
SUITE=bookworm
LOCAL_BASE=hotcopy-base:$SUITE
DOCKERD_LOG=${HOTCOPY_DOCKERD_LOG:-/var/log/hotcopy-dockerd.log}
DOCKERD_FALLBACK_FLAGS=(--storage-driver=vfs --iptables=false --ip-masq=false --bridge=none)
SIZE_BUDGET_MB=150          # decimal MB, as `docker images` shows them
LOCK=${TMPDIR:-/tmp}/hotcopy-docker.lock

log() { printf 'docker: %s\n' "$*"; }
fail() { printf 'docker: FAILED: %s\n' "$*" >&2; exit 1; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

# ---- daemon ----------------------------------------------------------------------------------------
daemon_answers() { timeout 15 docker info >/dev/null 2>&1; }

# Starts dockerd with the given flags, detached from this shell so it outlives the build; returns 0
# once it answers. A daemon that never answers is stopped again (it is ours: we know its pid).
start_dockerd() {
  local pid i t0
  log "starting dockerd ${*:-(default flags)}; log in $DOCKERD_LOG"
  t0=$(now)
  setsid dockerd "$@" >>"$DOCKERD_LOG" 2>&1 </dev/null &
  pid=$!
  for ((i = 0; i < 120; i++)); do
    if daemon_answers; then log "dockerd (pid $pid) answered after $(since "$t0") s"; return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then
      log "dockerd exited; last lines of $DOCKERD_LOG:"; tail -15 "$DOCKERD_LOG" | sed 's/^/    /'
      return 1
    fi
    sleep 0.5
  done
  log "dockerd did not answer within 60 s; stopping it (pid $pid)"
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  return 1
}

ensure_daemon() {
  command -v docker >/dev/null || fail "no docker client (Debian package docker.io; make deps)"
  daemon_answers && return 0
  [ "$(id -u)" -eq 0 ] || fail "no Docker daemon answers and only root can start one here"
  command -v dockerd >/dev/null || fail "no dockerd (Debian package docker.io; make deps)"
  start_dockerd && return 0
  log "dockerd failed with its defaults; trying ${DOCKERD_FALLBACK_FLAGS[*]}"
  start_dockerd "${DOCKERD_FALLBACK_FLAGS[@]}" && return 0
  fail "dockerd cannot run on this machine; see $DOCKERD_LOG"
}

# Containers get their own network on the default bridge when the daemon has one, else the host's.
bridge_available() { docker network inspect bridge >/dev/null 2>&1; }

# ---- apt mirror --------------------------------------------------------------------------------------
# Prints "URI SUITE" for every enabled deb source of the machine: deb822 files (URIs:/Suites:) and
# one-line lists. Comment lines (such as commented-out snapshot URIs) are ignored.
apt_sources() {
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk '
      function flush() { if (deb && enabled) for (i = 1; i <= nu; i++) for (j = 1; j <= ns; j++) print u[i], s[j]
                         deb = 0; enabled = 1; nu = 0; ns = 0 }
      BEGIN { enabled = 1 }
      /^[ \t]*#/ { next }
      /^[ \t]*$/ { flush(); next }
      tolower($1) == "types:"   { for (i = 2; i <= NF; i++) if ($i == "deb") deb = 1 }
      tolower($1) == "enabled:" { enabled = (tolower($2) != "no") }
      tolower($1) == "uris:"    { for (i = 2; i <= NF; i++) u[++nu] = $i }
      tolower($1) == "suites:"  { for (i = 2; i <= NF; i++) s[++ns] = $i }
      END { flush() }' "$f"
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    awk '$1 == "deb" { i = 2; if ($i ~ /^\[/) { while (i < NF && $i !~ /\]$/) i++; i++ }
                       print $i, $(i + 1) }' "$f"
  done
}

# Sets APT_MIRROR (archive for $SUITE) and APT_SECURITY_MIRROR (for $SUITE-security, may be empty).
find_mirrors() {
  local sources
  sources=$(apt_sources)
  APT_MIRROR=$(awk -v s="$SUITE" '$2 == s { print $1; exit }' <<<"$sources")
  APT_SECURITY_MIRROR=$(awk -v s="$SUITE-security" '$2 == s { print $1; exit }' <<<"$sources")
  # The base image speaks plain $SUITE even on a machine configured for another release.
  if [ -z "$APT_MIRROR" ]; then
    APT_MIRROR=$(awk '$2 !~ /-(security|updates|backports)$/ && $1 !~ /security/ { print $1; exit }' <<<"$sources")
  fi
  [ -n "$APT_MIRROR" ] || fail "no Debian mirror found in the URIs: lines of the apt sources"
  APT_MIRROR=${APT_MIRROR%/}
  APT_SECURITY_MIRROR=${APT_SECURITY_MIRROR%/}
}

# ---- base image ----------------------------------------------------------------------------------
# Unmounts anything left mounted under the debootstrap target, then removes the work directory.
remove_rootfs() {
  local dir=$1 m
  [ -d "$dir" ] || return 0
  awk -v d="$dir/" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r |
    while read -r m; do umount -l "$m" || true; done
  rm -rf --one-file-system "$dir"
}

write_deb822() {  # FILE: apt sources for $SUITE from the mirrors found
  local key=/usr/share/keyrings/debian-archive-keyring.gpg
  {
    printf 'Types: deb\nURIs: %s\nSuites: %s %s-updates\nComponents: main\nSigned-By: %s\n' \
      "$APT_MIRROR" "$SUITE" "$SUITE" "$key"
    if [ -n "$APT_SECURITY_MIRROR" ]; then
      printf '\nTypes: deb\nURIs: %s\nSuites: %s-security\nComponents: main\nSigned-By: %s\n' \
        "$APT_SECURITY_MIRROR" "$SUITE" "$key"
    fi
  } >"$1"
}

# Documentation, manuals and translations are left out of every package installed later, as in
# Debian's -slim images (copyright files stay).
write_slim_config() {
  local root=$1
  cat >"$root/etc/dpkg/dpkg.cfg.d/hotcopy-slim" <<'EOF'
# Written by Hotcopy's mk/docker.sh: no documentation or translations in this image.
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
EOF
  find "$root/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
  find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete
  rm -rf "$root/usr/share/man/"* "$root/usr/share/info/"* "$root/usr/share/groff/"* \
         "$root/usr/share/lintian/"* "$root/usr/share/linda/"* "$root/usr/share/locale/"*
}

build_base() {
  local work root t0 rc
  command -v debootstrap >/dev/null || fail "no debootstrap (Debian package debootstrap; make deps)"
  [ "$(id -u)" -eq 0 ] || fail "building the base image with debootstrap needs root"
  t0=$(now)
  work=$(mktemp -d /var/tmp/hotcopy-base.XXXXXX)
  root=$work/rootfs
  # shellcheck disable=SC2064  # expand now: the trap must remove this directory
  trap "remove_rootfs '$work'" EXIT
  log "building base image $LOCAL_BASE: debootstrap --variant=minbase $SUITE from $APT_MIRROR"
  rc=0
  debootstrap --variant=minbase "$SUITE" "$root" "$APT_MIRROR" >"$work/debootstrap.log" 2>&1 || rc=$?
  if [ "$rc" -ne 0 ]; then
    tail -20 "$work/debootstrap.log" | sed 's/^/    /'
    fail "debootstrap exited with $rc"
  fi
  write_slim_config "$root"
  rm -f "$root/etc/apt/sources.list"
  write_deb822 "$root/etc/apt/sources.list.d/debian.sources"
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  log "upgrading the base from the updates and security suites"
  rc=0
  { chroot "$root" apt-get -q update &&
    DEBIAN_FRONTEND=noninteractive chroot "$root" apt-get -y -q upgrade &&
    chroot "$root" apt-get clean; } >"$work/upgrade.log" 2>&1 || rc=$?
  if [ "$rc" -ne 0 ]; then
    tail -20 "$work/upgrade.log" | sed 's/^/    /'
    fail "apt-get upgrade in the base image exited with $rc"
  fi
  # Per-machine files that Docker provides at run time, and caches.
  rm -rf "$root/var/lib/apt/lists/"* "$root/var/cache/apt/"*.bin "$root/var/cache/apt/archives/"*.deb \
         "$root/var/log/"*.log "$root/var/log/apt/"* "$root/etc/hostname" "$root/etc/resolv.conf" \
         "$root/tmp/"* "$root/root/.bash_history"
  : >"$root/etc/machine-id" 2>/dev/null || true
  tar -C "$root" --numeric-owner -c . |
    docker import --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
                  --change 'CMD ["bash"]' - "$LOCAL_BASE" >/dev/null
  remove_rootfs "$work"
  trap - EXIT
  log "base image $LOCAL_BASE built in $(since "$t0") s ($(image_mb "$LOCAL_BASE") MB)"
}

ensure_base() {
  if [ -n "${HOTCOPY_BASE_IMAGE:-}" ]; then
    BASE=$HOTCOPY_BASE_IMAGE
    log "base image $BASE (from HOTCOPY_BASE_IMAGE)"
    return 0
  fi
  BASE=$LOCAL_BASE
  if docker image inspect "$BASE" >/dev/null 2>&1; then
    log "base image $BASE: cached"
  else
    build_base
  fi
}

image_mb() { docker image inspect -f '{{.Size}}' "$1" | awk '{ printf "%.1f", $1 / 1e6 }'; }

# ---- image ----------------------------------------------------------------------------------------
# The build stage's npm must trust what this machine trusts (e.g. a TLS-inspecting proxy's CA in
# /usr/local/share/ca-certificates); those certificates stay in the build stage.
local_ca_certs() {
  local f
  for f in /usr/local/share/ca-certificates/*.crt /usr/local/share/ca-certificates/*/*.crt; do
    [ -f "$f" ] && cat "$f"
  done
  return 0
}

build_image() {
  local t0 args=() registry
  args+=(--build-arg "BASE_IMAGE=$BASE")
  if [ -z "${HOTCOPY_BASE_IMAGE:-}" ]; then
    args+=(--build-arg "APT_MIRROR=$APT_MIRROR" --build-arg "APT_SECURITY_MIRROR=$APT_SECURITY_MIRROR")
  fi
  registry=$(npm config get registry 2>/dev/null || true)
  [ -n "$registry" ] && args+=(--build-arg "NPM_CONFIG_REGISTRY=$registry")
  args+=(--build-arg "BUILD_EXTRA_CA_CERTS=$(local_ca_certs)")
  bridge_available || args+=(--network host)
  log "building $IMAGE from $BASE"
  t0=$(now)
  # The build stage is tagged too (BUILD_STAGE_TAG), so that it stays as the next build's cache
  # while the images of earlier builds, untagged now, can be removed by their label.
  : >build/docker-build.log
  { DOCKER_BUILDKIT=0 docker build --force-rm -f docker/Dockerfile --target build \
      -t "$BUILD_STAGE_TAG" "${args[@]}" . &&
    DOCKER_BUILDKIT=0 docker build --force-rm -f docker/Dockerfile -t "$IMAGE" "${args[@]}" .
  } >>build/docker-build.log 2>&1 || {
    tail -40 build/docker-build.log | sed 's/^/    /'
    fail "docker build failed; full log in build/docker-build.log"
  }
  log "image $IMAGE built in $(since "$t0") s; size $(image_mb "$IMAGE") MB (budget $SIZE_BUDGET_MB MB)"
  docker image prune -f --filter label=org.hotcopy.image >/dev/null ||
    log "could not remove the untagged images of earlier builds"
}

check_size() {
  local bytes
  bytes=$(docker image inspect -f '{{.Size}}' "$IMAGE")
  [ "$bytes" -le $((SIZE_BUDGET_MB * 1000 * 1000)) ] ||
    fail "image $IMAGE is $(image_mb "$IMAGE") MB, over the $SIZE_BUDGET_MB MB budget"
}

# prepare [image]: the daemon and the base image, then the image unless told otherwise. One at a
# time on this machine: the daemon start, the base image and the tag are shared.
prepare() {
  mkdir -p build
  exec 9>"$LOCK"
  flock 9
  ensure_daemon
  find_mirrors
  ensure_base
  if [ "${1:-}" = image ]; then build_image; check_size; fi
  flock -u 9
}

case "${1:-}" in
  build) prepare image ;;
  base) prepare ;;
  test) prepare image; exec bash tests/docker/run.sh "$IMAGE" ;;
  *) echo "usage: $0 build|test|base" >&2; exit 2 ;;
esac
