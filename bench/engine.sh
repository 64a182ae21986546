#!/usr/bin/env bash
# bench/engine.sh — the engine benchmark (issue 2): libjet against SQLite (WAL) on the same disk in
# the same run, each case in a fresh process per engine, reported as libjet/SQLite ratios.
#
#   bash bench/engine.sh [--quick] [--no-docs] [--keep]
#     --quick    smoke run: 2 s cases, one repetition, a 1M-row table; does not touch the docs
#     --no-docs  do not rewrite the "Engine: libjet vs SQLite" results in docs/BENCHMARKS.md
#     --keep     keep the data directory ($BENCH_DIR) afterwards
#   Environment: BENCH_DIR (data directory; default build/bench-data, on the repository's disk),
#   BENCH_DOC (the document to write; default docs/BENCHMARKS.md),
#   BENCH_REPS (repetitions of the timed write cases, 6 s each, engines alternating; the median is
#   reported; default 5: the disk's fsync latency drifts by tens of percent over minutes here).
#
# Cases (durability equal on both sides: libjet default commit = durable with group commit;
# SQLite journal_mode=WAL + synchronous=FULL; page size 8 KiB on both):
#   (a) tx1    one-row transactions, 1 thread                  -> transactions/s  (target >= 1.0x)
#       tx8    one-row transactions, 8 threads/8 sessions      -> transactions/s  (target >= 3.0x)
#   (b) tx1000 1000-row transactions, 1 thread                 -> rows/s          (target >= 2.0x)
#   (c) read   random point reads of a ~1 GiB table (10M rows of 8-byte key + 100-byte payload,
#              loaded once per engine), warm cache of CACHE_MIB (the table does not fit in it; the
#              OS page cache holds the files) -> reads/s (target >= 1.0x)
#   (d) VmHWM of every run against the cache parameter        (target <= cache + MEM_SLACK_MIB)
# Prints one summary line per case; raw RESULT lines go to $BENCH_DIR/results.txt and are kept in
# bench/results/engine-<UTC time>.txt (not tracked by git).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/docblock.sh
. bench/docblock.sh

QUICK=0 DOCS=1 KEEP=0
COMMAND="bash bench/engine.sh${*:+ $*}"
for arg in "$@"; do
  case $arg in
    --quick) QUICK=1 DOCS=${BENCH_DOC:+1}; DOCS=${DOCS:-0} ;;
    --no-docs) DOCS=0 ;;
    --keep) KEEP=1 ;;
    *) echo "usage: bash bench/engine.sh [--quick] [--no-docs] [--keep]" >&2; exit 2 ;;
  esac
done

BENCH_DIR=${BENCH_DIR:-build/bench-data}
BIN=build/bench/bench_engine
DOC=${BENCH_DOC:-docs/BENCHMARKS.md}
CACHE_MIB=256        # JET_paramCacheSizeMax = 256 MiB / 8 KiB pages; PRAGMA cache_size = -262144
PAGE_SIZE=8192
LOG_FILE_KIB=5120    # JET_paramLogFileSize (the default)
MEM_SLACK_MIB=64     # (d): "within the cache parameter plus a small constant"
SEED=42
if [ "$QUICK" = 1 ]; then
  SECONDS_TX=2 REPS=1 READ_ROWS=1000000 READ_SECONDS=2 WARMUP=50000 READ_CACHE_MIB=32
else
  SECONDS_TX=6 REPS=${BENCH_REPS:-5} READ_ROWS=10000000 READ_SECONDS=10 WARMUP=300000
  READ_CACHE_MIB=$CACHE_MIB
fi
LOAD_BATCH=10000

bash bench/build.sh
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
mkdir -p "$BENCH_DIR"
# Only what this script creates is removed, whatever BENCH_DIR names.
rm -rf "$BENCH_DIR"/tx1-* "$BENCH_DIR"/tx8-* "$BENCH_DIR"/tx1000-* "$BENCH_DIR"/table-* \
  "$BENCH_DIR"/floor
RESULTS=$BENCH_DIR/results.txt
: >"$RESULTS"

