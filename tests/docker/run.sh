#!/usr/bin/env bash
# The image as a deployment (`make docker-test`, after mk/docker.sh has built IMAGE):
#   1. a container on a new named volume, its port published on 127.0.0.1 (ephemeral host port):
#      time from `docker run` to healthy, tini as PID 1, a non-root user; the HTTP smoke test
#      (tests/docker/smoke.sh) and the smoke subset of tests/e2e when they can target a running
#      server (HOTCOPY_URL + HOTCOPY_TOKEN); a clean stop (exit code 0 within 10 s);
#   2. a new container on the same volume: the catalog and the data are still there; clean stop;
#   3. docker/compose.yaml with the compose found (docker compose, else docker-compose): up,
#      healthy, the token from HOTCOPY_TOKEN works, clean stop, down.
# Removes every container and volume it created, also on failure; keeps the images.
#   tests/docker/run.sh IMAGE
set -euo pipefail
cd "$(dirname "$0")/../.."

IMAGE=${1:?usage: tests/docker/run.sh IMAGE}
NAME=hotcopy-test-$$
VOLUME=$NAME-data
PROJECT=hotcopytest$$
HEALTHY_TARGET_S=2
STOP_GRACE_S=10
E2E_PATTERN=${HOTCOPY_E2E_PATTERN:-smoke}
STATE=$(mktemp -d)
CONTAINERS=()
COMPOSE=()
COMPOSE_UP=0
TOKEN=$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')
export HOTCOPY_TOKEN=$TOKEN

log() { printf 'docker-test: %s\n' "$*"; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
fail() {
  local c
  printf 'docker-test: FAILED: %s\n' "$*" >&2
  for c in "${CONTAINERS[@]}"; do
    if docker inspect "$c" >/dev/null 2>&1; then
      echo "docker-test: last log lines of $c:" >&2
      docker logs --tail 30 "$c" 2>&1 | sed 's/^/    /' >&2
    fi
  done
  exit 1
}

cleanup() {
  local c
  set +e
  for c in "${CONTAINERS[@]}"; do docker rm -f "$c" >/dev/null 2>&1; done
  [ "$COMPOSE_UP" = 1 ] && "${COMPOSE[@]}" -p "$PROJECT" -f docker/compose.yaml down -v -t "$STOP_GRACE_S" >/dev/null 2>&1
  docker volume rm -f "$VOLUME" >/dev/null 2>&1
  rm -rf "$STATE"
}
trap cleanup EXIT

free_port() {
  node -e 'const s = require("net").createServer();
           s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

bridge_available() { docker network inspect bridge >/dev/null 2>&1; }

# start NAME: runs the image on $VOLUME; sets URL and START (time before `docker run`).
start() {
  local c=$1 port
  CONTAINERS+=("$c")
  START=$(now)
  if bridge_available; then
    docker run -d --name "$c" -e HOTCOPY_TOKEN -v "$VOLUME:/var/lib/hotcopy" -p 127.0.0.1::8080 \
      "$IMAGE" >/dev/null || fail "docker run $c"
    port=$(docker port "$c" 8080/tcp | awk -F: 'NR == 1 { print $NF }')
  else
    # No bridge on this daemon: the host's network, a free port, and a health check that knows it.
    port=$(free_port)
    docker run -d --name "$c" --network host -e HOTCOPY_TOKEN -v "$VOLUME:/var/lib/hotcopy" \
      --health-cmd "hotcopyd --healthcheck http://127.0.0.1:$port/healthz" \
      --health-interval 1s --health-retries 3 --health-start-period 30s \
      "$IMAGE" hotcopyd --listen "127.0.0.1:$port" --data /var/lib/hotcopy >/dev/null || fail "docker run $c"
  fi
  [ -n "$port" ] || fail "$c: no published port"
  URL=http://127.0.0.1:$port
}

# wait_healthy CONTAINER START [no-target]: waits for Docker's health status "healthy"; reports how
# long it took from START, and when /healthz first answered 200 through the published port. Warns
# when it took longer than the target, unless no-target (compose's own start-up is in its time).
wait_healthy() {
  local c=$1 t0=$2 target=${3:-target} state answered="" t
  while :; do
    state=$(docker inspect -f '{{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{end}}' "$c")
    if [ -z "$answered" ] && curl -fs -o /dev/null --max-time 1 "$URL/healthz"; then answered=$(since "$t0"); fi
    case "$state" in
      "running healthy") break ;;
      running*) ;;
      *) fail "$c is $state before becoming healthy (exit code $(docker inspect -f '{{.State.ExitCode}}' "$c"))" ;;
    esac
    t=$(since "$t0")
    if awk -v t="$t" 'BEGIN { exit !(t > 60) }'; then
      docker inspect -f '{{range .State.Health.Log}}{{.ExitCode}} {{.Output}}{{end}}' "$c" | tail -5 >&2
      fail "$c not healthy after 60 s"
    fi
    sleep 0.05
  done
  t=$(since "$t0")
  if [ "$target" = no-target ]; then
    log "$c: start to healthy $t s; /healthz answered after ${answered:-?} s"
    return 0
  fi
  log "$c: start to healthy $t s (target <= $HEALTHY_TARGET_S s); /healthz answered after ${answered:-?} s"
  awk -v t="$t" -v m="$HEALTHY_TARGET_S" 'BEGIN { exit !(t > m) }' &&
    log "WARNING: start to healthy took longer than the $HEALTHY_TARGET_S s target"
  return 0
}

