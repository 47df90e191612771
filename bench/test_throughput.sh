#!/usr/bin/env bash
# ctest bench.throughput (label slow): bench/throughput.sh runs for one engine
# with tiny settings and prints its table: a row with a positive exec/s for
# every machine target and the empty one, and the median line. Checks that
# the script works, never how fast anything is.
#   bench/test_throughput.sh libfuzzer|afl BUILD_DIR
set -euo pipefail
engine=$1 dir=$2
script=$(dirname "$0")/throughput.sh
if [[ $engine == libfuzzer ]]; then
  args=(--no-afl -L "$dir" -r 200 -e 20000)
else
  args=(--no-libfuzzer -A "$dir" -t 3)
fi
out=$("$script" --no-build "${args[@]}")
echo "$out"
for t in fuzz_boot fuzz_gfp fuzz_pages fuzz_sparse fuzz_slab fuzz_empty; do
  # target runs/execs, then the exec/s column (4th for libFuzzer, 4th for AFL++)
  awk -v t="$t" '$1 == t && $4 + 0 > 0 { found = 1 } END { exit !found }' <<<"$out" ||
    { echo "test_throughput: no row with a positive exec/s for $t" >&2; exit 1; }
done
grep -qE '^median over 5 machine targets: [0-9]+ exec/s, [0-9.]+% of the empty target' <<<"$out" ||
  { echo "test_throughput: no median line" >&2; exit 1; }