# run LABEL ENGINE DIR ARGS... : one bench_engine process; appends its RESULT line.
run() {
  local label=$1 engine=$2 dir=$3 line
  shift 3
  local args=(--label "$label" --dir "$dir" --page-size "$PAGE_SIZE" --log-file-kib "$LOG_FILE_KIB" "$@")
  [ "$engine" = disk ] || args=(--engine "$engine" "${args[@]}")
  if ! line=$("$BIN" "${args[@]}"); then
    echo "engine.sh: $engine $label failed; reproduce with (after rm -rf $dir for a case that" \
         "creates its store):" >&2
    echo "  $BIN ${args[*]}" >&2
    exit 1
  fi
  echo "$line" >>"$RESULTS"
  echo "  $line" | cut -c1-160 >&2
}

# field LABEL ENGINE KEY : that field of every RESULT line of the case, one per line.
field() {
  awk -v c="case=$1" -v e="engine=$2" -v k="$3" '
    $0 ~ "^RESULT" { hit = 0; for (i = 2; i <= NF; i++) { if ($i == c) hit++; if ($i == e) hit++ }
      if (hit == 2) for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) print kv[2] } }
  ' "$RESULTS"
}

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print 0 }'; }
maxval() { sort -g | tail -1; }

# One timed write case, REPS repetitions, engines alternating; a fresh store every time. The
# disk's fdatasync floor (floor.h) is measured in each repetition of tx1, right before it.
write_case() {
  local label=$1
  shift
  for rep in $(seq 1 "$REPS"); do
    if [ "$label" = tx1 ]; then
      run fsync disk "$BENCH_DIR/floor" --case fsync --seconds "$SECONDS_TX"
    fi
    for engine in libjet sqlite; do
      run "$label" "$engine" "$BENCH_DIR/$label-$engine-$rep" --case tx --seconds "$SECONDS_TX" \
        --cache-mib "$CACHE_MIB" "$@"
      rm -rf "${BENCH_DIR:?}/$label-$engine-$rep"
    done
  done
}

echo "engine: (a) one-row durable transactions, (b) 1000-row transactions" >&2
write_case tx1 --threads 1 --rows-per-tx 1
write_case tx8 --threads 8 --rows-per-tx 1
write_case tx1000 --threads 1 --rows-per-tx 1000

echo "engine: (c) loading $READ_ROWS rows per engine, then random point reads" >&2
for engine in libjet sqlite; do
  run load "$engine" "$BENCH_DIR/table-$engine" --case load --rows "$READ_ROWS" \
    --rows-per-tx "$LOAD_BATCH" --cache-mib "$READ_CACHE_MIB"
done
TABLE_BYTES_JET=$(stat -c %s "$BENCH_DIR/table-libjet/bench.edb")
TABLE_BYTES_SQLITE=$(stat -c %s "$BENCH_DIR/table-sqlite/bench.db")
for engine in libjet sqlite; do
  # shellcheck disable=SC2162  # "read" here is the case's label, not the builtin
  run read "$engine" "$BENCH_DIR/table-$engine" --case read --rows "$READ_ROWS" \
    --seconds "$READ_SECONDS" --warmup "$WARMUP" --seed "$SEED" --cache-mib "$READ_CACHE_MIB"
done

# ---- summary ---------------------------------------------------------------------------------
# verdict RATIO TARGET -> met / MISSED ("-": no target); fmt N -> N rounded, thousands separated
verdict() { [ "$2" = - ] && { echo "(no target)"; return; }
  awk -v r="$1" -v t="$2" 'BEGIN { print (r >= t ? "met" : "MISSED") }'; }
