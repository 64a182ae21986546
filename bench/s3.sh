#!/usr/bin/env bash
# bench/s3.sh — offsite copies against a real Ceph RADOS Gateway (tests/rgw/rgw.sh, memstore OSD):
#   upload:  hotcopyd's offsite upload of a >= 1 GiB database (verified engine reads, SHA-256 and
#            CRC32C of the bytes sent, 8 MiB parts, 4 in flight)  vs  `curl --aws-sigv4 -T` of a
#            file of the same size (one PUT from the page cache)             -> target >= 1.0x
#   restore: the download phase of a restore from the target (4 objects in parallel, each checked
#            against the manifest, written and fsynced)  vs  `curl` GET of the database object to a
#            file                                                            -> reported
# Medians of REPS runs, the two sides alternating. Writes the "Offsite: upload to Ceph RGW" block
# of docs/BENCHMARKS.md (between its s3-results markers).
#
#   bash bench/s3.sh [--quick] [--no-docs] [--keep]
#     --quick    smoke run: a 96 MiB database, one repetition, docs untouched
#     --no-docs  do not rewrite the results block
#     --keep     keep $BENCH_DIR afterwards
#   Environment: BENCH_DIR (default build/bench-s3), BENCH_REPS (default 3), BENCH_DB_MIB (default
#   1100).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/docblock.sh
. bench/docblock.sh

QUICK=0 DOCS=1 KEEP=0
for arg in "$@"; do
  case $arg in
    --quick) QUICK=1 DOCS=0 ;;
    --no-docs) DOCS=0 ;;
    --keep) KEEP=1 ;;
    *) echo "usage: bash bench/s3.sh [--quick] [--no-docs] [--keep]" >&2; exit 2 ;;
  esac
done
BENCH_DIR=${BENCH_DIR:-build/bench-s3}
DOC=docs/BENCHMARKS.md
HOTCOPYD=build/bin/hotcopyd
if [ "$QUICK" = 1 ]; then DB_MIB=96 REPS=1; else DB_MIB=${BENCH_DB_MIB:-1100} REPS=${BENCH_REPS:-3}; fi
VALUE_KIB=1000        # record values (the API takes up to 1 MiB)
BUCKET=hc-bench
TOKEN=bench-$$
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

say() { echo "s3 bench: $*" >&2; }
[ -x "$HOTCOPYD" ] || { say "build first (make)"; exit 1; }
rm -rf "$BENCH_DIR"
mkdir -p "$BENCH_DIR"
BENCH_DIR=$(cd "$BENCH_DIR" && pwd)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  bash tests/rgw/rgw.sh stop "$BENCH_DIR/rgw" >/dev/null 2>&1 || true
  [ "$KEEP" = 1 ] || rm -rf "$BENCH_DIR"
}
trap cleanup EXIT

bash tests/rgw/rgw.sh start "$BENCH_DIR/rgw" --owner $$ >"$BENCH_DIR/rgw.env"
# shellcheck disable=SC1091
. "$BENCH_DIR/rgw.env"
export HOTCOPY_TARGET_BENCH_ACCESS_KEY=$RGW_ACCESS_KEY HOTCOPY_TARGET_BENCH_SECRET_KEY=$RGW_SECRET_KEY
export HOTCOPY_TOKEN=$TOKEN

