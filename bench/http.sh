#!/usr/bin/env bash
# bench/http.sh — hotcopyd's HTTP serving against Debian's nginx (issue B), both started here on
# 127.0.0.1 ephemeral ports with their configuration in $BENCH_DIR, each case measured in the same
# run with the two sides alternating, reported as ratios:
#   (1) a >= 1 GiB database downloaded through GET /api/v1/backups/{id}/files/{name} (every page
#       verified by the engine; a whole-file answer also computes the CRC32C the backup records)
#       vs nginx (sendfile on) serving a file of the same size from the page cache, curl to
#       /dev/null: one stream (target >= 1.0x), the same as one `Range: bytes=0-` request (no
#       whole-file digest; reported), and 4 parallel ranges, one curl each (target >= 0.9x)
#   (2) the backup's log files (after the log call), each downloaded whole once per repetition by
#       one curl process, vs nginx serving as many files of the same size (target >= 1.0x); the
#       same as one range each (no whole-file digest; reported)
#   (3) GET /api/v1/instances/default with wrk, 2 threads, 64 connections, vs nginx serving a
#       1 KiB static file (target >= 1.0x)
# Medians of REPS repetitions; a ratio is the median of the per-repetition ratios. Writes the
# "HTTP: hotcopyd vs nginx" block of docs/BENCHMARKS.md (between its http-results markers); raw
# RESULT lines are kept in bench/results/http-<UTC time>.txt.
#
#   bash bench/http.sh [--quick] [--no-docs] [--keep]
#     --quick    smoke run: a 96 MiB database, one repetition, 3 s wrk runs, docs untouched
#     --no-docs  do not rewrite the results block
#     --keep     keep $BENCH_DIR afterwards
#   Environment: HOTCOPYD (default build/bin/hotcopyd), BENCH_DIR (default build/bench-http),
#   BENCH_REPS (default 5), BENCH_DB_MIB
#   (default 1100), BENCH_DOC (default docs/BENCHMARKS.md).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/docblock.sh
. bench/docblock.sh

QUICK=0 DOCS=1 KEEP=0
COMMAND="bash bench/http.sh${*:+ $*}"
for arg in "$@"; do
  case $arg in
    --quick) QUICK=1 DOCS=0 ;;
    --no-docs) DOCS=0 ;;
    --keep) KEEP=1 ;;
    *) echo "usage: bash bench/http.sh [--quick] [--no-docs] [--keep]" >&2; exit 2 ;;
  esac
done
BENCH_DIR=${BENCH_DIR:-build/bench-http}
DOC=${BENCH_DOC:-docs/BENCHMARKS.md}
HOTCOPYD=${HOTCOPYD:-build/bin/hotcopyd}
NGINX=${NGINX:-/usr/sbin/nginx}
if [ "$QUICK" = 1 ]; then
  DB_MIB=96 REPS=1 WRK_SECONDS=3 LOG_KIB=4096 LOG_MIB=24
else
  DB_MIB=${BENCH_DB_MIB:-1100} REPS=${BENCH_REPS:-5} WRK_SECONDS=10 LOG_KIB=32768 LOG_MIB=320
fi
VALUE_KIB=1000 # record values (the API takes up to 1 MiB)
STREAMS=4
TOKEN=bench-$$
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

say() { echo "http bench: $*" >&2; }
[ -x "$HOTCOPYD" ] || { say "build first (make)"; exit 1; }
for tool in curl wrk "$NGINX" python3; do
  command -v "$tool" >/dev/null || { say "$tool is missing"; exit 1; }
done
rm -rf "$BENCH_DIR"
mkdir -p "$BENCH_DIR"
BENCH_DIR=$(cd "$BENCH_DIR" && pwd)
RESULTS=$BENCH_DIR/results.txt
: >"$RESULTS"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  [ "$KEEP" = 1 ] || rm -rf "$BENCH_DIR"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
result() { echo "RESULT $*" | tee -a "$RESULTS" | sed 's/^/  /' >&2; }