fmt() { awk -v v="$1" 'BEGIN { printf "%.0f", v }' | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'; }

SUMMARY=()
TABLE_ROWS=()
# The ratio of a case is the median of its per-repetition ratios (each libjet run against the
# SQLite run right after it), which cancels the disk's slow drifts; the medians of each side and
# their ranges are shown too.
summarize() { # LABEL KEY UNIT TARGET DESCRIPTION
  local label=$1 key=$2 unit=$3 target=$4 desc=$5 j s r v jr sr
  j=$(field "$label" libjet "$key" | median)
  s=$(field "$label" sqlite "$key" | median)
  r=$(paste <(field "$label" libjet "$key") <(field "$label" sqlite "$key") |
    awk '{ if ($2 > 0) printf "%.4f\n", $1 / $2 }' | median)
  r=$(awk -v r="$r" 'BEGIN { printf "%.2f", r }')
  jr=$(field "$label" libjet "$key" | sort -g | awk 'NR == 1 { a = $1 } { b = $1 } END { printf "%.0f-%.0f", a, b }')
  sr=$(field "$label" sqlite "$key" | sort -g | awk 'NR == 1 { a = $1 } { b = $1 } END { printf "%.0f-%.0f", a, b }')
  v=$(verdict "$r" "$target")
  local t=">= ${target}x"
  [ "$target" = - ] && t="-"
  SUMMARY+=("$(printf 'engine %-7s libjet %9s %-7s sqlite %9s %-7s ratio %5sx  target %-8s %s' \
    "$label" "$(fmt "$j")" "$unit" "$(fmt "$s")" "$unit" "$r" "$t" "$v")")
  TABLE_ROWS+=("| $desc | $(fmt "$j") $unit | $(fmt "$s") $unit | **${r}x** | $t | $v |")
  RANGE_ROWS+=("| $label | $jr | $sr |")
}
RANGE_ROWS=()
summarize tx1 ops_per_s tx/s 1.0 "(a) 1-row durable transactions, 1 thread"
summarize tx8 ops_per_s tx/s 3.0 "(a) 1-row durable transactions, 8 threads"
summarize tx1000 rows_per_s rows/s 2.0 "(b) 1000-row durable transactions, 1 thread"
summarize read ops_per_s reads/s 1.0 "(c) random point reads, ~1 GiB table"
summarize load rows_per_s rows/s - "load of the read table (10,000-row durable transactions)"

MEM_ROWS=()
for label in tx1 tx8 tx1000 load read; do
  cache=$CACHE_MIB
  case $label in load | read) cache=$READ_CACHE_MIB ;; esac
  jm=$(($(field "$label" libjet hwm_kib | maxval) / 1024))
  sm=$(($(field "$label" sqlite hwm_kib | maxval) / 1024))
  ok=met
  [ "$jm" -le $((cache + MEM_SLACK_MIB)) ] || ok=MISSED
  SUMMARY+=("$(printf 'engine mem-%-6s libjet VmHWM %4s MiB  sqlite VmHWM %4s MiB  cache %3s MiB  target libjet <= %s MiB  %s' \
    "$label" "$jm" "$sm" "$cache" "$((cache + MEM_SLACK_MIB))" "$ok")")
  MEM_ROWS+=("| $label | $cache MiB | $jm MiB | $sm MiB | $ok |")
done

LAT_ROWS=()
for label in tx1 tx8 tx1000 load read; do
  case $label in tx1000 | load) key=cpu_us_per_row ;; *) key=cpu_us_per_op ;; esac
  jp50=$(field "$label" libjet p50_us | median) jp99=$(field "$label" libjet p99_us | median)
  sp50=$(field "$label" sqlite p50_us | median) sp99=$(field "$label" sqlite p99_us | median)
  jc=$(field "$label" libjet "$key" | median) sc=$(field "$label" sqlite "$key" | median)
  LAT_ROWS+=("| $label | $jp50 / $jp99 µs | $sp50 / $sp99 µs | $jc µs | $sc µs |")
done
GROUP=$(paste <(field tx8 libjet commits) <(field tx8 libjet log_flushes) |
  awk '{ c += $1; f += $2 } END { if (f) printf "%.2f", c / f; else print "n/a" }')

FLOOR=$(field fsync disk ops_per_s | median)
FLOOR_RANGE=$(field fsync disk ops_per_s | sort -g | awk 'NR == 1 { a = $1 } { b = $1 } END { printf "%.0f-%.0f", a, b }')
FLOOR_P50=$(field fsync disk p50_us | median)
echo
printf 'engine floor   disk fdatasync of a %s-byte append in a preallocated file: %s /s (p50 %s us)\n' \
  512 "$(fmt "$FLOOR")" "$FLOOR_P50"
