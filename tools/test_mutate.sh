#!/usr/bin/env bash
# Test of tools/mutate.py (ctest fuzz.tool.mutate):
#   tools/test_mutate.sh SRC
# Usage errors exit 2; the sample is deterministic; bad input gives a clear
# error; one mutant that must die (buddy.c: the free page is never put on its
# free list) is built in a private copy and reported killed by the corpus
# replay with the checker's title; an earlier result folder is never
# overwritten and --resume keeps what is recorded.
set -uo pipefail
src=$1
tool=$src/tools/mutate.py
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fails=0
fail() {
  echo "FAIL: $*"
  fails=$((fails + 1))
}

python3 "$tool" --no-such-option >"$work/out" 2>&1
rc=$?
[ $rc -eq 2 ] || fail "unknown option: exit $rc, want 2"
grep -q '^usage: tools/mutate.py' "$work/out" || fail "unknown option: no usage"
python3 "$tool" --help >"$work/out" 2>&1 || fail "--help: exit $?"
grep -q '^usage: tools/mutate.py' "$work/out" || fail "--help: no usage"
python3 "$tool" --count 0 --dry-run >"$work/out" 2>&1
[ $? -eq 2 ] || fail "--count 0 accepted"
python3 "$tool" --only core/buddy.c:x:rel --dry-run >"$work/out" 2>&1
[ $? -eq 2 ] && grep -q 'FILE:LINE:OP' "$work/out" || fail "bad --only accepted"
python3 "$tool" --source "$work/nowhere" --dry-run >"$work/out" 2>&1
[ $? -eq 2 ] && grep -q 'nowhere: not a folder' "$work/out" || fail "missing --source: $(cat "$work/out")"
python3 "$tool" --files 'core/nothing*.c' --dry-run >"$work/out" 2>&1
[ $? -eq 2 ] && grep -q 'matches no file' "$work/out" || fail "--files matching nothing accepted"

# A fuzz-stage finding the unmutated tree has too is not a kill: it is kept in
# WORK/false-kills/ and listed (fake unmutated targets: one fails, one passes).
mkdir -p "$work/fk/tmp" "$work/fk/unmutated"
printf '#!/bin/sh\necho "slabfuzz: HARNESS: some oracle" >&2\nexit 1\n' >"$work/fk/unmutated/fuzz_bad"
printf '#!/bin/sh\nexit 0\n' >"$work/fk/unmutated/fuzz_good"
chmod +x "$work/fk/unmutated/fuzz_bad" "$work/fk/unmutated/fuzz_good"
echo x >"$work/fk/tmp/crash-1"
python3 - "$tool" "$work/fk" <<'PY' || fail "false-kill check: $(cat "$work/fk/out" 2>/dev/null)"
import importlib.util, json, os, sys, types
spec = importlib.util.spec_from_file_location("mutate", sys.argv[1])
mm = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mm)
S = next(v for v in vars(mm).values() if isinstance(v, type) and hasattr(v, "finding_of_unmutated"))
s = S.__new__(S)
s.work, s.tmp = sys.argv[2], os.path.join(sys.argv[2], "tmp")
s.a, s.env = types.SimpleNamespace(timeout=30), mm.clean_env()
crash = os.path.join(s.tmp, "crash-1")
assert s.finding_of_unmutated("m001", "fuzz_good", [crash]) is None, "a clean input counted as the tree's"
kept = s.finding_of_unmutated("m002", "fuzz_bad", [crash])
assert kept and os.path.exists(kept), "the tree's own finding is not kept"
rec = [json.loads(l) for l in open(os.path.join(s.work, "false-kills.jsonl"))]
assert [r["id"] for r in rec] == ["m002"] and rec[0]["title"] == "HARNESS: some oracle", rec
PY

# The expected value of __builtin_expect is a hint, never a mutant; its condition is.
hint=$(grep -n '__builtin_expect(.*, 0)) {$' "$src/core/slab.h" | head -1 | cut -d: -f1)
[ -n "$hint" ] || fail "core/slab.h has no __builtin_expect(..., 0) line for the hint check"
python3 "$tool" --only "core/slab.h:$hint:const" --dry-run >"$work/out" 2>&1
[ $? -eq 2 ] && grep -q 'no such mutant' "$work/out" || fail "a branch hint is mutated: $(cat "$work/out")"
python3 "$tool" --only "core/slab.h:$hint:negate" --dry-run >"$work/out" 2>&1 ||
  fail "the condition under a branch hint is not mutated: $(cat "$work/out")"

