#!/usr/bin/env bash
# make deps: installs the Debian packages Hotcopy needs, when run as root and they are missing.
# Idempotent and quiet when everything is present. Also installs the pinned npm packages of web/.
# Never names a package host: apt uses the machine's configured sources, npm its configured registry.
set -euo pipefail
cd "$(dirname "$0")/.."

# Build and test tools, libraries, peers for benchmarks, a browser for the browser tests.
PKGS=(build-essential pkg-config clang libclang-rt-14-dev curl ca-certificates
      libmicrohttpd-dev libcjson-dev libsqlite3-dev sqlite3 libcmocka-dev
      libcurl4-openssl-dev libexpat1-dev libgnutls28-dev gnutls-bin openssl
      nginx-light wrk hyperfine chromium procps psmisc iproute2 jq
      ceph-mon ceph-osd radosgw ceph-common
      docker.io docker-compose debootstrap)
[ "${HOTCOPY_DEPS_EXTRA:-}" ] && PKGS+=(${HOTCOPY_DEPS_EXTRA})

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
# Node.js and npm: the machine's own if present (any >= 18), else Debian's.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "make deps: missing packages: ${missing[*]}" >&2
    echo "make deps: run 'sudo make deps' (or install them) and try again" >&2
    exit 1
  fi
  echo "make deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm packages for the dashboard (htmx) and the browser tests (playwright-core), pinned in
# web/package.json and web/package-lock.json; installed only when the lock file changed.
if [ -f web/package.json ]; then
  stamp=web/node_modules/.hotcopy-stamp
  if [ ! -f "$stamp" ] || [ web/package-lock.json -nt "$stamp" ] || [ web/package.json -nt "$stamp" ]; then
    (cd web && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    touch "$stamp"
  fi
fi
