#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Self-test: how fast libFuzzer finds each planted bug, with that one bug
# switched on (SLABFUZZ_BUGS), from the seed corpus and from an empty corpus,
# over several engine seeds with a fixed -runs budget.
#
# usage: tools/selftest.sh [-B BUILD] [-s SEEDS] [-r RUNS] [-f seeds|empty|both]
#                          [--ci] [BUG...]
#   -B DIR    libFuzzer build (default build/libfuzzer); configured with the
#             libfuzzer preset when it has no build yet, and the targets it
#             needs are built
#   -s SEEDS  libFuzzer -seed values: "1-10" (default) or a list "1,4,7"
#   -r RUNS   -runs budget of each run (default 100000)
#   -f FROM   seeds (corpus/<target>/*.txt, encoded afresh), empty, or both
#             (default both)
#   --ci      each bug once, from the seeds, with its ci_seed and ci_runs
#   BUG       bugs to run (default: every line of tools/selftest-bugs.txt)
#
# A run finds its bug when libFuzzer exits with 77 (the abort of a report),
# the first "slabfuzz: " line is exactly the bug's title (and the report holds
# its detail string, if the list gives one), and the saved crash input replays
# to that again; any other title, a sanitizer report or
# a different exit status is "other". Runs-to-find is libFuzzer's
# stat::number_of_executed_units (the seeds' initial runs included).
# Prints a line per run, then a table per bug and corpus: median, min, max
# of the runs that found it, found k/N, the budget, and the operations its
# trigger needs (tools/selftest-bugs.txt). Exit 1 when a run did not find its
# bug, 2 on a usage or build error.
set -uo pipefail

