#!/usr/bin/env bash
# bench/backup.sh — the engine's backup benchmark (issue A): libjet's external backup against the
# machine's own speeds, each side measured in the same run, reported as ratios.
#   (1) a full backup of a >= 1 GiB database read end to end through JetXReadFileAt in 1 MiB reads
#       (every page verified)  vs  `cat` of the same file from the page cache to /dev/null
#       -> target >= 0.8x, idle and under a write load (WRITERS threads committing one-row
#       transactions; cat is timed under the same load). Reported with it: the floor of any
#       verified read (`bench_backup --case floor`: pread + CRC32C of every page, no engine)
#   (2) foreground commit throughput during a backup (the database read again and again) against
#       without one, alternating windows of COMMIT_SECONDS            -> target >= 0.8x
#   (3) hard recovery (JetExternalRestore2) replay speed in MB of log per second against the rate
#       the log was written at (rows: 1000-row transactions of 100-byte values; bulk: 1 MiB
#       transactions of 64 KiB values)                                -> reported
# Medians of REPS repetitions, the two sides alternating; ratio = median of the per-repetition
# ratios. Writes the "Backup: libjet's backup path" block of docs/BENCHMARKS.md (between its
# backup-results markers); raw RESULT lines are kept in bench/results/backup-<UTC time>.txt.
#
#   bash bench/backup.sh [--quick] [--no-docs] [--keep]
#     --quick    smoke run: a 128 MiB database, one repetition, docs untouched
#     --no-docs  do not rewrite the results block
#     --keep     keep $BENCH_DIR (the filled database is then reused by the next run)
#   Environment: BENCH_DIR (default build/bench-backup), BENCH_REPS (default 5), BENCH_DB_MIB
#   (default 1100), BENCH_DOC (default docs/BENCHMARKS.md).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/docblock.sh
. bench/docblock.sh

QUICK=0 DOCS=1 KEEP=0
COMMAND="bash bench/backup.sh${*:+ $*}"
for arg in "$@"; do
  case $arg in
    --quick) QUICK=1 DOCS=0 ;;
    --no-docs) DOCS=0 ;;
    --keep) KEEP=1 ;;
    *) echo "usage: bash bench/backup.sh [--quick] [--no-docs] [--keep]" >&2; exit 2 ;;
  esac
done
BENCH_DIR=${BENCH_DIR:-build/bench-backup}
DOC=${BENCH_DOC:-docs/BENCHMARKS.md}
BIN=build/bench/bench_backup
WRITERS=4
if [ "$QUICK" = 1 ]; then
  DB_MIB=128 REPS=1 COMMIT_SECONDS=2 LOG_MIB=32 RESTORE_REPS=1
else
  DB_MIB=${BENCH_DB_MIB:-1100} REPS=${BENCH_REPS:-5} COMMIT_SECONDS=5 LOG_MIB=256 RESTORE_REPS=3
fi

say() { echo "backup bench: $*" >&2; }
bash bench/build.sh
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
mkdir -p "$BENCH_DIR"
DB=$BENCH_DIR/db
RESULTS=$BENCH_DIR/results.txt
: >"$RESULTS"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$BENCH_DIR"/restore-*
  [ "$KEEP" = 1 ] || rm -rf "$DB"
}
trap cleanup EXIT

# run ARGS...: one bench_backup process; its RESULT lines go to $RESULTS (tagged with ARGS' label).
run() {
  local out
  if ! out=$("$BIN" "$@"); then
    echo "backup.sh: failed: $BIN $*" >&2
    exit 1
  fi
  echo "$out" >>"$RESULTS"
  echo "$out" | sed 's/^/  /' | cut -c1-170 >&2
}

DB_FILE=$DB/bench.edb
if [ ! -f "$DB_FILE" ] || [ "$(stat -c %s "$DB_FILE")" -lt $((DB_MIB * 1048576)) ]; then
  rm -rf "$DB"
  say "filling a ${DB_MIB} MiB database"
  run --case fill --dir "$DB" --db-mib "$DB_MIB"
fi
DB_BYTES=$(stat -c %s "$DB_FILE")

# cat_once LABEL: times `cat` of the database file to /dev/null (page cache) -> RESULT line.
cat_once() {
  local t0 t1
  t0=$EPOCHREALTIME
  cat "$DB_FILE" >/dev/null
  t1=$EPOCHREALTIME
  awk -v l="$1" -v b="$DB_BYTES" -v a="$t0" -v e="$t1" \
    'BEGIN { printf "RESULT case=%s bytes=%d seconds=%.4f mib_s=%.1f\n", l, b, e - a, b / (e - a) / 1048576 }' \
    | tee -a "$RESULTS" | sed 's/^/  /' >&2
}

cat "$DB_FILE" >/dev/null # into the page cache
say "(1) full backup through JetXReadFileAt against cat, idle"
for rep in $(seq "$REPS"); do
  cat_once cat
  run --case read --dir "$DB" --reps 1 --warmup-s 0
  run --case floor --dir "$DB" --reps 1