# ---- hotcopyd, filled ------------------------------------------------------------------------
export HOTCOPY_TOKEN=$TOKEN
"$HOTCOPYD" --listen 127.0.0.1:0 --data "$BENCH_DIR/hc" --log-file-size "$LOG_KIB" --cache-size 256 \
  >"$BENCH_DIR/hotcopyd.out" 2>&1 &
PIDS+=($!)
HC=
for _ in $(seq 200); do
  HC=$(sed -n 's/^listening on \(http:[^ ]*\)$/\1/p' "$BENCH_DIR/hotcopyd.out")
  [ -n "$HC" ] && break
  sleep 0.05
done
[ -n "$HC" ] || { say "hotcopyd did not start:"; cat "$BENCH_DIR/hotcopyd.out" >&2; exit 1; }
AUTH="Authorization: Bearer $TOKEN"
api() { curl -sf -H "$AUTH" "$@"; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

say "filling a ${DB_MIB} MiB database through the REST API"
head -c $((VALUE_KIB * 1024)) /dev/urandom >"$BENCH_DIR/value.bin"
CFG=$BENCH_DIR/fill.curl
: >"$CFG"
for i in $(seq -w 1 $((DB_MIB * 1024 / VALUE_KIB))); do
  printf 'url = "%s/api/v1/instances/default/tables/bulk/records/r%s"\nupload-file = "%s"\noutput = "/dev/null"\n' \
    "$HC" "$i" "$BENCH_DIR/value.bin" >>"$CFG"
done
curl -sf -H "$AUTH" -K "$CFG"
B=$(api -XPOST "$HC/api/v1/backups" -d '{"type": "full"}')
# written while the backup runs: what the log generations the log call lists hold
say "writing ${LOG_MIB} MiB more for the backup's logs"
: >"$CFG"
for i in $(seq -w 1 $((LOG_MIB * 1024 / VALUE_KIB))); do
  printf 'url = "%s/api/v1/instances/default/tables/bulk/records/late%s"\nupload-file = "%s"\noutput = "/dev/null"\n' \
    "$HC" "$i" "$BENCH_DIR/value.bin" >>"$CFG"
done
curl -sf -H "$AUTH" -K "$CFG"
rm -f "$BENCH_DIR/value.bin"
B=$(api "$HC/api/v1/backups/$(echo "$B" | json 'd["id"]')")
ID=$(echo "$B" | json 'd["id"]')
DB_NAME=$(echo "$B" | json '[f["name"] for f in d["files"] if f["kind"] == "database"][0]')
DB_BYTES=$(echo "$B" | json '[f["sizeBytes"] for f in d["files"] if f["kind"] == "database"][0]')
DB_URL=$HC/api/v1/backups/$ID/files/$DB_NAME

# ---- nginx, the same sizes from the page cache -----------------------------------------------
NG_DIR=$BENCH_DIR/nginx
mkdir -p "$NG_DIR/www" "$NG_DIR/tmp"
PORT=$(free_port)
cat >"$NG_DIR/nginx.conf" <<EOF
# Debian's nginx.conf defaults (worker_processes auto, sendfile, tcp_nopush, an access log), one
# static server on 127.0.0.1.
worker_processes auto;
pid $NG_DIR/nginx.pid;
error_log $NG_DIR/error.log;
events { worker_connections 768; }
http {
  sendfile on;
  tcp_nopush on;
  types_hash_max_size 2048;
  default_type application/octet-stream;
  access_log $NG_DIR/access.log;
  client_body_temp_path $NG_DIR/tmp; proxy_temp_path $NG_DIR/tmp; fastcgi_temp_path $NG_DIR/tmp;
  uwsgi_temp_path $NG_DIR/tmp; scgi_temp_path $NG_DIR/tmp;
  server { listen 127.0.0.1:$PORT; root $NG_DIR/www; }
}
EOF
head -c "$DB_BYTES" /dev/urandom >"$NG_DIR/www/db.bin"
head -c 1024 /dev/urandom >"$NG_DIR/www/small.bin"
"$NGINX" -c "$NG_DIR/nginx.conf" -p "$NG_DIR" -g 'daemon off;' &
PIDS+=($!)
NG=http://127.0.0.1:$PORT
for _ in $(seq 100); do curl -sf -o /dev/null "$NG/small.bin" && break; sleep 0.05; done
cat "$NG_DIR/www/db.bin" >/dev/null

# one_stream LABEL URL [CURL ARGS...]: one curl to /dev/null -> RESULT (bytes, seconds, MiB/s).
one_stream() {
  local label=$1 url=$2 out
  shift 2
  out=$(curl -sf "$@" -o /dev/null -w '%{size_download} %{time_total}' "$url")
  result "case=$label bytes=${out% *} seconds=${out#* }" \
    "mib_s=$(awk -v b="${out% *}" -v t="${out#* }" 'BEGIN { printf "%.1f", b / t / 1048576 }')"
}

# parallel LABEL URL SIZE [CURL ARGS...]: STREAMS curls, each a quarter of [0, SIZE) -> RESULT
# (wall time from the first start to the last end).
parallel() {
  local label=$1 url=$2 size=$3 t0 t1 i lo hi pids=() total=0
  shift 3
  t0=$EPOCHREALTIME
  for i in $(seq 0 $((STREAMS - 1))); do
    lo=$((size * i / STREAMS)) hi=$((size * (i + 1) / STREAMS - 1))
    curl -sf "$@" -r "$lo-$hi" -o /dev/null -w '%{size_download}\n' "$url" >"$BENCH_DIR/part$i" &
    pids+=($!)
  done
  for i in "${!pids[@]}"; do wait "${pids[$i]}" || { say "$label: stream $i failed"; exit 1; }; done
  t1=$EPOCHREALTIME
  for i in $(seq 0 $((STREAMS - 1))); do total=$((total + $(cat "$BENCH_DIR/part$i"))); done
  [ "$total" = "$size" ] || { say "$label: got $total bytes of $size"; exit 1; }
  result "case=$label bytes=$total seconds=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')" \
    "mib_s=$(awk -v s="$total" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", s / (b - a) / 1048576 }')"
}

say "(1) the database ($DB_BYTES bytes): one stream, one range, $STREAMS ranges"
for rep in $(seq "$REPS"); do
  one_stream nginx-whole "$NG/db.bin"
  one_stream hc-whole "$DB_URL" -H "$AUTH"
  one_stream nginx-range "$NG/db.bin" -r 0-
  one_stream hc-range "$DB_URL" -H "$AUTH" -r 0-
  parallel nginx-ranges "$NG/db.bin" "$DB_BYTES"
  parallel hc-ranges "$DB_URL" "$DB_BYTES" -H "$AUTH"
done
CRC_SERVED=$(api "$HC/api/v1/backups/$ID" | json '[f.get("crc32c", "") for f in d["files"] if f["name"] == "'"$DB_NAME"'"][0]')

say "(2) the log files"
LOGS=$(api -XPOST "$HC/api/v1/backups/$ID/logs")
LOG_COUNT=$(echo "$LOGS" | json 'len(d["files"])')
LOG_BYTES=$(echo "$LOGS" | json 'd["files"][0]["sizeBytes"]')
LOG_CFG=$BENCH_DIR/logs.curl NG_LOG_CFG=$BENCH_DIR/nginx-logs.curl
: >"$LOG_CFG"
: >"$NG_LOG_CFG"
head -c "$LOG_BYTES" /dev/urandom >"$NG_DIR/www/log.bin"
cat "$NG_DIR/www/log.bin" >/dev/null
LOG_RANGE_CFG=$BENCH_DIR/logs-range.curl
: >"$LOG_RANGE_CFG"
for url in $(echo "$LOGS" | json '"\n".join(f["url"] for f in d["files"])'); do
  printf 'url = "%s%s"\noutput = "/dev/null"\n' "$HC" "$url" >>"$LOG_CFG"
  printf 'url = "%s%s"\noutput = "/dev/null"\nrange = "0-"\n' "$HC" "$url" >>"$LOG_RANGE_CFG"
  printf 'url = "%s/log.bin"\noutput = "/dev/null"\n' "$NG" >>"$NG_LOG_CFG"
done
# many LABEL CONFIG [CURL ARGS...]: one curl fetching every URL of CONFIG -> RESULT.
many() {
  local label=$1 cfg=$2 t0 t1 bytes
  shift 2
  t0=$EPOCHREALTIME
  bytes=$(curl -sf "$@" -K "$cfg" -w '%{size_download}\n' | awk '{ s += $1 } END { print s }')
  t1=$EPOCHREALTIME
  result "case=$label files=$LOG_COUNT bytes=$bytes seconds=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')" \
    "mib_s=$(awk -v s="$bytes" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", s / (b - a) / 1048576 }')"
}
for rep in $(seq "$REPS"); do
  many nginx-logs "$NG_LOG_CFG"
  many hc-logs "$LOG_CFG" -H "$AUTH"
  many hc-logs-range "$LOG_RANGE_CFG" -H "$AUTH"