die() { echo "selftest: $*" >&2; exit 2; }
usage() { sed -n '2,/^set -/{/^set -/d;/SPDX-License/d;s/^# \{0,1\}//;p}' "$0"; }
root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build/libfuzzer
seeds_arg=1-10
runs=100000
from=both
ci=0
bugs=()
while (($#)); do
  case $1 in
    -B) (($# >= 2)) || die "-B needs a folder"; build=$2; shift 2 ;;
    -s) (($# >= 2)) || die "-s needs seeds (1-10 or 1,2,3)"; seeds_arg=$2; shift 2 ;;
    -r) (($# >= 2)) && [[ $2 =~ ^[1-9][0-9]*$ ]] || die "-r needs a positive whole number"
        runs=$2; shift 2 ;;
    -f) (($# >= 2)) && [[ $2 =~ ^(seeds|empty|both)$ ]] || die "-f needs seeds, empty or both"
        from=$2; shift 2 ;;
    --ci) ci=1; shift ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "selftest: unknown option '$1'" >&2; usage >&2; exit 2 ;;
    *) bugs+=("$1"); shift ;;
  esac
done

[[ -n $build && ( ! -e $build || -d $build ) ]] || die "-B '$build': not a folder"
if [[ $seeds_arg =~ ^([0-9]+)-([0-9]+)$ ]]; then
  mapfile -t engine_seeds < <(seq "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}")
elif [[ $seeds_arg =~ ^[0-9]+(,[0-9]+)*$ ]]; then
  IFS=, read -r -a engine_seeds <<<"$seeds_arg"
else
  die "-s $seeds_arg: give a range (1-10) or a list (1,4,7)"
fi
((${#engine_seeds[@]})) || die "-s $seeds_arg: no seeds"

list=$root/tools/selftest-bugs.txt
[ -f "$list" ] || die "$list is missing"
declare -A tgt_of title_of detail_of ciseed_of ciruns_of ops_of
order=()
while IFS='|' read -r b t ti de cs cr _ op; do
  [[ -z $b || $b == \#* ]] && continue
  tgt_of[$b]=$t title_of[$b]=$ti detail_of[$b]=$de ciseed_of[$b]=$cs ciruns_of[$b]=$cr ops_of[$b]=$op
  order+=("$b")
done <"$list"
((${#bugs[@]})) || bugs=("${order[@]}")
for b in "${bugs[@]}"; do
  [ -n "${tgt_of[$b]:-}" ] || die "unknown bug '$b' (tools/selftest-bugs.txt: ${order[*]})"
done

# One configure and build at a time in the folder (tools/campaign.sh takes
# the same lock: ctest runs both on one build).
mkdir -p "$build" || die "cannot create $build"
exec 8>>"$build/.sf-build.lock"
flock 8
if [ ! -f "$build/CMakeCache.txt" ]; then
  echo "selftest: configuring $build (preset libfuzzer)"
  (cd "$root" && cmake --preset libfuzzer -B "$build" >/dev/null) || die "cannot configure $build"
fi
grep -q '^SF_FUZZ_ENGINE:STRING=libfuzzer' "$build/CMakeCache.txt" ||
  die "$build is not a libFuzzer build (SF_FUZZ_ENGINE is not libfuzzer): use -B with one"
declare -A need
for b in "${bugs[@]}"; do need[${tgt_of[$b]}]=1; done
cmake --build "$build" --target slabfuzz "${!need[@]}" >/dev/null || die "cannot build in $build"
exec 8>&-
tool=$build/tools/slabfuzz

norand=()
if setarch "$(uname -m)" -R true 2>/dev/null; then
  norand=(setarch "$(uname -m)" -R)
else
  echo "selftest: setarch -R unavailable: address randomisation stays on, runs-to-find vary" >&2
fi

work=$(mktemp -d /tmp/slabfuzz-selftest.XXXXXX)
trap 'rm -rf "$work"' EXIT

# The seed corpus of a target, encoded from the text in git (never a stale
# file of the build folder).
seed_dir() { # TARGET
  local t=$1 d=$work/seeds-$1 f
  if [ ! -d "$d" ]; then
    mkdir -p "$d"
    for f in "$root/corpus/$t"/*.txt; do
      [ -f "$f" ] || continue
      "$tool" encode "$f" -o "$d/$(basename "$f" .txt).bin" >/dev/null ||
        die "$f: does not encode"
    done
  fi
  echo "$d"
}

# Runs one (bug, corpus, engine seed); prints "found N", "none N" or
# "other N TITLE".
run_one() { # BUG FROM SEED RUNS
  local b=$1 src=$2 s=$3 r=$4 t=${tgt_of[$1]} dir out rc title n max_len dict=()
  dir=$work/run
  rm -rf "$dir"; mkdir -p "$dir/corpus" "$dir/crash"
  if [ "$src" = seeds ]; then cp "$(seed_dir "$t")"/* "$dir/corpus/" 2>/dev/null; fi
  max_len=$(sed -n 's/^max_len *= *//p' "$root/corpus/$t.options" 2>/dev/null)
  [ -f "$root/corpus/$t.dict" ] && dict=(-dict="$root/corpus/$t.dict")
  out=$(SLABFUZZ_BUGS=$b "${norand[@]}" "$build/fuzzers/$t" -seed="$s" -runs="$r" -max_len="${max_len:-512}" \
        "${dict[@]}" -timeout=20 -print_final_stats=1 -artifact_prefix="$dir/crash/" \
        "$dir/corpus" 2>&1)
  rc=$?
  title=$(printf '%s\n' "$out" | sed -n 's/^slabfuzz: //p' | head -1)
  n=$(printf '%s\n' "$out" | sed -n 's/^stat::number_of_executed_units: *//p' | tail -1)
  if ((rc == 0)); then echo "none ${n:-$r}"; return; fi
  if ((rc == 77)) && [ "$title" = "${title_of[$b]}" ] &&
     { [ -z "${detail_of[$b]}" ] || grep -qF -- "${detail_of[$b]}" <<<"$out"; }; then
    # The saved input must reproduce the same title.
    local crash again
    crash=$(find "$dir/crash" -type f -name 'crash-*' | head -1)
    if [ -n "$crash" ]; then
      local rout
      rout=$(SLABFUZZ_BUGS=$b "$build/fuzzers/$t" "$crash" 2>&1)
      again=$(printf '%s\n' "$rout" | sed -n 's/^slabfuzz: //p' | head -1)
      if [ "$again" = "$title" ] &&
         { [ -z "${detail_of[$b]}" ] || grep -qF -- "${detail_of[$b]}" <<<"$rout"; }; then
        echo "found ${n:-?}"; return
      fi
      echo "other ${n:-?} crash input does not reproduce (got '${again:-nothing}')"; return
    fi
    echo "other ${n:-?} no crash input saved"; return
  fi
  echo "other ${n:-?} exit $rc: ${title:-no slabfuzz title (sanitizer report?)}"
}

# median/min/max of a list of numbers
stats() {
  sort -n | awk '{ v[NR] = $1 } END {
    if (!NR) { print "- - -"; exit }
    m = NR % 2 ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2)
    print m, v[1], v[NR] }'
}

missed=0
rows=()
froms=()
case $from in seeds) froms=(seeds) ;; empty) froms=(empty) ;; both) froms=(seeds empty) ;; esac
((ci)) && froms=(seeds)
for b in "${bugs[@]}"; do
  for src in "${froms[@]}"; do
    if ((ci)); then ss=("${ciseed_of[$b]}") budget=${ciruns_of[$b]}
    else ss=("${engine_seeds[@]}") budget=$runs; fi
    found=()
    for s in "${ss[@]}"; do
      res=$(run_one "$b" "$src" "$s" "$budget")
      read -r kind n rest <<<"$res"
      case $kind in
        found) found+=("$n"); echo "$b from $src, seed $s: found '${title_of[$b]}' in $n runs" ;;
        none) missed=1; echo "$b from $src, seed $s: NOT found in $n runs (budget $budget)" ;;
        *) missed=1; echo "$b from $src, seed $s: NOT found: $rest (after $n runs)" ;;
      esac
    done
    read -r med lo hi < <(printf '%s\n' "${found[@]}" | grep . | stats)
    rows+=("$b|${tgt_of[$b]}|$src|$med|$lo|$hi|${#found[@]}/${#ss[@]}|$budget|${ops_of[$b]}")
  done
done

echo
if commit=$(git -C "$root" rev-parse --show-toplevel 2>/dev/null) && [ "$commit" = "$root" ]; then
  commit="commit $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD -- || echo ' with uncommitted changes')"
else
  commit="not a git checkout: commit unknown"
fi
echo "runs to find (engine seeds ${seeds_arg}$( ((ci)) && echo ", --ci: each bug's ci_seed")), $commit"
printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' bug target from median min max found budget \
       "trigger needs"
printf '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | --- |\n'
for row in "${rows[@]}"; do
  IFS='|' read -r b t src med lo hi k budget ops <<<"$row"
  printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$b" "$t" "$src" "$med" "$lo" "$hi" \
         "$k" "$budget" "$ops"
done
exit $missed
