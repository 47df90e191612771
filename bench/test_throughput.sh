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

# A crash is kept, not deleted with the scratch folder: with a historical bug
# switched back on that every seed run finds (the DMA duplicate, checker S11
# from slab_up on), fuzz_boot exits 1 and leaves its input and log.
keep=$(mktemp -d "${TMPDIR:-/tmp}/test_throughput.XXXXXX")
trap 'rm -rf "$keep"' EXIT
rc=0
SLABFUZZ_BUGS=slab_dma_duplicate "$script" --no-build "${args[@]}" -k "$keep" fuzz_boot \
  >"$keep/out" 2>"$keep/err" || rc=$?
((rc == 1)) || { echo "test_throughput: a crashing target gave exit $rc, want 1" >&2; exit 1; }
kept=$(find "$keep" -mindepth 1 -maxdepth 1 -type d -name "$engine-fuzz_boot.*")
[[ -n $kept && -s $kept/log.txt ]] ||
  { echo "test_throughput: the crash was not kept in $keep: $(cat "$keep/err")" >&2; exit 1; }
grep -q "kept in $kept" "$keep/err" ||
  { echo "test_throughput: the kept folder is not named on stderr" >&2; exit 1; }
# (afl-fuzz refuses to start when every seed crashes: its log is what is kept)
if [[ $engine == libfuzzer ]]; then
  ls "$kept"/crash-* >/dev/null 2>&1 || { echo "test_throughput: no crash input in $kept" >&2; exit 1; }
fi
echo "test_throughput: the crash was kept in $kept"

# A KEEP_DIR that cannot be made: the scratch folder stays, named on stderr.
: >"$keep/file"
rc=0
SLABFUZZ_BUGS=slab_dma_duplicate "$script" --no-build "${args[@]}" -k "$keep/file" fuzz_boot \
  >"$keep/out2" 2>"$keep/err2" || rc=$?
scratch=$(sed -n 's/.*stays in the scratch folder \(.*\), not deleted$/\1/p' "$keep/err2" | head -n 1)
((rc == 1)) && [[ -n $scratch && -d $scratch ]] ||
  { echo "test_throughput: an unusable -k lost the crash (exit $rc): $(cat "$keep/err2")" >&2; exit 1; }
rm -rf "$scratch"

