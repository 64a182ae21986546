#!/usr/bin/env bash
# bench/build.sh — builds the benchmark programs into build/bench/ with cc directly (no Makefile
# rules needed). Uses the project's warning flags. libjet must be built first (`make`
# builds build/lib/libjet.a); run standalone (not under make), this script asks make for it.
#   bash bench/build.sh        -> build/bench/bench_engine, build/bench/bench_backup
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD=${BUILD:-build}
CC=${CC:-cc}
OUT=$BUILD/bench
LIBJET=$BUILD/lib/libjet.a
CFLAGS="-std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2 -O2 -g \
  -D_GNU_SOURCE -pthread -Iengine/include"

if [ -z "${MAKELEVEL:-}" ]; then
  make --no-print-directory "$LIBJET" >&2
fi
[ -f "$LIBJET" ] || { echo "build.sh: $LIBJET is missing: run make first" >&2; exit 1; }

mkdir -p "$OUT"
# shellcheck disable=SC2086,SC2046  # flag lists are meant to split into words
$CC $CFLAGS $(pkg-config --cflags sqlite3) bench/engine/*.c "$LIBJET" \
  $(pkg-config --libs sqlite3) -lm -pthread -o "$OUT/bench_engine"
# bench_backup's floor case uses the engine's own CRC32C (engine/src/crc32c.c), nothing else inside
$CC $CFLAGS -Ibench/engine -Iengine/src bench/backup/*.c bench/engine/measure.c "$LIBJET" -lm -pthread \
  -o "$OUT/bench_backup"
echo "built $OUT/bench_engine $OUT/bench_backup" >&2