# The sample: fixed by the seed, different for another seed, 20 mutants.
python3 "$tool" --dry-run --count 20 >"$work/a" || fail "dry run: exit $?"
python3 "$tool" --dry-run --count 20 >"$work/b" || fail "dry run: exit $?"
python3 "$tool" --dry-run --count 20 --seed 2 >"$work/c" || fail "dry run: exit $?"
cmp -s "$work/a" "$work/b" || fail "same seed, different sample"
cmp -s "$work/a" "$work/c" && fail "another seed, same sample"
[ "$(grep -c '^m0' "$work/a")" -eq 20 ] || fail "dry run lists $(grep -c '^m0' "$work/a") mutants, want 20"
# No mutant on a comment, a string or a preprocessor line.
if awk -F'\t' '$4 ~ /^(#|\/\*|\/\/|")/' "$work/a" | grep -q .; then
  fail "a mutant of a comment, string or preprocessor line: $(awk -F'\t' '$4 ~ /^(#|\/\*|\/\/|")/' "$work/a")"
fi

# One real mutant: the buddy free path forgets the free list.
line=$(grep -n 'list_add(&page->lru, &zone->free_area\[order\].free_list);' \
       "$src/core/buddy.c" | head -1 | cut -d: -f1)
[ -n "$line" ] || { echo "FAIL: core/buddy.c no longer has the free-list list_add this test deletes"; exit 1; }
args=(--work "$work/run" --only "core/buddy.c:$line:delete" --stages replay,fuzz
      --targets fuzz_pages --runs 200 --no-coverage --jobs 1)
python3 "$tool" "${args[@]}" >"$work/log" 2>&1 || fail "mutant run: exit $? ($(tail -5 "$work/log"))"
sum=$work/run/summary.txt
grep -q '^killed by the fuzz targets alone (replay + fuzz): 1 / 1 = 100.0%' "$sum" ||
  fail "the free-list mutant is not reported killed: $(cat "$sum")"
python3 - "$work/run/results.jsonl" <<'EOF' || fail "results.jsonl: wrong record"
import json, sys
r = [json.loads(x) for x in open(sys.argv[1])]
assert len(r) == 1, r
r = r[0]
assert r["build"] == "ok" and r["op"] == "delete" and r["mutated"] == "{}", r
k = r["killed"]
assert k["stage"] == "replay" and k["by"] == "replay:fuzz_pages", k
assert k["title"] == "BUG: page allocator invariant broken", k
assert r["stages"]["fuzz"] == "not run", r["stages"]
EOF
grep -q 'list_add(&page->lru, &zone->free_area\[order\].free_list);' "$work/run/src/core/buddy.c" ||
  fail "the private copy was left mutated"

python3 "$tool" --report --work "$work/run" >"$work/out" 2>&1 || fail "--report: exit $?"
grep -q '^  *1  BUG: page allocator invariant broken \[P[0-9]*\]$' "$work/out" ||
  fail "--report: no oracle line with the invariant id: $(cat "$work/out")"
# Never over an earlier result; --resume keeps the recorded mutant.
cp "$work/run/results.jsonl" "$work/results.before"
python3 "$tool" "${args[@]}" >"$work/out" 2>&1
[ $? -eq 2 ] && grep -q 'refusing to overwrite' "$work/out" || fail "an existing --work was reused"
python3 "$tool" "${args[@]}" --resume >"$work/out" 2>&1 || fail "--resume: exit $?"
grep -q '0 mutants to run (1 done)' "$work/out" || fail "--resume ran the mutant again"
cmp -s "$work/run/results.jsonl" "$work/results.before" || fail "--resume changed the results"
python3 "$tool" "${args[@]}" --resume --runs 300 >"$work/out" 2>&1
[ $? -eq 2 ] && grep -q 'differs' "$work/out" || fail "--resume with other options accepted"

((fails == 0)) || { echo "$fails failure(s)"; exit 1; }
echo "mutate: all checks passed"
