#!/usr/bin/env bash
# Runs every atheris target for a bounded time, one after another, niced, and prints
# one line per target: inputs executed, seconds, crashes. Crashing inputs are kept in
# $OUT/<target>/crash-*; the corpus grows in $OUT/corpus/<target>/.
#
#   tests/fuzz/run.sh [SECONDS_PER_TARGET] [TARGET ...]
#   (default: 300 s each, all targets; OUT=test-output/fuzz by default)
set -u
cd "$(dirname "$0")/../.."
SECONDS_EACH="${1:-300}"
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=(native socket dispatch dial csv snapshot)
OUT="${OUT:-test-output/fuzz}"
PY="${PY:-.venv/bin/python}"
mkdir -p "$OUT"
"$PY" tests/fuzz/seeds.py "$OUT/corpus"
status=0
for target in "${TARGETS[@]}"; do
  mkdir -p "$OUT/$target"
  log="$OUT/$target.log"
  nice -n 10 "$PY" tests/fuzz/atheris_main.py "$target" \
    -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix="$OUT/$target/" \
    "$OUT/corpus/$target" >"$log" 2>&1
  rc=$?
  runs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  crashes=$(find "$OUT/$target" -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' | wc -l)
  echo "$target inputs=${runs:-?} seconds=$SECONDS_EACH exit=$rc crashes=$crashes"
  [ "$rc" -ne 0 ] && status=1
done
exit $status
