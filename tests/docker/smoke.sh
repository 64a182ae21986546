#!/usr/bin/env bash
# HTTP smoke test of a running hotcopyd (the container started by tests/docker/run.sh, or any other),
# with curl, against the contract in spec/rest-api.md.
#   HOTCOPY_URL=http://127.0.0.1:PORT HOTCOPY_TOKEN=... tests/docker/smoke.sh backup-restore STATE_DIR
#     writes records, takes a full backup (begin, download the databases, log call, download the
#     logs, end), restores the set into a new instance by hard recovery and reads the records back
#     from it; records what it made in STATE_DIR/state for the next phase
#   HOTCOPY_URL=... HOTCOPY_TOKEN=... tests/docker/smoke.sh after-restart STATE_DIR
#     against a new server on the same data directory: the backup is still in the catalog, and the
#     records are still in the source and the restored instance
# Exits 0 when every check passed; otherwise prints the failed check with the response and exits 1.
# Needs curl and node (JSON parsing).
set -euo pipefail

URL=${HOTCOPY_URL:?set HOTCOPY_URL, e.g. http://127.0.0.1:8080}
URL=${URL%/}
TOKEN=${HOTCOPY_TOKEN:?set HOTCOPY_TOKEN}
PHASE=${1:?usage: smoke.sh backup-restore|after-restart STATE_DIR}
STATE_DIR=${2:?usage: smoke.sh backup-restore|after-restart STATE_DIR}
TABLE=docker_smoke
RECORDS=20
mkdir -p "$STATE_DIR"
BODY=$STATE_DIR/body
HEADERS=$STATE_DIR/headers
CHECKS=0

fail() {
  echo "smoke: FAILED: $*" >&2
  if [ -s "$BODY" ]; then echo "smoke: last response body:" >&2; head -c 2000 "$BODY" >&2; echo >&2; fi
  exit 1
}
pass() { CHECKS=$((CHECKS + 1)); echo "smoke: ok  $*"; }

# req METHOD PATH [curl args...]: sets STATUS; the body is in $BODY, the headers in $HEADERS.
req() {
  local method=$1 path=$2
  shift 2
  : >"$BODY"
  STATUS=$(curl -sS --max-time 120 -X "$method" -H "Authorization: Bearer $TOKEN" \
                -D "$HEADERS" -o "$BODY" -w '%{http_code}' "$@" "$URL$path") ||
    fail "$method $path: curl could not complete the request"
}
req_json() {  # METHOD PATH JSON
  req "$1" "$2" -H 'Content-Type: application/json' --data-binary "$3"
}
expect() {  # WHAT STATUS...: STATUS must be one of the given codes
  local what=$1 code
  shift
  for code in "$@"; do [ "$STATUS" = "$code" ] && return 0; done
  fail "$what: HTTP $STATUS, expected $*"
}
expect_2xx() { case "$STATUS" in 2??) ;; *) fail "$1: HTTP $STATUS, expected 2xx" ;; esac; }

# js EXPR [FILE]: evaluates EXPR with `o` = the JSON document in FILE (default: the last body).
# Strings print raw, other values as JSON.
js() {
  node -e '
    const o = JSON.parse(require("fs").readFileSync(process.argv[2], "utf8"));
    const v = (new Function("o", "return (" + process.argv[1] + ");"))(o);
    process.stdout.write(v === undefined ? "" : typeof v === "string" ? v : JSON.stringify(v));
  ' "$1" "${2:-$BODY}" || fail "cannot evaluate $1 on the response"
}

value_of() { printf 'value %s of the docker smoke test, seed %s' "$1" "$SEED"; }

# The records written before the backup must read back unchanged from instance $1.
check_records() {
  local inst=$1 i
  for ((i = 1; i <= RECORDS; i++)); do
    req GET "/api/v1/instances/$inst/tables/$TABLE/records/k$i"
    expect "read record k$i from $inst" 200
    [ "$(cat "$BODY")" = "$(value_of "$i")" ] || fail "record k$i in $inst has other bytes than were written"
  done
  pass "$RECORDS records read back from instance $inst"
}