done

say "(3) small requests: wrk -t2 -c64, ${WRK_SECONDS} s"
wrk_run() {
  local label=$1 out rps
  shift
  out=$(wrk -t2 -c64 -d"${WRK_SECONDS}s" "$@")
  rps=$(echo "$out" | awk '/^Requests\/sec:/ { print $2 }')
  if echo "$out" | grep -q 'Non-2xx\|Socket errors'; then
    say "$label: wrk reported errors:"; echo "$out" >&2; exit 1
  fi
  result "case=$label rps=$rps p50_ms=$(echo "$out" | awk '/^    Latency/ { print $2 }')"
}
for rep in $(seq "$REPS"); do
  wrk_run nginx-small "$NG/small.bin"
  wrk_run hc-instance -H "$AUTH" "$HC/api/v1/instances/default"
done
api -XPOST "$HC/api/v1/backups/$ID/end" -d '{"abort": true}' >/dev/null || true

# ---- summary ---------------------------------------------------------------------------------
field() {
  awk -v c="case=$1" -v k="$2" '
    $0 ~ "^RESULT" { hit = 0; for (i = 2; i <= NF; i++) if ($i == c) hit = 1
      if (hit) for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) print kv[2] } }
  ' "$RESULTS"
}
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print 0 }'; }
spread() { sort -g | awk 'NR == 1 { a = $1 } { b = $1 } END { printf "%.0f-%.0f", a, b }'; }
ratio() { paste <(field "$1" "$3") <(field "$2" "$3") | awk '{ if ($2 > 0) printf "%.4f\n", $1 / $2 }' | median |
  awk '{ printf "%.2f", $1 }'; }
