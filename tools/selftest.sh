#!/usr/bin/env bash
# Self-test: libFuzzer from the seed corpus with a bug switched on must find
# the bug's report title within a fixed budget.
#   tools/selftest.sh FUZZER SEED_DIR BUGS "TITLE" RUNS
# Prints runs-to-find and seconds-to-find; exit 1 when not found.
set -uo pipefail
fuzzer=$1 seeds=$2 bugs=$3 title=$4 runs=$5
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus"
cp "$seeds"/* "$work/corpus/" 2>/dev/null || true
start=$(date +%s.%N)
out=$(SLABFUZZ_BUGS=$bugs "$fuzzer" -seed=1 -runs="$runs" -max_len=512 \
      -artifact_prefix="$work/" "$work/corpus" 2>&1)
end=$(date +%s.%N)
found=$(printf '%s\n' "$out" | grep -m1 '^slabfuzz: ' | sed 's/^slabfuzz: //')
n=$(printf '%s\n' "$out" | grep -oE '^#[0-9]+' | tail -1 | tr -d '#')
secs=$(awk "BEGIN { printf \"%.2f\", $end - $start }")
if [ "$found" = "$title" ]; then
  echo "found '$title' with $bugs: runs ~${n:-0}, ${secs}s (seed 1)"
  exit 0
fi
echo "NOT found: '$title' with $bugs after $runs runs (${secs}s, seed 1); got '${found:-nothing}'"
exit 1
