#!/usr/bin/env bash
# Throughput of the fuzz targets, one process on one core each, against an
# empty target measured in the same run (bench/fuzz_empty.c):
#   libFuzzer (preset libfuzzer, ASan+UBSan): -seed=1 -runs=RUNS from the
#     encoded seeds (<build>/corpus/<target>), exec/s = executed units / wall
#     time of the process (libFuzzer's own integer exec/s beside it);
#   AFL++ persistent mode (preset afl, ASan+UBSan): afl-fuzz -s 1 for SECONDS
#     from the same seeds, execs_per_sec and stability from fuzzer_stats.
# Beside libFuzzer's wall-time rate, executions per CPU second of the process
# (user+sys): the figure that holds on a shared machine, where wall time
# counts other people's work (AFL++'s target is a grandchild killed at the
# end, its CPU time is not accounted: wall time only).
# Prints one row a target, then the median over the machine targets
# (fuzz_boot fuzz_gfp fuzz_pages fuzz_sparse fuzz_slab) and its ratio to the
# empty target. Prints numbers, asserts none. Default settings take about
# 3 minutes on one free core plus the builds (see docs/bench.md).
#
#   bench/throughput.sh [-r RUNS] [-e EMPTY_RUNS] [-t AFL_SECONDS] [-B BUILDROOT]
#                       [-L LIBFUZZER_BUILD] [-A AFL_BUILD] [-k KEEP_DIR]
#                       [--no-afl] [--no-libfuzzer] [--no-build] [TARGET...]
# Defaults: -r 5000 -e 1000000 -t 15, builds in BUILDROOT/libfuzzer and
# BUILDROOT/afl (BUILDROOT: build/ of the checkout), built first unless
# --no-build. Exit 1 when a target crashed or an engine failed; the crash
# inputs and the log are kept in a new folder under KEEP_DIR (default
# ./throughput-crashes), named on stderr.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

runs=5000
empty_runs=1000000
afl_secs=15
buildroot=$root/build
keep=$PWD/throughput-crashes
lf=
afl=
do_lf=1
do_afl=1
do_build=1
machine_targets=(fuzz_boot fuzz_gfp fuzz_pages fuzz_sparse fuzz_slab)
targets=()

die() { echo "throughput: $*" >&2; exit 2; }
usage() { sed -n '2,26s/^# \{0,1\}//p' "$0"; exit "${1:-0}"; }
posint() { [[ $2 =~ ^[1-9][0-9]*$ ]] || die "$1 needs a positive integer, got '$2'"; }

