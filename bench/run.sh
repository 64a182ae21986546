#!/usr/bin/env bash
# bench/run.sh — every benchmark of the project (`make bench`), one script per area; each writes
# its own section of docs/BENCHMARKS.md. Arguments are passed to every area script
# (e.g. --quick for a smoke run).
set -euo pipefail
cd "$(dirname "$0")/.."

bash bench/engine.sh "$@"
bash bench/s3.sh "$@"
bash bench/backup.sh "$@"
bash bench/http.sh "$@"
