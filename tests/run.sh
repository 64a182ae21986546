#!/usr/bin/env bash
# Test orchestrator: runs one suite, records its pass/fail counts, and prints the final tally.
#   tests/run.sh cmocka NAME BIN...     run cmocka binaries, count their test cases
#   tests/run.sh node NAME FILE...      run `node --test` on the files, count its tests
#   tests/run.sh cmd NAME -- CMD...     run a command; it is one test, passed when it exits 0
#   tests/run.sh summary                print "N passed, N failed"; exit 1 if anything failed
# Results accumulate in $HOTCOPY_RESULTS (default build/test-results.txt) as "suite passed failed".
set -u
RESULTS=${HOTCOPY_RESULTS:-build/test-results.txt}
LOGDIR=${HOTCOPY_TEST_LOGS:-build/test-logs}
mkdir -p "$(dirname "$RESULTS")" "$LOGDIR"

record() { echo "$1 $2 $3" >>"$RESULTS"; printf '  %-28s %4d passed, %d failed\n' "$1" "$2" "$3"; }

run_cmocka() {
  local suite=$1; shift
  local pass=0 fail=0 bin out rc p f
  for bin in "$@"; do
    out="$LOGDIR/$(basename "$bin").log"
    "$bin" >"$out" 2>&1; rc=$?
    p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -1)
    f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -1)
    p=${p:-0}; f=${f:-0}
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi   # crashed or exited early
    if [ "$f" -ne 0 ]; then
      echo "FAILED: $bin (exit $rc); last lines of $out:"; tail -25 "$out" | sed 's/^/    /'
    fi
    pass=$((pass + p)); fail=$((fail + f))
  done
  record "$suite" "$pass" "$fail"
}

run_node() {
  local suite=$1; shift
  local out="$LOGDIR/$suite.log" rc p f
  # One file at a time: node runs test files in parallel (availableParallelism() - 1 of them), and
  # ours each start their own hotcopyd, nginx or Ceph RGW and time their transfers. The flag is in
  # Node 18.20 (Debian 12's) and 20.
  node --test --test-concurrency=1 --test-reporter=tap "$@" >"$out" 2>&1; rc=$?
  p=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$out" | tail -1)
  f=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$out" | tail -1)
  p=${p:-0}; f=${f:-0}
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  if [ "$f" -ne 0 ]; then
    echo "FAILED: $suite (exit $rc); failures from $out:"
    grep -B2 -A30 '^not ok' "$out" | head -120 | sed 's/^/    /'
  fi
  record "$suite" "$p" "$f"
}

run_cmd() {
  local suite=$1; shift; [ "${1:-}" = "--" ] && shift
  local out="$LOGDIR/$suite.log"
  if "$@" >"$out" 2>&1; then record "$suite" 1 0
  else echo "FAILED: $suite; last lines of $out:"; tail -40 "$out" | sed 's/^/    /'; record "$suite" 0 1; fi
}

summary() {
  [ -f "$RESULTS" ] || { echo "0 passed, 1 failed (no results recorded)"; exit 1; }
  awk '{p += $2; f += $3} END {printf "%d passed, %d failed\n", p, f; exit (f > 0 || p == 0)}' "$RESULTS"
}

case "${1:-}" in
  cmocka) shift; run_cmocka "$@" ;;
  node) shift; run_node "$@" ;;
  cmd) shift; run_cmd "$@" ;;
  summary) summary ;;
  reset) rm -f "$RESULTS" ;;
  *) echo "usage: $0 cmocka|node|cmd|summary|reset ..." >&2; exit 2 ;;
esac
