#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Source-based coverage of the corpora: builds the `coverage` preset (clang
# -fprofile-instr-generate -fcoverage-mapping), replays every corpus through the
# replay binaries (replay_<target>, one per line of fuzzers/targets.txt), and
# writes into a new report folder:
#   html/index.html   llvm-cov show -format=html (core/ and fuzzers/)
#   core.txt          llvm-cov report for core/: per file regions, functions,
#                     lines and branches
#   core-table.txt    per file of core/: lines, missed, line %, branches,
#                     missed, branch %; TOTAL last
#   summary.txt       "core line X% branch Y%" and the inputs replayed
#
# usage: tools/coverage.sh [-B BUILD_DIR] [-o REPORT_DIR] [--floor PCT]
#                          [--branch-floor PCT] [--no-seeds | --seeds-only]
#                          [CORPUS...]
#   -B DIR       coverage build folder (default build/coverage; configured with
#                the coverage preset when it has no build yet)
#   -o DIR       report folder; must not exist (default
#                BUILD_DIR/coverage-report-YYYYmmdd-HHMMSS)
#   --floor PCT  exit 1 when core/ line coverage is below PCT
#   --branch-floor PCT  exit 1 when core/ branch coverage is below PCT
#   --no-seeds   do not replay the corpora in git: the seeds (corpus/<target>/)
#                and the campaign corpus (corpus/campaign/<target>/), as the
#                build encodes them
#   --seeds-only of the corpora in git, the seeds only
#   CORPUS       more inputs: a campaign work folder (WORK/<target>/corpus),
#                a folder with one subfolder of inputs per target, or
#                TARGET=DIR for one target's folder
set -euo pipefail