done
say "(1) the same under a write load of $WRITERS committing threads"
for rep in $(seq "$REPS"); do
  "$BIN" --case writers --dir "$DB" --writers "$WRITERS" --seconds 3 >>"$RESULTS" &
  PIDS=($!)
  sleep 1.5 # JetInit and the threads under way
  cat_once cat-load
  wait "${PIDS[0]}" || { echo "backup.sh: the writers' process failed" >&2; exit 1; }
  PIDS=()
  run --case read --dir "$DB" --reps 1 --writers "$WRITERS" --warmup-s 1
done
say "(2) commits/s of $WRITERS threads with and without a backup running, ${COMMIT_SECONDS} s windows"
run --case commit --dir "$DB" --writers "$WRITERS" --seconds "$COMMIT_SECONDS" --reps "$REPS"
say "(3) hard recovery of ${LOG_MIB} MiB of log"
for rep in $(seq "$RESTORE_REPS"); do
  for workload in rows bulk; do
    rm -rf "$BENCH_DIR/restore-$workload"
    run --case restore --dir "$BENCH_DIR/restore-$workload" --log-mib "$LOG_MIB" --workload "$workload"
    rm -rf "$BENCH_DIR/restore-$workload"
  done
done

# ---- summary ---------------------------------------------------------------------------------
# field CASE KEY [FILTER]: that field of every RESULT line of the case (FILTER: another key=value
# the line must hold), one per line.
field() {
  awk -v c="case=$1" -v k="$2" -v f="${3:-}" '
    $0 ~ "^RESULT" { hit = 0; ok = (f == ""); for (i = 2; i <= NF; i++) { if ($i == c) hit = 1; if ($i == f) ok = 1 }
      if (hit && ok) for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) print kv[2] } }
  ' "$RESULTS"
}
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print 0 }'; }
spread() { sort -g | awk 'NR == 1 { a = $1 } { b = $1 } END { printf "%.0f-%.0f", a, b }'; }
ratios() { paste <(cat "$1") <(cat "$2") | awk '{ if ($2 > 0) printf "%.4f\n", $1 / $2 }'; }
fmt2() { awk -v v="$1" 'BEGIN { printf "%.2f", v }'; }
verdict() { awk -v r="$1" -v t="$2" 'BEGIN { print (r >= t ? "met" : "MISSED") }'; }

T=$(mktemp -d)
field read mib_s writers=0 >"$T/read"
field cat mib_s >"$T/cat"
field floor mib_s >"$T/floor"
field read mib_s "writers=$WRITERS" >"$T/read-load"
field cat-load mib_s >"$T/cat-load"
field commit ratio >"$T/commit"
R_IDLE=$(fmt2 "$(ratios "$T/read" "$T/cat" | median)")
R_FLOOR=$(fmt2 "$(ratios "$T/floor" "$T/cat" | median)")
R_LOAD=$(fmt2 "$(ratios "$T/read-load" "$T/cat-load" | median)")
R_COMMIT=$(fmt2 "$(median <"$T/commit")")
M_READ=$(median <"$T/read") M_CAT=$(median <"$T/cat") M_FLOOR=$(median <"$T/floor")
M_READ_LOAD=$(median <"$T/read-load") M_CAT_LOAD=$(median <"$T/cat-load")
M_IDLE_COMMITS=$(field commit idle_commits_per_s | median)
M_BK_COMMITS=$(field commit backup_commits_per_s | median)
M_LOAD_COMMITS=$(field read commits_per_s "writers=$WRITERS" | median)
M_BK_MIB=$(field commit backup_mb_s | median)
RESTORE_ROWS=()
for workload in rows bulk; do
  w=$(field restore write_mb_s "workload=$workload" | median)
  r=$(field restore restore_mb_s "workload=$workload" | median)
  x=$(fmt2 "$(field restore ratio "workload=$workload" | median)")
  g=$(field restore generations "workload=$workload" | median)
  b=$(field restore log_bytes "workload=$workload" | median)
  RESTORE_ROWS+=("| (3) hard recovery, $workload: $(awk -v b="$b" 'BEGIN { printf "%.0f", b / 1e6 }') MB of log, $g generations | $r MB/s replayed ($(field restore restore_mb_s "workload=$workload" | spread)) | $w MB/s written ($(field restore write_mb_s "workload=$workload" | spread)) | ${x}x | — | |")
  echo "backup: (3) $workload: replay $r MB/s, written at $w MB/s: ${x}x"
done
echo "backup: (1) idle: JetXReadFileAt $M_READ MiB/s vs cat $M_CAT MiB/s: ${R_IDLE}x (target 0.8x: $(verdict "$R_IDLE" 0.8)); floor (pread + CRC32C) $M_FLOOR MiB/s: ${R_FLOOR}x"
echo "backup: (1) under load: JetXReadFileAt $M_READ_LOAD MiB/s vs cat $M_CAT_LOAD MiB/s: ${R_LOAD}x (target 0.8x: $(verdict "$R_LOAD" 0.8))"
echo "backup: (2) commits/s during a backup $M_BK_COMMITS vs without $M_IDLE_COMMITS: ${R_COMMIT}x (target 0.8x: $(verdict "$R_COMMIT" 0.8))"
mkdir -p bench/results
SUFFIX=
[ "$QUICK" = 0 ] || SUFFIX=-quick
KEPT=bench/results/backup-$(date -u +%Y%m%dT%H%M%SZ)$SUFFIX.txt
cp "$RESULTS" "$KEPT"
echo "backup: raw results: $KEPT"