verdict() { [ "$2" = - ] && { echo "(no target)"; return; }
  awk -v r="$1" -v t="$2" 'BEGIN { print (r >= t ? "met" : "MISSED") }'; }
ROWS=()
row() { # HC NGINX KEY UNIT TARGET DESCRIPTION
  local r h n t=">= ${5}x"
  r=$(ratio "$1" "$2" "$3")
  h=$(field "$1" "$3" | median) n=$(field "$2" "$3" | median)
  [ "$5" = - ] && t="—"
  ROWS+=("| $6 | $h $4 ($(field "$1" "$3" | spread)) | $n $4 ($(field "$2" "$3" | spread)) | **${r}x** | $t | $(verdict "$r" "$5") |")
  printf 'http %-45s hotcopyd %10s %-6s nginx %10s %-6s ratio %5sx  target %-6s %s\n' "$6" "$h" "$4" "$n" "$4" "$r" "$5" \
    "$(verdict "$r" "$5")"
}
row hc-whole nginx-whole mib_s MiB/s 1.0 "(1) database, one stream (GET, whole file)"
row hc-range nginx-range mib_s MiB/s - "(1) database, one stream (one range bytes=0-)"
row hc-ranges nginx-ranges mib_s MiB/s 0.9 "(1) database, $STREAMS parallel ranges"
row hc-logs nginx-logs mib_s MiB/s 1.0 "(2) $LOG_COUNT log files of $((LOG_BYTES / 1048576)) MiB, each whole"
row hc-logs-range nginx-logs mib_s MiB/s - "(2) the same log files, each as one range bytes=0-"
row hc-instance nginx-small rps req/s 1.0 "(3) GET /api/v1/instances/default vs 1 KiB file"
mkdir -p bench/results
SUFFIX=
[ "$QUICK" = 0 ] || SUFFIX=-quick
KEPT=bench/results/http-$(date -u +%Y%m%dT%H%M%SZ)$SUFFIX.txt
cp "$RESULTS" "$KEPT"
echo "http: whole-file CRC32C recorded by hotcopyd: ${CRC_SERVED:-none}; raw results: $KEPT"

