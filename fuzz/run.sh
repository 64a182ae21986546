#!/usr/bin/env bash
# fuzz/run.sh — runs the libFuzzer harnesses of build/fuzz/bin for a set time each, FUZZ_JOBS (2)
# at a time, and records executions and exec/s per harness in build/fuzz-results.txt.
#   fuzz/run.sh [--seconds N] [--record] HARNESS...
#       --record: each harness is one test result in tests/run.sh (passed when it ran its time
#       without a crash, a leak, a timeout or a sanitizer report); the script then exits 0 and the
#       test summary tells. Without it the exit status is 1 when any harness failed.
#   fuzz/run.sh --one HARNESS SECONDS   (internal) one harness; exit status = its verdict
# Each run starts from the committed seeds (fuzz/corpus/HARNESS, replayed first, so a crashing
# input committed there is a regression test) plus what earlier runs found (build/fuzz/corpus/);
# crashing inputs land in build/fuzz/artifacts/HARNESS/.
set -u
cd "$(dirname "$0")/.."
BIN=build/fuzz/bin
RESULTS=${HOTCOPY_FUZZ_RESULTS:-build/fuzz-results.txt}
LOGDIR=build/fuzz/logs
JOBS=${FUZZ_JOBS:-2}

# Longest input per harness: a page, a log generation, a database or a backup set in compact form.
max_len() {
  case "$1" in
    fuzz_page) echo 33000 ;;
    fuzz_log|fuzz_recovery) echo 90000 ;;
    fuzz_dbfile) echo 120000 ;;
    fuzz_backupset) echo 200000 ;;
    *) echo 4096 ;;
  esac
}

one() {
  local h=$1 secs=$2
  local work=build/fuzz/corpus/$h art=build/fuzz/artifacts/$h/ log=$LOGDIR/$h.log
  local scratch
  scratch=$(mktemp -d "${FUZZ_SCRATCH_BASE:-/dev/shm}/hotcopy-fuzz-$h-XXXXXX" 2>/dev/null || mktemp -d)
  mkdir -p "$work" "$art" "$LOGDIR"
  if [ ! -x "$BIN/$h" ]; then
    echo "$h: $BIN/$h is not built"
    printf '%-20s %6ds %12s execs %8s exec/s %6s corpus  %s\n' "$h" 0 - - - FAILED >>"$RESULTS"
    return 1
  fi
  local start=$SECONDS rc
  FUZZ_SCRATCH=$scratch "$BIN/$h" -max_total_time="$secs" -max_len="$(max_len "$h")" -timeout=30 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$art" "$work" "fuzz/corpus/$h" >"$log" 2>&1
  rc=$?
  rm -rf "$scratch" # what a crashed or timed-out harness could not remove itself
  local execs rate units verdict=ok
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  units=$(find "$work" -type f | wc -l)
  [ "$rc" -ne 0 ] && verdict=FAILED
  printf '%-20s %6ds %12s execs %8s exec/s %6s corpus  %s\n' "$h" $((SECONDS - start)) "${execs:-?}" \
    "${rate:-?}" "$units" "$verdict" >>"$RESULTS"
  if [ "$rc" -ne 0 ]; then
    echo "FUZZ FAILURE: $h (exit $rc); the input is in $art; last lines of $log:"
    grep -E 'ERROR|SUMMARY|runtime error|deadly|Test unit written|timeout' "$log" | head -20 | sed 's/^/    /'
    tail -5 "$log" | sed 's/^/    /'
    return 1
  fi
  return 0
}

if [ "${1:-}" = "--one" ]; then
  one "$2" "$3"
  exit $?
fi

secs=300 record=0 harnesses=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) secs=$2; shift 2 ;;
    --record) record=1; shift ;;
    *) harnesses+=("$1"); shift ;;
  esac
done
[ ${#harnesses[@]} -gt 0 ] || { echo "usage: $0 [--seconds N] [--record] HARNESS..." >&2; exit 2; }

mkdir -p "$(dirname "$RESULTS")"
{
  echo "# fuzz run $(date -u +%Y-%m-%dT%H:%M:%SZ): ${#harnesses[@]} harnesses x ${secs}s, $JOBS at a time"
  echo "# $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), load $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$RESULTS"
echo "fuzzing ${#harnesses[@]} harnesses for ${secs}s each, $JOBS at a time"

failed=0
for h in "${harnesses[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n || true; done
  if [ $record -eq 1 ]; then
    bash tests/run.sh cmd "fuzz-${h#fuzz_}" -- bash fuzz/run.sh --one "$h" "$secs" &
  else
    one "$h" "$secs" &
  fi
done
for pid in $(jobs -rp); do wait "$pid" || failed=1; done
wait
grep -q ' FAILED$' "$RESULTS" && failed=1
sed -n '/^[^#]/p' "$RESULTS"
if [ $record -eq 1 ]; then exit 0; fi
exit $failed