die() { echo "coverage: $*" >&2; exit 2; }
usage() { sed -n '2,/^set -/{/^set -/d;/SPDX-License/d;s/^# \{0,1\}//;p}' "$0"; }
root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build/coverage
report=
floor=
bfloor=
seeds=1
campaign=1
extra=()
while (($#)); do
  case $1 in
    -B) (($# >= 2)) || die "-B needs a folder"; build=$2; shift 2 ;;
    -o) (($# >= 2)) || die "-o needs a folder"; report=$2; shift 2 ;;
    --floor) (($# >= 2)) && [[ $2 =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "--floor needs a percentage (e.g. 80 or 80.5)"
             floor=$2; shift 2 ;;
    --branch-floor) (($# >= 2)) && [[ $2 =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "--branch-floor needs a percentage"
             bfloor=$2; shift 2 ;;
    --no-seeds) seeds=0; shift ;;
    --seeds-only) campaign=0; shift ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "coverage: unknown option '$1'" >&2; usage >&2; exit 2 ;;
    *) extra+=("$1"); shift ;;
  esac
done
[[ -n $build && ( ! -e $build || -d $build ) ]] || die "-B '$build': not a folder"
[[ -z $report || ! -e $report ]] || die "-o $report exists: refusing to overwrite a report (choose another -o)"

LLVM_COV=${LLVM_COV:-llvm-cov}
LLVM_PROFDATA=${LLVM_PROFDATA:-llvm-profdata}
command -v "$LLVM_COV" >/dev/null || die "$LLVM_COV not found (install llvm)"
command -v "$LLVM_PROFDATA" >/dev/null || die "$LLVM_PROFDATA not found (install llvm)"

mapfile -t targets < <(grep -E '^[a-z0-9_]+$' "$root/fuzzers/targets.txt")
((${#targets[@]})) || die "fuzzers/targets.txt lists no targets"

# Check the extra corpora before building anything.
declare -A dirs_of
for c in "${extra[@]}"; do
  if [[ $c == *=* ]]; then
    t=${c%%=*} d=${c#*=}
    printf '%s\n' "${targets[@]}" | grep -qx "$t" || die "$c: unknown target '$t' (fuzzers/targets.txt)"
    [ -d "$d" ] || die "$c: $d is not a folder"
    dirs_of[$t]+=" $(cd "$d" && pwd)"
  else
    [ -d "$c" ] || die "$c: not a folder"
    found=0
    for t in "${targets[@]}"; do
      # A campaign work folder keeps WORK/<target>/corpus; corpus/ of a
      # checkout (or any folder of corpora) has the inputs in <target>/.
      if [ -d "$c/$t/corpus" ]; then dirs_of[$t]+=" $(cd "$c/$t/corpus" && pwd)"; found=1
      elif [ -d "$c/$t" ]; then dirs_of[$t]+=" $(cd "$c/$t" && pwd)"; found=1; fi
    done
    ((found)) || die "$c: has no subfolder named after a target (${targets[*]}); use TARGET=DIR for a single folder"
  fi
done

if [ ! -f "$build/CMakeCache.txt" ]; then
  echo "coverage: configuring $build (preset coverage)"
  (cd "$root" && cmake --preset coverage -B "$build" >/dev/null)
fi
grep -q '^SF_COVERAGE:BOOL=ON' "$build/CMakeCache.txt" ||
  die "$build is not a coverage build (SF_COVERAGE is not ON): use -B with a coverage build folder"
build=$(cd "$build" && pwd)
bins=()
for t in "${targets[@]}"; do bins+=("replay_$t"); done
echo "coverage: building ${bins[*]}"
cmake --build "$build" --target "${bins[@]}" sf_corpus >/dev/null

[ -n "$report" ] || report=$build/coverage-report-$(date +%Y%m%d-%H%M%S)
[ -e "$report" ] && die "$report exists: refusing to overwrite a report (choose another -o)"
mkdir -p "$report/profiles"
report=$(cd "$report" && pwd)

inputs=0
objects=()
for t in "${targets[@]}"; do
  bin=$build/fuzzers/replay_$t
  [ -x "$bin" ] || die "$bin: not built"
  if ((${#objects[@]})); then objects+=(-object "$bin"); else objects=("$bin"); fi
  dirs=()
  if ((seeds)) && [ -d "$build/corpus/$t" ]; then dirs+=("$build/corpus/$t"); fi
  if ((seeds && campaign)) && [ -d "$build/corpus-campaign/$t" ]; then
    dirs+=("$build/corpus-campaign/$t")
  fi
  for d in ${dirs_of[$t]:-}; do dirs+=("$d"); done
  ((${#dirs[@]})) || continue
  n=$(find "${dirs[@]}" -maxdepth 1 -type f ! -name '.*' | wc -l)
  inputs=$((inputs + n))
  echo "coverage: $t: $n inputs"
  # Inputs that end in a report abort the replay; run each file separately
  # then, so every clean input still counts.
  if ! LLVM_PROFILE_FILE="$report/profiles/$t-%p.profraw" \
       "$bin" "${dirs[@]}" >"$report/profiles/$t.log" 2>&1; then
    echo "coverage: $t: a replay failed; replaying file by file (see $report/profiles/$t.log)" >&2
    while IFS= read -r -d '' f; do
      LLVM_PROFILE_FILE="$report/profiles/$t-%p.profraw" "$bin" "$f" >>"$report/profiles/$t.log" 2>&1 || true
    done < <(find "${dirs[@]}" -maxdepth 1 -type f ! -name '.*' -print0)
  fi
done
((inputs)) || die "no inputs to replay"
shopt -s nullglob
profs=("$report"/profiles/*.profraw)
((${#profs[@]})) || die "the replays wrote no profiles"
"$LLVM_PROFDATA" merge -sparse "${profs[@]}" -o "$report/merged.profdata"

"$LLVM_COV" show -format=html -show-branches=count -show-line-counts-or-regions \
  -instr-profile="$report/merged.profdata" "${objects[@]}" \
  -output-dir="$report/html" "$root/core" "$root/fuzzers" >/dev/null
"$LLVM_COV" report -instr-profile="$report/merged.profdata" "${objects[@]}" \
  "$root/core" >"$report/core.txt"

# llvm-cov report columns: name, regions (3), functions (3), lines (3), branches (3).
awk -v root="$root/core/" '
  NF == 13 && ($1 ~ /\.[ch]$/ || $1 == "TOTAL") {
    name = $1; sub(root, "", name)
    printf "%-28s %7s %7s %8s %9s %7s %8s\n", name, $8, $9, $10, $11, $12, $13
  }
  BEGIN { printf "%-28s %7s %7s %8s %9s %7s %8s\n", "core/", "lines", "missed", "line%", "branches", "missed", "branch%" }
' "$report/core.txt" >"$report/core-table.txt"
total=$(awk '$1 == "TOTAL"' "$report/core-table.txt")
[ -n "$total" ] || die "llvm-cov report has no TOTAL line ($report/core.txt)"
line_pct=$(awk '{ sub("%", "", $4); print $4 }' <<<"$total")
branch_pct=$(awk '{ sub("%", "", $7); print $7 }' <<<"$total")
{
  echo "core line ${line_pct}% branch ${branch_pct}%"
  echo "inputs $inputs"
} >"$report/summary.txt"
cat "$report/core-table.txt"
echo "coverage: core/ line ${line_pct}% branch ${branch_pct}% from $inputs inputs"
echo "coverage: report $report/html/index.html, table $report/core-table.txt"
below=0
check_floor() { # WHAT PERCENT FLOOR (no FLOOR: nothing to check)
  [ -n "$3" ] || return 0
  if awk -v a="$2" -v f="$3" 'BEGIN { exit !(a + 0 < f + 0) }'; then
    echo "coverage: FAIL: core/ $1 coverage $2% is below the floor $3%" >&2
    below=1
  else
    echo "coverage: core/ $1 coverage $2% meets the floor $3%"
  fi
}
check_floor line "$line_pct" "$floor"
check_floor branch "$branch_pct" "$bfloor"
exit $below