# ---- docs ------------------------------------------------------------------------------------
section_text() {
  cat <<'TEXT'
`bash bench/http.sh` starts a hotcopyd (`--cache-size 256 --log-file-size 32768`, 4 HTTP threads)
and Debian's nginx (`worker_processes auto`, `sendfile on`, `tcp_nopush on`, an access log) on
127.0.0.1 ephemeral ports with their configuration in the bench directory, fills the default
instance with about 1.1 GiB of records of 1000 KiB through the REST API, begins a full backup,
writes 320 MiB more (the log generations the backup will list) and measures, alternating the two
servers, curl or wrk on the same machine as the client:

- **(1) Database download**: `curl -o /dev/null` of `GET /api/v1/backups/{id}/files/main.edb`
  (every page read through `JetXReadFileAt` and verified; a whole-file `200` answer also computes
  the CRC32C that the backup records as the file's `crc32c`) against nginx serving a file of the
  same size from the page cache. One stream as a plain GET; the same as one `Range: bytes=0-`
  request (a `206`: no whole-file digest), to separate the digest's cost; and 4 parallel ranges
  (4 curl processes, each a quarter of the file at offsets that are not page-aligned; wall time
  from the first start to the last end).
- **(2) Log files**: after the log call, one curl process downloads every listed log generation
  whole (`-K` with one URL per file: each block read through `JetXReadFileAt`, verified against
  the block checksums taken when the engine first scanned the generation, and digested); nginx
  serves the same number of files of the same size. The same again as one `Range: bytes=0-`
  request per file (no digest). The first repetition includes the engine's first scan of each
  generation.
- **(3) Small requests**: `wrk -t2 -c64 -d10s` of `GET /api/v1/instances/default` (with the
  bearer token) against nginx serving a 1 KiB static file.
TEXT
}

if [ "$DOCS" = 1 ]; then
  CPU=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
  RAM=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
  FS=$(df -T "$BENCH_DIR" | awk 'NR == 2 { print $2 " on " $1 }')
  NGINX_V=$("$NGINX" -v 2>&1 | sed 's/.*: //')
  MHD_V=$(dpkg-query -W -f '${Version}' libmicrohttpd12 2>/dev/null || echo unknown)
  WRK_V=$(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2 || true) # wrk -v exits 1
  COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
  BLOCK=$(mktemp)
  {
    echo "<!-- http-results:begin (generated by bench/http.sh; edits here are overwritten) -->"
    echo "Run of $(date -u '+%Y-%m-%d %H:%M UTC') at commit \`$COMMIT\`, command \`$COMMAND\`"
    echo "(\`make bench\` runs it through \`bench/run.sh\`). Medians of $REPS repetitions, the servers"
    echo "alternating; a ratio is the median of the per-repetition ratios; ranges are lowest-highest."
    echo
    echo "Machine: $CPU, $(nproc) cores, $RAM RAM, Linux $(uname -r); data on $FS (\`df -T\`)."
    echo "Shared machine: load average $LOAD_START at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end."
    echo "$NGINX_V, libmicrohttpd $MHD_V, $(curl --version | head -1 | cut -d' ' -f1-2), $WRK_V. Database: $DB_BYTES bytes"
    echo "(streamed size); $LOG_COUNT log generations of $LOG_BYTES bytes."
    echo
    echo "| Case | hotcopyd | nginx | hotcopyd / nginx | Target | |"
    echo "|---|---:|---:|---:|---:|---|"
    for r in "${ROWS[@]}"; do echo "$r"; done
    echo "<!-- http-results:end -->"
  } >"$BLOCK"
  replace_results_block "$DOC" http "HTTP: hotcopyd vs nginx" "$BLOCK" section_text
  rm -f "$BLOCK"
  say "results written to $DOC"
fi