# ---- docs ------------------------------------------------------------------------------------
section_text() {
  cat <<'TEXT'
`bash bench/backup.sh` drives libjet through `jet.h` in `build/bench/bench_backup`
(`bench/backup/*.c`, built by `bench/build.sh`), one process per measurement, against the
machine's own speeds measured in the same run:

- **(1) Full backup read**: `JetBeginExternalBackupInstance`, then the database read end to end
  with `JetXReadFileAt` in 1 MiB reads into a page-aligned buffer (every page verified: CRC32C and
  page number, cached pages copied from the cache under the shared latch), then the end call.
  Against it: `cat bench.edb >/dev/null` of the same file from the page cache (~1.1 GiB of 64 KiB
  long values, the cache 256 MiB). Idle, and under a load of 4 threads committing one-row durable
  transactions (`cat` is then timed while a process runs the same 4 writers). The floor is the
  cheapest verified read possible without the engine: `pread` in 128 KiB pieces into the same
  1 MiB buffer and the CRC32C of each page, three pages at a time, with the engine's `crc32c.c`.
- **(2) Commit throughput**: 4 threads committing one-row durable transactions; windows of 5 s
  without a backup alternate with windows during which one backup reads the database again and
  again; the ratio is commits/s with over without, per pair of windows.
- **(3) Hard recovery**: a fresh instance begins a full backup, copies its (small) database, then
  writes 256 MiB of log (rows: 1000-row transactions of 100-byte values; bulk: transactions of 16
  values of 64 KiB), copies the logs through `JetXReadFileAt`, ends the backup; then
  `JetExternalRestore2` replays them into the copy (checked by its last row). MB/s of log replayed
  against the MB/s the log was written at (`cLogBytes` of `JetXGetInstanceInfo` over the
  workload's time). No target: replay faster than the log was written means a restore never lags
  the workload that produced it.
TEXT
}

if [ "$DOCS" = 1 ]; then
  CPU=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
  RAM=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
  FS=$(df -T "$BENCH_DIR" | awk 'NR == 2 { print $2 " on " $1 }')
  COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
  BLOCK=$(mktemp)
  {
    echo "<!-- backup-results:begin (generated by bench/backup.sh; edits here are overwritten) -->"
    echo "Run of $(date -u '+%Y-%m-%d %H:%M UTC') at commit \`$COMMIT\`, command \`$COMMAND\`"
    echo "(\`make bench\` runs it through \`bench/run.sh\`). Medians of $REPS repetitions (3: $RESTORE_REPS),"
    echo "the sides alternating; a ratio is the median of the per-repetition ratios."
    echo
    echo "Machine: $CPU, $(nproc) cores, $RAM RAM, Linux $(uname -r); data on $FS (\`df -T\`)."
    echo "Shared machine: load average $LOAD_START at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end."
    echo "Database: $DB_BYTES bytes (\`bench.edb\`, 8 KiB pages)."
    echo
    echo "| Case | libjet | peer | libjet / peer | Target | |"
    echo "|---|---:|---:|---:|---:|---|"
    echo "| (1) full backup read, idle | $M_READ MiB/s ($(spread <"$T/read")) | cat $M_CAT MiB/s ($(spread <"$T/cat")) | **${R_IDLE}x** | >= 0.8x | $(verdict "$R_IDLE" 0.8) |"
    echo "| (1) floor of a verified read (pread + CRC32C), idle | $M_FLOOR MiB/s ($(spread <"$T/floor")) | cat $M_CAT MiB/s | ${R_FLOOR}x | — | |"
    echo "| (1) full backup read, $WRITERS writers committing | $M_READ_LOAD MiB/s ($(spread <"$T/read-load")) | cat $M_CAT_LOAD MiB/s ($(spread <"$T/cat-load")) | **${R_LOAD}x** | >= 0.8x | $(verdict "$R_LOAD" 0.8) |"
    echo "| (2) commits/s of $WRITERS threads during a backup | $M_BK_COMMITS ($(field commit backup_commits_per_s | spread)) | without: $M_IDLE_COMMITS ($(field commit idle_commits_per_s | spread)) | **${R_COMMIT}x** | >= 0.8x | $(verdict "$R_COMMIT" 0.8) |"
    for row in "${RESTORE_ROWS[@]}"; do echo "$row"; done
    echo
    echo "Commits/s of the writers while (1) read the database: $M_LOAD_COMMITS; the backups of (2)"
    echo "read $M_BK_MIB MiB/s (median) while the writers ran."
    echo "<!-- backup-results:end -->"
  } >"$BLOCK"
  replace_results_block "$DOC" backup "Backup: libjet's backup path" "$BLOCK" section_text
  rm -f "$BLOCK"
  say "results written to $DOC"
fi
rm -rf "$T"