# stop_clean CONTAINER: docker stop sends SIGTERM (through tini); hotcopyd must exit 0 in time.
stop_clean() {
  local c=$1 t0 t code
  t0=$(now)
  docker stop -t "$STOP_GRACE_S" "$c" >/dev/null || fail "docker stop $c"
  t=$(since "$t0")
  code=$(docker inspect -f '{{.State.ExitCode}}' "$c")
  [ "$code" = 0 ] || fail "$c exited with code $code after SIGTERM ($t s; 137 = killed at the end of the grace period, 143 = died of SIGTERM without a clean shutdown)"
  awk -v t="$t" -v m="$STOP_GRACE_S" 'BEGIN { exit !(t < m) }' || fail "$c took $t s to stop"
  log "$c: stopped cleanly in $t s (exit code 0)"
}

check_process() {
  local c=$1 uid init
  uid=$(docker exec "$c" id -u) || fail "docker exec $c id"
  [ "$uid" != 0 ] || fail "$c runs as root"
  init=$(docker exec "$c" cat /proc/1/comm) || fail "docker exec $c cat /proc/1/comm"
  [ "$init" = tini ] || fail "PID 1 of $c is $init, not tini"
  log "$c: PID 1 is tini, hotcopyd runs as uid $uid"
}

# The e2e tests that can target a running server (they read HOTCOPY_URL and HOTCOPY_TOKEN) run
# their smoke subset (test names matching $E2E_PATTERN) against the container.
run_e2e_subset() {
  local files=() f out rc=0
  for f in tests/e2e/*.test.mjs; do
    [ -f "$f" ] && grep -q HOTCOPY_URL "$f" && files+=("$f")
  done
  if [ ${#files[@]} -eq 0 ]; then
    log "e2e: no test in tests/e2e reads HOTCOPY_URL yet; tests/docker/smoke.sh stands in"
    return 0
  fi
  out=$STATE/e2e.log
  HOTCOPY_URL=$URL node --test --test-reporter=tap --test-name-pattern="$E2E_PATTERN" "${files[@]}" \
    >"$out" 2>&1 || rc=$?
  if [ "$rc" -ne 0 ]; then
    grep -B2 -A30 '^not ok' "$out" | head -80 | sed 's/^/    /' >&2
    fail "e2e smoke subset against the container (exit $rc)"
  fi
  log "e2e subset ($E2E_PATTERN): $(sed -n 's/^# pass //p' "$out" | tail -1) passed, $(sed -n 's/^# skipped //p' "$out" | tail -1) skipped"
}

find_compose() {
  if docker compose version >/dev/null 2>&1; then COMPOSE=(docker compose)
  elif command -v docker-compose >/dev/null 2>&1; then COMPOSE=(docker-compose)
  fi
}

check_compose() {
  local c port t0
  find_compose
  if [ ${#COMPOSE[@]} -eq 0 ]; then
    log "SKIPPED compose: neither 'docker compose' nor 'docker-compose' is installed"
    return 0
  fi
  if ! bridge_available; then
    log "SKIPPED compose up: the daemon has no bridge network"
    return 0
  fi
  port=$(free_port)
  export HOTCOPY_PORT=$port HOTCOPY_IMAGE=$IMAGE
  "${COMPOSE[@]}" -p "$PROJECT" -f docker/compose.yaml config -q || fail "${COMPOSE[*]} config"
  t0=$(now)
  COMPOSE_UP=1
  "${COMPOSE[@]}" -p "$PROJECT" -f docker/compose.yaml up -d --no-build >"$STATE/compose.log" 2>&1 ||
    { cat "$STATE/compose.log" >&2; fail "${COMPOSE[*]} up"; }
  c=$(docker ps -aq --filter "label=com.docker.compose.project=$PROJECT" | head -1)
  [ -n "$c" ] || fail "${COMPOSE[*]} up started no container"
  c=$(docker inspect -f '{{.Name}}' "$c"); c=${c#/}
  CONTAINERS+=("$c")
  URL=http://127.0.0.1:$port
  wait_healthy "$c" "$t0" no-target
  [ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$URL/api/v1/instances")" = 200 ] ||
    fail "compose: the token from HOTCOPY_TOKEN is refused"
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/api/v1/instances")" = 401 ] ||
    fail "compose: the API answers without a token"
  stop_clean "$c"
  "${COMPOSE[@]}" -p "$PROJECT" -f docker/compose.yaml down -v -t "$STOP_GRACE_S" >>"$STATE/compose.log" 2>&1 ||
    fail "${COMPOSE[*]} down"
  COMPOSE_UP=0
  log "compose (${COMPOSE[*]}): up, healthy, token from the environment, clean stop, down: ok"
}

main() {
  local t0
  t0=$(now)
  docker volume create "$VOLUME" >/dev/null || fail "docker volume create"

  start "$NAME-1"
  wait_healthy "$NAME-1" "$START"
  check_process "$NAME-1"
  HOTCOPY_URL=$URL bash tests/docker/smoke.sh backup-restore "$STATE/smoke" || fail "smoke test (backup-restore)"
  run_e2e_subset
  stop_clean "$NAME-1"
  docker rm "$NAME-1" >/dev/null

  start "$NAME-2"
  wait_healthy "$NAME-2" "$START"
  HOTCOPY_URL=$URL bash tests/docker/smoke.sh after-restart "$STATE/smoke" || fail "smoke test (after-restart)"
  stop_clean "$NAME-2"
  docker rm "$NAME-2" >/dev/null

  check_compose
  log "image $IMAGE: $(docker image inspect -f '{{.Size}}' "$IMAGE" | awk '{ printf "%.1f", $1 / 1e6 }') MB"
  log "all checks passed in $(since "$t0") s"
}

main