# download BACKUP_ID FILE_OBJECTS_JSON_FILE: fetches each file to $STATE_DIR/set/, checks its size.
download_files() {
  local id=$1 list=$2 name url size rows
  mkdir -p "$STATE_DIR/set"
  rows=$(js "(Array.isArray(o) ? o : o.files).map(f => typeof f === 'string'
               ? [f, '/api/v1/backups/$id/files/' + encodeURIComponent(f), '']
               : [f.name, f.url || '/api/v1/backups/$id/files/' + encodeURIComponent(f.name),
                  f.sizeBytes === undefined ? '' : String(f.sizeBytes)]).map(r => r.join('\t')).join('\n')" "$list")
  while IFS=$'\t' read -r name url size; do
    [ -n "$name" ] || continue
    case "$name" in */* | .* | "") fail "file name '$name' is not a plain file name" ;; esac
    req GET "$url"
    expect "download $name" 200
    cp "$BODY" "$STATE_DIR/set/$name"
    # Every database and log file starts with a header: an empty one is never a backup.
    [ -s "$STATE_DIR/set/$name" ] || fail "download $name: empty file (the listing says ${size:-?} bytes)"
    if [ -n "$size" ] && [ "$(stat -c %s "$STATE_DIR/set/$name")" != "$size" ]; then
      fail "download $name: $(stat -c %s "$STATE_DIR/set/$name") bytes, the listing says $size"
    fi
    pass "downloaded $name ($(stat -c %s "$STATE_DIR/set/$name") bytes)"
  done <<<"$rows"
}

phase_backup_restore() {
  local inst id rid restored first first_url name uploaded f i
  SEED=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')

  STATUS=$(curl -sS --max-time 10 -o "$BODY" -w '%{http_code}' "$URL/healthz") || fail "GET /healthz: no answer"
  expect "GET /healthz" 200
  [ "$(js 'o.status')" = ok ] || fail "GET /healthz: status is not \"ok\""
  pass "GET /healthz without a token: 200 ok"

  STATUS=$(curl -sS --max-time 10 -D "$HEADERS" -o "$BODY" -w '%{http_code}' "$URL/api/v1/instances") ||
    fail "GET /api/v1/instances: no answer"
  expect "GET /api/v1/instances without a token" 401
  grep -qi '^WWW-Authenticate: *Bearer' "$HEADERS" || fail "401 without WWW-Authenticate: Bearer"
  pass "the API refuses a request without the token (401, WWW-Authenticate: Bearer)"

  req GET /api/v1/instances
  expect "GET /api/v1/instances" 200
  inst=$(js "(o.find(i => i.name === 'default') || o[0] || {}).name || ''")
  [ -n "$inst" ] || fail "no instance to back up"
  pass "instance $inst is there"

  for ((i = 1; i <= RECORDS; i++)); do
    req PUT "/api/v1/instances/$inst/tables/$TABLE/records/k$i" \
      -H 'Content-Type: application/octet-stream' --data-binary "$(value_of "$i")"
    expect_2xx "write record k$i"
  done
  pass "$RECORDS records written to $inst/$TABLE"

  req_json POST /api/v1/backups "{\"instance\": \"$inst\", \"type\": \"full\"}"
  expect "begin a full backup" 201
  id=$(js 'o.id')
  [ -n "$id" ] || fail "begin: no backup id"
  [ "$(js 'o.phase')" = database ] || fail "begin: phase is not database"
  grep -qi "^Location: .*/api/v1/backups/$id" "$HEADERS" || fail "begin: no Location of the backup"
  pass "backup $id begun (201, phase database)"

  req GET "/api/v1/backups/$id/files"
  expect "list the database files" 200
  cp "$BODY" "$STATE_DIR/dbfiles.json"
  [ "$(js "(Array.isArray(o) ? o : o.files).length" "$STATE_DIR/dbfiles.json")" -gt 0 ] ||
    fail "the backup lists no database file"
  download_files "$id" "$STATE_DIR/dbfiles.json"

  # A range request on the first database file gives exactly those bytes.
  first=$(js "(Array.isArray(o) ? o : o.files)[0].name" "$STATE_DIR/dbfiles.json")
  first_url=$(js "(Array.isArray(o) ? o : o.files)[0].url || ''" "$STATE_DIR/dbfiles.json")
  req GET "${first_url:-/api/v1/backups/$id/files/$first}" -H 'Range: bytes=100-4195'
  expect "range request on $first" 206
  grep -qi '^Content-Range: bytes 100-4195/' "$HEADERS" || fail "range request: wrong Content-Range"
  cmp -s "$BODY" <(tail -c +101 "$STATE_DIR/set/$first" | head -c 4096) ||
    fail "range request: the bytes differ from the whole download"
  pass "range request on $first: 206 with the same bytes"

  req POST "/api/v1/backups/$id/logs"
  expect "log call" 200
  cp "$BODY" "$STATE_DIR/logs.json"
  [ "$(js "(o.files || []).length" "$STATE_DIR/logs.json")" -gt 0 ] || fail "the log call lists no log file"
  pass "log call: generations $(js 'o.genLow' "$STATE_DIR/logs.json")..$(js 'o.genHigh' "$STATE_DIR/logs.json")"
  download_files "$id" "$STATE_DIR/logs.json"

  req_json POST "/api/v1/backups/$id/end" '{}'
  expect "end the backup" 200
  [ "$(js 'o.result.code')" -ge 0 ] || fail "end: the engine returned $(js 'o.result.name')"
  pass "backup $id ended: $(js 'o.result.name')"

  req GET "/api/v1/backups/$id"
  expect "GET the ended backup" 200
  [ "$(js 'o.phase')" = ended ] || fail "the backup's phase is $(js 'o.phase'), not ended"
  pass "backup $id is in phase ended"

  restored=restored-$SEED
  req_json POST /api/v1/restores "{\"instance\": \"$restored\"}"
  expect "create a restore" 201
  rid=$(js 'o.id')
  [ "$(js 'o.state')" = staging ] || fail "the new restore is not staging"
  uploaded=0
  for f in "$STATE_DIR/set/"*; do
    name=$(basename "$f")
    req PUT "/api/v1/restores/$rid/files/$name" -H 'Content-Type: application/octet-stream' --data-binary "@$f"
    expect_2xx "upload $name to restore $rid"
    uploaded=$((uploaded + 1))
  done
  pass "restore $rid: $uploaded files uploaded"

  req_json POST "/api/v1/restores/$rid/run" '{}'
  expect "run restore $rid" 200 201
  [ "$(js 'o.result.code')" -ge 0 ] || fail "restore: the engine returned $(js 'o.result.name')"
  pass "restore $rid ran: $(js 'o.result.name')"

  req GET "/api/v1/instances/$restored"
  expect "GET the restored instance" 200
  check_records "$restored"
  check_records "$inst"

  printf 'SEED=%s\nINST=%s\nBACKUP_ID=%s\nRESTORED=%s\n' "$SEED" "$inst" "$id" "$restored" \
    >"$STATE_DIR/state"
}