for line in "${SUMMARY[@]}"; do echo "$line"; done
mkdir -p bench/results
SUFFIX=
[ "$QUICK" = 0 ] || SUFFIX=-quick
KEPT=bench/results/engine-$(date -u +%Y%m%dT%H%M%SZ)$SUFFIX.txt
cp "$RESULTS" "$KEPT"
echo "engine: libjet commits per log flush at 8 threads: $GROUP; raw results: $KEPT"

# ---- docs ------------------------------------------------------------------------------------

if [ "$DOCS" = 1 ]; then
  CPU=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
  CORES=$(nproc)
  RAM=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
  FS=$(df -T "$BENCH_DIR" | awk 'NR == 2 { print $2 " on " $1 }')
  SQLITE_PKG=$(dpkg-query -W -f '${Package} ${Version}' libsqlite3-0 2>/dev/null || echo unknown)
  COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
  BLOCK=$(mktemp)
  {
    echo "<!-- engine-results:begin (generated by bench/engine.sh; edits here are overwritten) -->"
    echo "Run of $(date -u '+%Y-%m-%d %H:%M UTC') at commit \`$COMMIT\`, command \`$COMMAND\`"
    echo "(\`make bench\` runs it through \`bench/run.sh\`). Medians of $REPS run(s) of ${SECONDS_TX} s for"
    echo "(a) and (b); one ${READ_SECONDS} s run for (c) after $WARMUP untimed reads."
    echo
    echo "Machine: $CPU, $CORES cores, $RAM RAM, Linux $(uname -r); data on $FS"
    echo "(\`df -T\`). The machine is shared: load average $LOAD_START at the start, $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "at the end. SQLite: Debian $SQLITE_PKG."
    echo
    echo "Medians per side; the ratio is the median of the per-repetition ratios (each libjet run"
    echo "against the SQLite run right after it)."
    echo
    echo "| Case | libjet | SQLite | libjet / SQLite | Target | |"
    echo "|---|---:|---:|---:|---:|---|"
    for row in "${TABLE_ROWS[@]}"; do echo "$row"; done
    echo
    echo "Spread of the repetitions (lowest-highest, same units):"
    echo
    echo "| Case | libjet | SQLite |"
    echo "|---|---:|---:|"
    for row in "${RANGE_ROWS[@]}"; do echo "$row"; done
    echo
    echo "Table of (c): $(fmt "$READ_ROWS") rows; files after the load: libjet \`bench.edb\`" \
         "$((TABLE_BYTES_JET / 1048576)) MiB, SQLite \`bench.db\` $((TABLE_BYTES_SQLITE / 1048576)) MiB."
    echo "libjet commits per log flush with 8 threads (group commit): $GROUP. The disk's floor for one"
    echo "commit at a time, measured in the same run (512-byte append inside a preallocated file +"
    echo "fdatasync, \`bench_engine --case fsync\`): median $(fmt "$FLOOR") fdatasyncs/s (range $FLOOR_RANGE),"
    echo "p50 $FLOOR_P50 µs."
    echo
    echo "(d) Peak resident memory (VmHWM, the highest of a case's runs) against the cache parameter"
    echo "(target: libjet within the cache plus $MEM_SLACK_MIB MiB):"
    echo
    echo "| Case | Cache parameter | libjet VmHWM | SQLite VmHWM | |"
    echo "|---|---:|---:|---:|---|"
    for row in "${MEM_ROWS[@]}"; do echo "$row"; done
    echo
    echo "Latency (p50 / p99 of each transaction or read) and CPU time of the whole process (all its"
    echo "threads: libjet's checkpointer and log-file preparer included) per transaction, per row for"
    echo "tx1000 and load, per read for read:"
    echo
    echo "| Case | libjet latency | SQLite latency | libjet CPU | SQLite CPU |"
    echo "|---|---:|---:|---:|---:|"
    for row in "${LAT_ROWS[@]}"; do echo "$row"; done
    echo "<!-- engine-results:end -->"
  } >"$BLOCK"
  replace_results_block "$DOC" engine "Engine: libjet vs SQLite" "$BLOCK"
  rm -f "$BLOCK"
  echo "engine: results written to $DOC" >&2
fi

if [ "$KEEP" = 0 ]; then
  rm -rf "$BENCH_DIR/table-libjet" "$BENCH_DIR/table-sqlite" "$BENCH_DIR/floor"
fi
