#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# The main job: builds the libFuzzer targets (preset libfuzzer) and runs a
# campaign over them, keeping corpus and crashes in a work folder, then prints
# a summary.
#
# usage: tools/campaign.sh [options] [TARGET...]
#   -t SECONDS   fuzzing time of each target (default 60)
#   -j JOBS      libFuzzer workers in all (default 1). Up to JOBS targets run at
#                once, one worker each (libFuzzer -fork=1); when fewer targets
#                than JOBS are named, each gets JOBS/targets workers (-fork=N)
#   -w DIR       work folder (default ./fuzz-work). An existing one is resumed:
#                its corpus is the start; no corpus input or crash is removed
#                or overwritten
#   -B DIR       libFuzzer build (default build/libfuzzer of the checkout);
#                configured with the libfuzzer preset when it has no build yet,
#                then the tool, the seeds and the named targets are built
#   --no-build   use the build as it is (a target without a binary fails to
#                start)
#   -p SECONDS   period of the progress lines (default 5)
#   -h, --help   this text
#   TARGET       targets to run (default: every line of fuzzers/targets.txt)
# Environment: SLABFUZZ_BUGS (historical bugs switched back on; passed to the
# targets and written into the reproduce commands).
#
# While it runs: every -p seconds a line per running target (elapsed/total
# seconds, executions, exec/s, coverage, corpus files, crashes so far in this
# run), read from libFuzzer's log as it is written. JOBS at most run at once.
# At the end: a summary, also kept as WORK/summary-STAMP.txt (WORK/summary.txt
# is the latest): the work folder, a row per target, then per crash title
# (slabfuzz triage of WORK/<target>/crashes, earlier runs included) its count,
# smallest input and the command that replays it.
# Layout: WORK/<target>/corpus (the seeds of the build are read, never
# copied), crashes/, log.txt (appended run after run), triage.log, and what
# tools/campaign_report reads (as tools/campaign_scale.sh writes it):
# WORK/campaign.tsv, <target>/stats.tsv (a row a progress line),
# <target>/crashes.tsv; the HTML report WORK/report-STAMP.html.
# Exit status (as CI fuzzing jobs fail a run that crashes): 0 every target
# ran and none crashed in this run; 1 crashes in this run (libFuzzer's count,
# known inputs found again included); 2 a usage error; 3 a target could not
# run (no binary, a configure or build that failed, or a fuzzer that stopped
# before fuzzing: "failed to start" in the summary), before 1 when both
# happen; 130 interrupted (the work folder keeps what was found).
set -euo pipefail

die() { echo "campaign: $*" >&2; exit 2; }
# The header comment, without its "# ".
usage() { sed -n '2,/^set -/{/^set -/d;/SPDX-License/d;s/^# \{0,1\}//;p}' "$0"; }
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=tools/campaign_lib.sh
. "$root/tools/campaign_lib.sh"

secs=60 jobs=1 work=fuzz-work build=$root/build/libfuzzer nobuild=0 period=5
targets=()
need() { (($1 >= 2)) || die "$2 needs a value (see --help)"; }
while (($#)); do
  case $1 in
    -t) need $# "$1"; secs=$2; shift 2 ;;
    -j) need $# "$1"; jobs=$2; shift 2 ;;
    -w) need $# "$1"; work=$2; shift 2 ;;
    -B) need $# "$1"; build=$2; shift 2 ;;
    -p) need $# "$1"; period=$2; shift 2 ;;
    --no-build) nobuild=1; shift ;;
    -h|--help) usage; exit 0 ;;
    --) shift; targets+=("$@"); break ;;
    -*) echo "campaign: unknown option '$1'" >&2; usage >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