# The state file of the first phase sets SEED, INST, BACKUP_ID and RESTORED.
# shellcheck disable=SC2153
phase_after_restart() {
  [ -f "$STATE_DIR/state" ] || fail "no $STATE_DIR/state: run the backup-restore phase first"
  # shellcheck disable=SC1091
  . "$STATE_DIR/state"

  req GET "/api/v1/backups/$BACKUP_ID"
  expect "GET backup $BACKUP_ID after the restart" 200
  [ "$(js 'o.phase')" = ended ] || fail "backup $BACKUP_ID: phase $(js 'o.phase') after the restart"
  pass "backup $BACKUP_ID is still in the catalog, ended"

  req GET /api/v1/backups
  expect "GET the backup history" 200
  [ "$(js "(Array.isArray(o) ? o : o.backups || []).some(b => String(b.id) === '$BACKUP_ID')")" = true ] ||
    fail "the backup history no longer lists backup $BACKUP_ID"
  pass "the backup history lists backup $BACKUP_ID"

  req GET /api/v1/instances
  expect "GET /api/v1/instances" 200
  [ "$(js "o.some(i => i.name === '$RESTORED')")" = true ] ||
    fail "the restored instance $RESTORED is gone after the restart"
  check_records "$INST"
  check_records "$RESTORED"
}

case "$PHASE" in
  backup-restore) phase_backup_restore ;;
  after-restart) phase_after_restart ;;
  *) echo "usage: smoke.sh backup-restore|after-restart STATE_DIR" >&2; exit 2 ;;
esac
echo "smoke: $PHASE: $CHECKS checks passed"