while (($#)); do
  case $1 in
    -r) (($# > 1)) || die "-r needs a value"; posint -r "$2"; runs=$2; shift 2 ;;
    -e) (($# > 1)) || die "-e needs a value"; posint -e "$2"; empty_runs=$2; shift 2 ;;
    -t) (($# > 1)) || die "-t needs a value"; posint -t "$2"; afl_secs=$2; shift 2 ;;
    -B) (($# > 1)) || die "-B needs a value"; buildroot=$2; shift 2 ;;
    -k) (($# > 1)) || die "-k needs a value"; keep=$2; shift 2 ;;
    -L) (($# > 1)) || die "-L needs a value"; lf=$2; shift 2 ;;
    -A) (($# > 1)) || die "-A needs a value"; afl=$2; shift 2 ;;
    --no-afl) do_afl=0; shift ;;
    --no-libfuzzer) do_lf=0; shift ;;
    --no-build) do_build=0; shift ;;
    -h|--help) usage 0 ;;
    -*) die "unknown option '$1' (see --help)" ;;
    *) [[ " ${machine_targets[*]} " == *" $1 "* ]] || die "unknown target '$1'"
       targets+=("$1"); shift ;;
  esac
done
((${#targets[@]})) || targets=("${machine_targets[@]}")
((do_lf || do_afl)) || die "nothing to measure (--no-afl and --no-libfuzzer)"
if ((do_afl)); then
  command -v afl-fuzz >/dev/null || die "afl-fuzz not found (ci/setup.sh installs afl++); --no-afl skips it"
fi

lf=${lf:-$buildroot/libfuzzer}
afl=${afl:-$buildroot/afl}
abspath() { [[ $1 == /* ]] && echo "$1" || echo "$PWD/$1"; }
lf=$(abspath "$lf") afl=$(abspath "$afl")

build() { # PRESET DIR
  local dir=$2
  if ((do_build)); then
    echo "throughput: building $dir (preset $1)" >&2
    cmake -S "$root" -B "$dir" --preset "$1" >/dev/null
    AFL_QUIET=1 cmake --build "$dir" -j 2 >/dev/null
  fi
  for t in "${targets[@]}" fuzz_empty; do
    local bin=$dir/fuzzers/$t
    [[ $t == fuzz_empty ]] && bin=$dir/bench/fuzz_empty
    [[ -x $bin ]] || die "$bin: not built (preset $1)"
  done
}
((do_lf)) && build libfuzzer "$lf"
((do_afl)) && build afl "$afl"

work=$(mktemp -d "${TMPDIR:-/tmp}/throughput.XXXXXX")
trap 'rm -rf "$work"' EXIT

# The commit a build was made from: its source folder's HEAD (+dirty).
build_commit() { # BUILD_DIR
  local src c
  src=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$1/CMakeCache.txt" 2>/dev/null)
  c=$(git -C "${src:-/nonexistent}" rev-parse --short HEAD 2>/dev/null) || { echo "unknown"; return; }
  [[ -n $(git -C "$src" status --porcelain --untracked-files=no 2>/dev/null) ]] && c+="+dirty"
  echo "$c"
}
echo "$(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

max_len_of() {
  local v
  v=$(sed -n 's/^max_len *= *//p' "$root/corpus/$1.options" 2>/dev/null | head -n 1)
  echo "${v:-512}"
}

now() { date +%s.%N; }

# A crash is a finding, never thrown away with the scratch folder: its inputs
# and the log go to a new folder under KEEP_DIR (nothing there is overwritten).
keep_crash() { # NAME LOG FILE...
  local name=$1 log=$2 d f
  shift 2
  if ! { mkdir -p "$keep" && d=$(mktemp -d "$keep/$name.XXXXXX"); } 2>/dev/null; then
    # not lost: the scratch folder stays, and says where
    trap - EXIT
    echo "throughput: cannot make a folder in $keep (-k DIR must be a folder you can" \
      "write): $name's crash stays in the scratch folder $work, not deleted" >&2
    return
  fi
  cp "$log" "$d/log.txt"
  for f in "$@"; do [[ -f $f ]] && cp "$f" "$d/"; done
  echo "throughput: $name: the crash inputs and the log are kept in $d" >&2
}

# CPU seconds (user+sys) of the reaped children of this shell so far, from
# `times` run in this shell (a command substitution would be a new shell).
cpu_children() { # FILE: writes the figure into FILE
  times >"$1"
  awk 'NR == 2 { t = 0; for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); t += a[1] * 60 + a[2] }
    printf "%.3f\n", t }' "$1" >"$1.s"
  mv "$1.s" "$1"
}

# median of the numbers on stdin
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2];
  else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

status=0

print_median() { # MEDIAN EMPTY UNIT
  awk -v m="$1" -v e="$2" -v u="$3" -v n="${#targets[@]}" 'BEGIN {
    printf "median over %d machine targets: %.0f %s, %.3f%% of the empty target (%.0f %s)\n",
      n, m, u, (e > 0 ? 100 * m / e : 0), e, u }'
}

# ---- libFuzzer ----
lf_one() { # TARGET BIN SEEDS RUNS -> "execs wall exec/s cpu exec/cpu_s lf_exec/s rss_mb rc"
  local t=$1 bin=$2 seeds=$3 n=$4 d=$work/lf-$1 t0 t1 c0 c1 rc=0 dict=()
  mkdir -p "$d/corpus"
  [[ -f $root/corpus/$t.dict ]] && dict=(-dict="$root/corpus/$t.dict")
  cpu_children "$d/cpu0"
  t0=$(now)
  (cd "$d" && exec "$bin" -seed=1 -runs="$n" -max_len="$(max_len_of "$t")" "${dict[@]}" \
     -print_final_stats=1 -artifact_prefix="$d/" "$d/corpus" ${seeds:+"$seeds"}) \
     >"$d/log" 2>&1 || rc=$?
  t1=$(now)
  cpu_children "$d/cpu1"
  c0=$(<"$d/cpu0") c1=$(<"$d/cpu1")
  awk -v t0="$t0" -v t1="$t1" -v c="$(awk -v a="$c0" -v b="$c1" 'BEGIN { print b - a }')" \
      -v rc="$rc" '
    /^stat::number_of_executed_units:/ { e = $2 }
    /^stat::average_exec_per_sec:/ { s = $2 }
    /^stat::peak_rss_mb:/ { r = $2 }
    END { w = t1 - t0; printf "%d %.2f %.0f %.2f %.0f %d %d %d\n", e, w, (w > 0 ? e / w : 0),
      c, (c > 0 ? e / c : 0), s, r, rc }' "$d/log"
}

if ((do_lf)); then
  printf '\nlibFuzzer (preset libfuzzer, ASan+UBSan), -seed=1, one process each; %s (commit %s)\n' \
    "$lf" "$(build_commit "$lf")"
  printf '%-12s %9s %8s %10s %7s %11s %12s %7s\n' target runs wall_s exec/s cpu_s \
    exec/cpu_s libfuzzer_e/s rss_mb
  : >"$work/lf.eps"
  : >"$work/lf.cps"
  for t in "${targets[@]}" fuzz_empty; do
    if [[ $t == fuzz_empty ]]; then
      read -r e w eps c cps s r rc < <(lf_one "$t" "$lf/bench/fuzz_empty" "" "$empty_runs")
      empty_eps=$eps empty_cps=$cps
    else
      seeds=$lf/corpus/$t
      [[ -d $seeds ]] || die "$seeds: no encoded seeds"
      read -r e w eps c cps s r rc < <(lf_one "$t" "$lf/fuzzers/$t" "$seeds" "$runs")
      echo "$eps" >>"$work/lf.eps"
      echo "$cps" >>"$work/lf.cps"
    fi
    note=
    if ((rc)); then
      note="  exit $rc"
      status=1
      echo "throughput: $t exited $rc; the end of its log:" >&2
      tail -n 5 "$work/lf-$t/log" >&2
      keep_crash "libfuzzer-$t" "$work/lf-$t/log" "$work/lf-$t"/{crash,leak,timeout,oom,slow-unit}-*
    fi
    printf '%-12s %9d %8.2f %10d %7.2f %11d %12d %7d%s\n' "$t" "$e" "$w" "$eps" "$c" "$cps" \
      "$s" "$r" "$note"
  done
  print_median "$(median <"$work/lf.eps")" "$empty_eps" "exec/s"
  print_median "$(median <"$work/lf.cps")" "$empty_cps" "exec/cpu_s"
fi

# ---- AFL++ ----
afl_one() { # TARGET BIN SEEDS -> "execs secs execs_per_sec stability rc"
  local t=$1 bin=$2 seeds=$3 d=$work/afl-$1 rc=0 dict=()
  mkdir -p "$d/in"
  if [[ -n $seeds ]]; then cp "$seeds"/* "$d/in/"; else printf 'x' >"$d/in/x"; fi
  [[ -f $root/corpus/$t.dict ]] && dict=(-x "$root/corpus/$t.dict")
  AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
    AFL_SKIP_CRASHES=1 AFL_NO_WARN_INSTABILITY=1 \
    afl-fuzz -i "$d/in" -o "$d/out" -s 1 -V "$afl_secs" -G "$(max_len_of "$t")" -t 2000 \
    "${dict[@]}" -- "$bin" >"$d/log" 2>&1 || rc=$?
  local st=$d/out/default/fuzzer_stats
  if [[ ! -f $st ]]; then
    echo "0 0 0 - $((rc ? rc : 1))"
    return
  fi
  awk -F' *: *' -v rc="$rc" '
    $1 == "execs_done" { e = $2 } $1 == "run_time" { s = $2 }
    $1 == "execs_per_sec" { p = $2 } $1 == "stability" { st = $2 }
    $1 == "saved_crashes" || $1 == "unique_crashes" { c = $2 }
    END { printf "%d %d %.0f %s %d\n", e, s, p, st, (rc ? rc : (c > 0 ? 100 : 0)) }' "$st"
}

if ((do_afl)); then
  printf '\nAFL++ persistent mode (preset afl, ASan+UBSan), -s 1, %s s each, one instance; %s (commit %s)\n' \
    "$afl_secs" "$afl" "$(build_commit "$afl")"
  printf '%-12s %10s %6s %10s %9s\n' target execs secs exec/s stability
  : >"$work/afl.eps"
  for t in "${targets[@]}" fuzz_empty; do
    if [[ $t == fuzz_empty ]]; then
      read -r e s eps st rc < <(afl_one "$t" "$afl/bench/fuzz_empty" "")
      afl_empty=$eps
    else
      seeds=$afl/corpus/$t
      [[ -d $seeds ]] || die "$seeds: no encoded seeds"
      read -r e s eps st rc < <(afl_one "$t" "$afl/fuzzers/$t" "$seeds")
      echo "$eps" >>"$work/afl.eps"
    fi
    note=
    if ((rc == 100)); then
      note="  crashes saved"
      status=1
      keep_crash "afl-$t" "$work/afl-$t/log" "$work/afl-$t"/out/default/crashes/id:*
    elif ((rc)); then
      note="  afl-fuzz exit $rc"
      status=1
      echo "throughput: afl-fuzz on $t exited $rc; the end of its log:" >&2
      tail -n 5 "$work/afl-$t/log" >&2
      keep_crash "afl-$t" "$work/afl-$t/log" "$work/afl-$t"/out/default/crashes/id:*
    fi
    printf '%-12s %10d %6d %10d %9s%s\n' "$t" "$e" "$s" "$eps" "$st" "$note"
  done
  print_median "$(median <"$work/afl.eps")" "$afl_empty" "exec/s"
fi
exit "$status"