sf_check_positive -t "$secs"
sf_check_positive -j "$jobs"
sf_check_positive -p "$period"
sf_check_folder_arg -w "$work"
sf_check_folder_arg -B "$build"
((${#targets[@]})) || mapfile -t targets < <(sf_all_targets "$root")
((${#targets[@]})) || die "fuzzers/targets.txt lists no targets"
sf_check_targets "$root" "${targets[@]}"

here=$PWD
# A path as the user can type it: relative to where they started, if below.
show() { case $1 in "$here"/*) echo "${1#"$here"/}" ;; *) echo "$1" ;; esac; }

# The work folder first: a bad one fails before a long build.
mkdir -p "$work" 2>/dev/null || die "-w $work: cannot create it"
work=$(cd "$work" && pwd)
# One campaign at a time in a work folder (two would share its corpus).
exec 9>>"$work/.campaign.lock"
flock -n 9 || die "-w $work: another campaign is running in it"

# ---- build ----
if ((nobuild)); then
  [[ -d $build ]] || die "-B $build: no build (drop --no-build)"
  build=$(cd "$build" && pwd)
else
  command -v clang >/dev/null && command -v cmake >/dev/null && command -v ninja >/dev/null ||
    bash "$root/ci/setup.sh"
  mkdir -p "$build" 2>/dev/null || die "-B $build: cannot create it"
  build=$(cd "$build" && pwd)
  # One configure and build at a time in the folder (tools/selftest.sh takes
  # the same lock: ctest runs both on one build).
  exec 8>>"$build/.sf-build.lock"
  flock 8
  if [[ ! -f $build/CMakeCache.txt ]]; then
    echo "campaign: configuring $(show "$build") (preset libfuzzer)"
    (cd "$root" && cmake --preset libfuzzer -B "$build" >/dev/null) ||
      { echo "campaign: cannot configure $build (preset libfuzzer)" >&2; exit 3; }
  fi
  grep -q '^SF_FUZZ_ENGINE:STRING=libfuzzer' "$build/CMakeCache.txt" ||
    die "-B $build is not a libFuzzer build (SF_FUZZ_ENGINE is not libfuzzer)"
  echo "campaign: building slabfuzz, the seeds and ${targets[*]} in $(show "$build")"
  blog=$(mktemp /tmp/slabfuzz-campaign-build.XXXXXX)
  if ! cmake --build "$build" --target slabfuzz sf_corpus campaign_report "${targets[@]}" >"$blog" 2>&1; then
    tail -n 30 "$blog" >&2
    echo "campaign: the build failed (log: $blog)" >&2
    exit 3
  fi
  rm -f "$blog"
  exec 8>&-
fi
tool=$build/tools/slabfuzz
[[ -x $tool ]] || die "$tool: not built (drop --no-build or build the libfuzzer preset)"

stamp=$(date +%Y%m%d-%H%M%S)
[[ ! -e $work/summary-$stamp.txt ]] || stamp=$stamp-$$
sf_campaign_meta "$work" "$stamp" libfuzzer "$jobs" "$secs" "${targets[@]}"

# ---- workers: JOBS in all ----
ntargets=${#targets[@]}
if ((jobs >= ntargets)); then slots=$ntargets forks=$((jobs / ntargets))
else slots=$jobs forks=1; fi

declare -A pid start off crash0 status rc prev_t prev_ex ended base
status_of_missing() { status[$1]="failed to start: $2"; rc[$1]=-1; ended[$1]=0; }

start_target() { # TARGET; status "running" or "failed to start: ..."
  local t=$1 d=$work/$1 bin=$build/fuzzers/$1 seeds=$build/corpus/$1 opts dict=()
  mkdir -p "$d/corpus" "$d/crashes"
  if [[ ! -x $bin ]]; then
    status_of_missing "$t" "no binary $(show "$bin")"
    echo "campaign: $t: ${status[$t]}" >&2
    return 1
  fi
  [[ -d $seeds ]] || seeds=
  [[ -f $root/corpus/$t.dict ]] && dict=(-dict="$root/corpus/$t.dict")
  opts=(-fork="$forks" -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1
        -max_total_time="$secs" -max_len="$(sf_max_len "$root" "$t")" -timeout=25
        -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$d/crashes/" "${dict[@]}")
  crash0[$t]=$(count_crashes "$d/crashes")
  echo "== campaign $stamp: $bin ${opts[*]} $d/corpus $seeds" >>"$d/log.txt"
  off[$t]=$(($(stat -c %s "$d/log.txt") + 1))
  start[$t]=$(date +%s) prev_t[$t]=0 prev_ex[$t]=0 base[$t]=$(sf_stats_base "$d")
  # Its own process group (setsid), so that an interrupt stops its workers
  # too. The seeds are a second corpus folder: read, never written.
  # Not the work folder's lock (fd 9): it ends with this script.
  (cd "$d" && exec setsid "$bin" "${opts[@]}" "$d/corpus" ${seeds:+"$seeds"}) >>"$d/log.txt" 2>&1 9>&- &
  pid[$t]=$!
  status[$t]=running
  echo "campaign: $t: started (${secs}s, -fork=$forks$([[ -n $(ls -A "$d/corpus") ]] &&
    echo ", resuming $(ls "$d/corpus" | wc -l) corpus inputs"))"
}

# The state of a target now, in s_ex s_eps s_cov s_corp s_cr s_new (no subshell:
# it keeps the last sample for the rate).
sample() { # TARGET
  local t=$1 d=$work/$1 el
  read -r s_ex s_eps s_cov s_corp < <(sample_libfuzzer "$d/log.txt" "${off[$t]}")
  el=$(($(date +%s) - start[$t]))
  # Fork mode prints exec/s 0: the rate since the last sample instead.
  if [[ $s_eps == 0 ]] && ((el > prev_t[$t])); then
    s_eps=$(((s_ex - prev_ex[$t]) / (el - prev_t[$t])))
    ((s_eps >= 0)) || s_eps=0
  fi
  prev_t[$t]=$el prev_ex[$t]=$s_ex
  s_corp=$(find "$d/corpus" -maxdepth 1 -type f | wc -l)
  # Crashes: libFuzzer's count (a crash found again counts again), at least
  # the new artifact files.
  s_new=$(($(count_crashes "$d/crashes") - crash0[$t]))
  s_cr=$(libfuzzer_crash_count "$d/log.txt" "${off[$t]}")
  s_cr=${s_cr:-0}
  ((s_cr >= s_new)) || s_cr=$s_new
}

# A progress line, and its sample in WORK/<target>/stats.tsv.
progress() { # TARGET [NOTE]
  local t=$1
  sample "$t"
  printf '%d\t%s\t%s\t%s\t%s\t%s\n' $((base[$t] + prev_t[$t])) "$s_ex" "$s_eps" "$s_cov" "$s_corp" "$s_cr" \
    >>"$work/$t/stats.tsv"
  printf '%-18s %4ds/%ds  execs %-9s exec/s %-6s cov %-6s corpus %-6s crashes %s%s\n' \
    "$t" "$(($(date +%s) - start[$t]))" "$secs" "$s_ex" "$s_eps" "$s_cov" "$s_corp" "$s_cr" "${2:+  ($2)}"
}

finish_target() { # TARGET
  local t=$1 d=$work/$1 r=0
  wait "${pid[$t]}" || r=$?
  rc[$t]=$r ended[$t]=$(($(date +%s) - start[$t]))
  if ! libfuzzer_started "$d/log.txt" "${off[$t]}"; then
    status[$t]="failed to start: exit $r: $(libfuzzer_start_error "$d/log.txt" "${off[$t]}")"
    progress "$t" "${status[$t]}"
  elif ((r != 0 && r != 77)) && (($(count_crashes "$d/crashes") == crash0[$t])); then
    # Fork mode exits 77 after ignored crashes; anything else is a stop.
    status[$t]="stopped: exit $r (see $(show "$d/log.txt"))"
    progress "$t" "${status[$t]}"
  else
    status[$t]=ran
    progress "$t" "done"
  fi
}

stop_all() {
  local t
  for t in "${!pid[@]}"; do
    [[ ${status[$t]} == running ]] && kill -TERM -- "-${pid[$t]}" 2>/dev/null
  done
  echo "campaign: interrupted; the work folder $(show "$work") keeps what was found" >&2
  exit 130
}
trap stop_all INT TERM

echo "campaign: work folder $(show "$work"), ${secs}s a target, $slots at a time, $forks worker(s) each"
queue=("${targets[@]}") running=()
next=$(($(date +%s) + period))
while ((${#queue[@]} || ${#running[@]})); do
  while ((${#queue[@]})) && ((${#running[@]} < slots)); do
    t=${queue[0]} queue=("${queue[@]:1}")
    if start_target "$t"; then running+=("$t"); fi
  done
  ((${#running[@]})) || continue
  sleep 1
  now=$(date +%s) still=()
  for t in "${running[@]}"; do
    if kill -0 "${pid[$t]}" 2>/dev/null; then
      # libFuzzer ends itself at -max_total_time; this is the backstop.
      if ((now - start[$t] > secs + 120)); then kill -TERM -- "-${pid[$t]}" 2>/dev/null || true; fi
      still+=("$t")
    else
      finish_target "$t"
    fi
  done
  running=("${still[@]}")
  if ((now >= next)); then
    next=$((now + period))
    for t in "${running[@]}"; do progress "$t"; done
  fi
done
trap - INT TERM

# ---- summary ----
bugs_env=${SLABFUZZ_BUGS:+SLABFUZZ_BUGS=$SLABFUZZ_BUGS }
summary=$work/summary-$stamp.txt
failed=0 crashed=0
{
  echo "campaign $stamp: work folder $(show "$work")${SLABFUZZ_BUGS:+, SLABFUZZ_BUGS=$SLABFUZZ_BUGS}"
  printf '%-18s %10s %8s %7s %7s %8s %5s  %s\n' target execs exec/s cov corpus crashes new status
  for t in "${targets[@]}"; do
    d=$work/$t
    if [[ ${status[$t]} == "failed to start"* ]]; then
      failed=1
      printf '%-18s %s\n' "$t" "${status[$t]}"
      continue
    fi
    [[ ${status[$t]} == ran ]] || failed=1
    sample "$t"
    ((s_cr == 0)) || crashed=1
    printf '%-18s %10s %8s %7s %7s %8s %5s  %s\n' "$t" "$s_ex" "$((s_ex / (ended[$t] > 0 ? ended[$t] : 1)))" \
      "$s_cov" "$s_corp" "$s_cr" "$s_new" "${status[$t]} (${ended[$t]}s)"
  done
  echo
  n=0
  for t in "${targets[@]}"; do
    d=$work/$t
    total=$(count_crashes "$d/crashes")
    ((total)) || continue
    rows=$work/.triage-$t
    trc=0
    sf_triage_rows "$tool" "$t" "$d/crashes" "$d/triage.log" "$rows" || trc=$?
    if ((trc)); then
      newest=$(ls -t "$d/crashes" | head -n 1 || true)
      if ((trc == 1)); then why="slabfuzz triage failed (see $(show "$d/triage.log"))"
      else why="none crashes again under slabfuzz triage (flaky, or the build differs)"; fi
      printf '%s: %d crash input(s); %s\n    newest: %s\n    reproduce with the fuzzer: %s%s %s\n' \
        "$t" "$total" "$why" "$(show "$d/crashes/$newest")" "$bugs_env" "$(show "$build/fuzzers/$t")" \
        "$(show "$d/crashes/$newest")"
      n=$((n + 1))
    fi
    : >"$d/crashes.tsv.tmp"
    touch "$d/titles.txt"
    while IFS=$'\t' read -r count title path size; do
      n=$((n + 1))
      repro="$bugs_env$(show "$tool") replay --target $t $(show "$path")"
      printf '%s: %s (%s input%s)\n    smallest: %s (%s bytes)\n    reproduce: %s\n' \
        "$t" "$title" "$count" "$( ((count == 1)) || echo s)" "$(show "$path")" "$size" "$repro"
      # For tools/campaign_report: title count smallest size new reproduce.
      new=0
      grep -qxF -- "$title" "$d/titles.txt" || { new=1; echo "$title" >>"$d/titles.txt"; }
      printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$title" "$count" "$path" "$size" "$new" \
        "$bugs_env$tool replay --target $t $path" >>"$d/crashes.tsv.tmp"
    done <"$rows"
    mv "$d/crashes.tsv.tmp" "$d/crashes.tsv"
    # Inputs the tool would not load (an empty crash input, say): the fuzzer
    # binary replays any input.
    while IFS=$'\t' read -r path why; do
      n=$((n + 1))
      printf '%s: an input slabfuzz triage did not load (%s)\n    input: %s\n    reproduce with the fuzzer: %s%s %s\n' \
        "$t" "$why" "$(show "$path")" "$bugs_env" "$(show "$build/fuzzers/$t")" "$(show "$path")"
    done <"$rows.bad"
    rm -f "$rows" "$rows.bad"
  done
  if ((n)); then
    echo "(crash titles of WORK/<target>/crashes, earlier runs included; print, minimise, emit-c take the same FILE)"
  else
    echo "no crashes"
  fi
} >"$summary"
# The summary of an older runner was a file: kept under another name.
[[ -f $work/summary.txt && ! -L $work/summary.txt ]] && mv -n "$work/summary.txt" "$work/summary-before-$stamp.txt"
ln -sfn "$(basename "$summary")" "$work/summary.txt"
echo
cat "$summary"
echo "campaign: work folder $(show "$work") (summary: $(show "$summary"))"
rep=$build/ci/campaign_report
if [[ -x $rep ]]; then
  if "$rep" -o "$work/report-$stamp.html" "$work" >/dev/null 2>"$work/report-$stamp.log"; then
    rm -f "$work/report-$stamp.log"
    echo "campaign: report $(show "$work/report-$stamp.html")"
  else
    echo "campaign: no HTML report: campaign_report failed (see $(show "$work/report-$stamp.log"))" >&2
  fi
else
  echo "campaign: no HTML report: $(show "$rep") is not built" >&2
fi
((failed)) && exit 3
((crashed)) && exit 1
exit 0
