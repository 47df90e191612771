#!/usr/bin/env bash
# Self-test: libFuzzer from the seed corpus with a bug switched on must find
# the bug's report title within a fixed budget.
#   tools/selftest.sh FUZZER SEED_DIR BUGS "TITLE" RUNS
# SELFTEST_SEED (default 1) is libFuzzer's -seed.
# Prints runs-to-find and seconds-to-find; exit 1 when not found.
set -uo pipefail
fuzzer=$1 seeds=$2 bugs=$3 title=$4 runs=$5
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus"
cp "$seeds"/* "$work/corpus/" 2>/dev/null || true
start=$(date +%s.%N)
seed=${SELFTEST_SEED:-1}
out=$(SLABFUZZ_BUGS=$bugs "$fuzzer" -seed="$seed" -runs="$runs" -max_len=512 \
      -print_final_stats=1 -artifact_prefix="$work/" "$work/corpus" 2>&1)
end=$(date +%s.%N)
found=$(printf '%s\n' "$out" | grep -m1 '^slabfuzz: ' | sed 's/^slabfuzz: //')
# Executions including the crashing one (libFuzzer's final stats).
n=$(printf '%s\n' "$out" | sed -n 's/^stat::number_of_executed_units: *//p' | tail -1)
secs=$(awk "BEGIN { printf \"%.2f\", $end - $start }")
if [ "$found" = "$title" ]; then
  echo "found '$title' with $bugs: runs ${n:-?}, ${secs}s (seed $seed)"
  exit 0
fi
echo "NOT found: '$title' with $bugs after ${n:-$runs} runs (${secs}s, seed $seed); got '${found:-nothing}'"
exit 1