# start_hotcopyd NAME: a hotcopyd on a free port with DATA=$BENCH_DIR/NAME; sets URL.
start_hotcopyd() {
  local out=$BENCH_DIR/$1.out
  "$HOTCOPYD" --listen 127.0.0.1:0 --data "$BENCH_DIR/$1" --log-file-size 32768 --cache-size 256 \
    --target "bench=s3://$BUCKET/bench" --target-endpoint "bench=$RGW_ENDPOINT" >"$out" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 200); do
    URL=$(sed -n 's/^listening on \(http:[^ ]*\)$/\1/p' "$out")
    [ -n "$URL" ] && return 0
    sleep 0.05
  done
  say "hotcopyd did not start:"; cat "$out" >&2; exit 1
}
api() { curl -sf -H "Authorization: Bearer $TOKEN" "$@"; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
s3() { curl -sf --aws-sigv4 "aws:amz:us-east-1:s3" --user "$RGW_ACCESS_KEY:$RGW_SECRET_KEY" \
         -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" "$@"; }
now() { date +%s.%N; }
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

start_hotcopyd source
SRC=$URL
api -XPOST "$SRC/api/v1/targets/bench/check" >/dev/null
say "filling a ${DB_MIB} MiB database"
head -c $((VALUE_KIB * 1024)) /dev/urandom >"$BENCH_DIR/value.bin"
COUNT=$((DB_MIB * 1024 / VALUE_KIB))
CFG=$BENCH_DIR/fill.curl
: >"$CFG"
for i in $(seq -w 1 "$COUNT"); do
  printf 'url = "%s/api/v1/instances/default/tables/bulk/records/r%s"\nupload-file = "%s"\noutput = "/dev/null"\n' \
    "$SRC" "$i" "$BENCH_DIR/value.bin" >>"$CFG"
done
curl -sf -H "Authorization: Bearer $TOKEN" -K "$CFG"

UP_HC=() UP_CURL=()
for rep in $(seq "$REPS"); do
  # hotcopyd: begin with the target, time until the database is on the store
  B=$(api -XPOST "$SRC/api/v1/backups" -d '{"type": "full", "target": "bench"}')
  ID=$(echo "$B" | json 'd["id"]')
  DB_BYTES=$(echo "$B" | json 'sum(f["sizeBytes"] for f in d["files"] if f["kind"] == "database")')
  T0=$(now)
  while [ "$(api "$SRC/api/v1/backups/$ID" | json 'd["target"]["bytesUploaded"]')" -lt "$DB_BYTES" ]; do
    sleep 0.05
  done
  T=$(awk -v a="$T0" -v b="$(now)" 'BEGIN { print b - a }')
  UP_HC+=("$T")
  api -XPOST "$SRC/api/v1/backups/$ID/logs" >/dev/null
  api -XPOST "$SRC/api/v1/backups/$ID/truncate" >/dev/null
  api -XPOST "$SRC/api/v1/backups/$ID/end" -d '{}' >/dev/null
  while [ "$(api "$SRC/api/v1/backups/$ID" | json 'd["target"]["state"]')" = uploading ]; do sleep 0.1; done
  MANIFEST=$(api "$SRC/api/v1/backups/$ID" | json 'd["target"]["manifestKey"]')
  say "rep $rep: hotcopyd uploaded $DB_BYTES bytes in $T s"
  # curl: one PUT of a file of the same size, from the page cache
  head -c "$DB_BYTES" /dev/urandom >"$BENCH_DIR/same-size.bin"
  cat "$BENCH_DIR/same-size.bin" >/dev/null
  T=$(s3 -o /dev/null -w '%{time_total}' -T "$BENCH_DIR/same-size.bin" "$RGW_ENDPOINT/$BUCKET/curl-baseline.bin")
  UP_CURL+=("$T")
  say "rep $rep: curl -T uploaded $DB_BYTES bytes in $T s"
  if [ "$rep" -lt "$REPS" ]; then # keep the store's memory in bounds: drop this set and the file
    for key in $(s3 "$RGW_ENDPOINT/$BUCKET/$MANIFEST" | json '" ".join(f["key"] for f in d["files"])') "$MANIFEST"; do
      s3 -X DELETE "$RGW_ENDPOINT/$BUCKET/$key" >/dev/null
    done
    s3 -X DELETE "$RGW_ENDPOINT/$BUCKET/curl-baseline.bin" >/dev/null
    sleep 3 # rgw_gc_processor_period 2 s: memstore frees the data
  fi
done
kill "${PIDS[0]}"; wait "${PIDS[0]}" 2>/dev/null || true

# restore on a fresh appliance vs curl GET of the database object
start_hotcopyd fresh
FRESH=$URL
DL_HC=() DL_BYTES=0 DL_CURL=()
DB_KEY=$(s3 "$RGW_ENDPOINT/$BUCKET/$MANIFEST" | json '[f["key"] for f in d["files"] if f["kind"] == "database"][0]')
for rep in $(seq "$REPS"); do
  R=$(api -XPOST "$FRESH/api/v1/restores" -d "{\"instance\": \"r$rep\", \"from\": {\"target\": \"bench\", \"manifestKey\": \"$MANIFEST\"}}")
  LINE=$(echo "$R" | json '[e["message"] for e in d["events"] if "downloaded and verified" in e["message"]][0]')
  DL_BYTES=$(echo "$LINE" | sed -n 's/.* object(s), \([0-9]*\) bytes .*/\1/p')
  T=$(echo "$LINE" | sed -n 's/.* in \([0-9.]*\) s$/\1/p')
  DL_HC+=("$T")
  rm -rf "$BENCH_DIR/fresh/instances/r$rep"
  T=$(s3 -o "$BENCH_DIR/get.bin" -w '%{time_total}' "$RGW_ENDPOINT/$BUCKET/$DB_KEY")
  sync "$BENCH_DIR/get.bin" 2>/dev/null || sync
  rm -f "$BENCH_DIR/get.bin"
  DL_CURL+=("$T")
  say "rep $rep: restore downloaded $DL_BYTES bytes in ${DL_HC[-1]} s; curl GET of $DB_BYTES bytes in $T s"
done

UPH=$(printf '%s\n' "${UP_HC[@]}" | median); UPC=$(printf '%s\n' "${UP_CURL[@]}" | median)
DLH=$(printf '%s\n' "${DL_HC[@]}" | median); DLC=$(printf '%s\n' "${DL_CURL[@]}" | median)
UP_HC_RATE=$(awk -v b="$DB_BYTES" -v t="$UPH" 'BEGIN { printf "%.0f", b / t / 1048576 }')
UP_CURL_RATE=$(awk -v b="$DB_BYTES" -v t="$UPC" 'BEGIN { printf "%.0f", b / t / 1048576 }')
DL_HC_RATE=$(awk -v b="$DL_BYTES" -v t="$DLH" 'BEGIN { printf "%.0f", b / t / 1048576 }')
DL_CURL_RATE=$(awk -v b="$DB_BYTES" -v t="$DLC" 'BEGIN { printf "%.0f", b / t / 1048576 }')
UP_RATIO=$(awk -v a="$UPC" -v b="$UPH" 'BEGIN { printf "%.2f", a / b }')
DL_RATIO=$(awk -v h="$DL_HC_RATE" -v c="$DL_CURL_RATE" 'BEGIN { printf "%.2f", h / c }')
MET=$(awk -v r="$UP_RATIO" 'BEGIN { print (r >= 1.0 ? "met" : "MISSED") }')
echo "s3: upload hotcopyd ${UP_HC_RATE} MiB/s (median ${UPH} s) vs curl -T ${UP_CURL_RATE} MiB/s (${UPC} s): ${UP_RATIO}x (target 1.0x: $MET)"
echo "s3: restore download ${DL_HC_RATE} MiB/s (median ${DLH} s, $DL_BYTES bytes) vs curl GET ${DL_CURL_RATE} MiB/s (${DLC} s): ${DL_RATIO}x"

# The section's fixed prose (written once, when the section is new).
section_text() {
  cat <<'TEXT'
`bash bench/s3.sh` starts a real Ceph RADOS Gateway on 127.0.0.1 (`tests/rgw/rgw.sh`: one
monitor, one memstore OSD, radosgw), fills the default instance of a hotcopyd with a database of
about 1.1 GiB (records of 1000 KiB through the REST API), then measures:

- **Upload**: `POST /api/v1/backups {"type": "full", "target": "bench"}` until the database object is
  on the store (`target.bytesUploaded` of the backup reaches the database's streamed size, polled
  every 50 ms). Everything is included: every page read through the engine's verified offset
  reads (`JetXReadFileAt`), SHA-256 and CRC32C of the file in order (the manifest's digests),
  8 MiB parts with 4 in flight sent as UNSIGNED-PAYLOAD, the catalog rows. Against it: one
  `curl --aws-sigv4 aws:amz:us-east-1:s3 -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' -T FILE` of a
  file of the same size that was just read (page cache), one PUT, no checksum.
- **Restore download**: `POST /api/v1/restores {"from": ...}` on a second hotcopyd with an empty
  data directory; the figure is the download phase reported by the restore's event (every object
  of the set, 4 at a time, each checked against the manifest's size, SHA-256 and CRC32C, written and
  fsynced) — hard recovery itself is not included. Against it: `curl` GET of the database object
  into a file.
TEXT
}

if [ "$DOCS" = 1 ]; then
  CPU=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
  RAM=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
  CEPH=$(dpkg-query -W -f '${Version}' radosgw 2>/dev/null || echo unknown)
  CURLV=$(curl --version | head -1 | cut -d' ' -f1-2)
  COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
  BLOCK=$(mktemp)
  {
    echo "<!-- s3-results:begin (generated by bench/s3.sh; edits here are overwritten) -->"
    echo "Run of $(date -u '+%Y-%m-%d %H:%M UTC') at commit \`$COMMIT\`, command \`bash bench/s3.sh\`"
    echo "(\`make bench\` runs it through \`bench/run.sh\`). Medians of $REPS runs, the two sides alternating."
    echo
    echo "Machine: $CPU, $(nproc) cores, $RAM RAM, Linux $(uname -r); Ceph RGW $CEPH (one memstore OSD"
    echo "on 127.0.0.1, tests/rgw/rgw.sh), $CURLV. Shared machine: load average $LOAD_START at the"
    echo "start, $(cut -d' ' -f1-3 /proc/loadavg) at the end. Database: $DB_BYTES bytes (streamed size)."
    echo
    echo "| Case | hotcopyd | curl | hotcopyd / curl | Target | |"
    echo "|---|---:|---:|---:|---:|---|"
    echo "| Upload of the database | $UP_HC_RATE MiB/s ($UPH s) | $UP_CURL_RATE MiB/s ($UPC s) | ${UP_RATIO}x | 1.0x | $MET |"
    echo "| Restore download | $DL_HC_RATE MiB/s ($DLH s, $DL_BYTES bytes) | $DL_CURL_RATE MiB/s ($DLC s) | ${DL_RATIO}x | — | |"
    echo "<!-- s3-results:end -->"
  } >"$BLOCK"
  replace_results_block "$DOC" s3 "Offsite: upload to Ceph RGW" "$BLOCK" section_text
  rm -f "$BLOCK"
fi
