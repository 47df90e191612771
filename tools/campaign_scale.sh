#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Scaled campaigns: the main job (tools/campaign.sh) over several cores or
# machines. Same work-folder layout as tools/campaign.sh (WORK/<target>/corpus,
# crashes, log.txt), so either runner resumes the other's folder.
#
# usage: tools/campaign_scale.sh [options] [TARGET...]
#   -e, --engine E      libfuzzer (default): one libFuzzer in fork mode, -fork=JOBS
#                       afl: AFL++ main + secondaries sharing a sync folder:
#                         main (plain), 1 cmplog (-c), 1 ASan+UBSan, the rest plain
#   -j, --jobs N        fork jobs / AFL++ instances per target (default: nproc)
#   -t, --seconds N     seconds per target (default 60)
#   -w, --work DIR      work folder (default fuzz-work); an existing one is
#                       resumed: its corpus (and AFL++ state) is the start
#   --sync DIR          AFL++ sync folder (default WORK/<target>/afl; a folder
#                       several machines mount; per target DIR/<target>)
#   --join              AFL++ on another machine of a shared --sync: run
#                       secondaries only (named after this host)
#   --merge             afterwards merge and minimise the corpus (libFuzzer
#                       -merge=1 via tools/corpus_merge.sh, or afl-cmin) and
#                       add what is new to corpus/campaign/<target>/ as text
#                       programs (new files only; never to the seeds)
#   -B, --build DIR     build root (default build): DIR/libfuzzer, DIR/afl,
#                       DIR/afl-plain, DIR/afl-cmplog
#   --no-build          use the builds as they are
#   --no-report         no HTML report (tools/campaign_report)
#   -q, --quiet         no progress lines
# Environment: SLABFUZZ_BUGS (historical bugs switched on, passed to the
# targets and to the reproduction commands).
#
# While it runs: a progress line every 10 s per target (elapsed, execs,
# exec/s, coverage, corpus, crashes), also kept in WORK/<target>/stats.tsv.
# New crashes are triaged by report title (slabfuzz triage); each title's
# smallest input is minimised (slabfuzz minimise) into WORK/<target>/repro/.
# At the end: a summary table (WORK/summary-<stamp>.txt) naming each title,
# its smallest input and the command that reproduces it, and a static HTML
# report WORK/report-<stamp>.html. Nothing existing is overwritten.
# Exit status: 0 every target ran and none crashed in this run; 1 crashes in
# this run; 2 a usage error; 3 a target could not run (no binary, or a
# libFuzzer that stopped before fuzzing: "failed to start" in the summary);
# 130 interrupted.
set -euo pipefail

die() { echo "campaign: $*" >&2; exit 2; }
usage() { sed -n '2,/^set -/{/^set -/d;/SPDX-License/d;s/^# \{0,1\}//;p}' "$0"; }
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=tools/campaign_lib.sh
. "$root/tools/campaign_lib.sh"

engine=libfuzzer jobs=$(nproc 2>/dev/null || echo 2) secs=60 work=fuzz-work
sync= join=0 merge=0 buildroot=$root/build nobuild=0 report=1 quiet=0
targets=()
need() { (($1 >= 2)) || die "$2 needs a value (see --help)"; }
while (($#)); do
  case $1 in
    -e|--engine) need $# "$1"; engine=$2; shift 2 ;;
    -j|--jobs) need $# "$1"; jobs=$2; shift 2 ;;
    -t|--seconds) need $# "$1"; secs=$2; shift 2 ;;
    -w|--work) need $# "$1"; work=$2; shift 2 ;;
    --sync) need $# "$1"; sync=$2; shift 2 ;;
    --join) join=1; shift ;;
    --merge) merge=1; shift ;;
    -B|--build) need $# "$1"; buildroot=$2; shift 2 ;;
    --no-build) nobuild=1; shift ;;
    --no-report) report=0; shift ;;
    -q|--quiet) quiet=1; shift ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "campaign: unknown option '$1'" >&2; usage >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
[[ $engine == libfuzzer || $engine == afl ]] || die "unknown engine '$engine' (libfuzzer or afl)"
sf_check_positive --jobs "$jobs"
sf_check_positive --seconds "$secs"
sf_check_folder_arg --work "$work"
sf_check_folder_arg --build "$buildroot"
[[ -z $sync ]] || sf_check_folder_arg --sync "$sync"
((join == 0)) || [[ $engine == afl && -n $sync ]] || die "--join needs --engine afl and a shared --sync folder"

((${#targets[@]})) || mapfile -t targets < <(sf_all_targets "$root")
sf_check_targets "$root" "${targets[@]}"
mkdir -p "$work" 2>/dev/null || die "--work $work: cannot create it"
work=$(cd "$work" && pwd)
mkdir -p "$buildroot" 2>/dev/null || die "--build $buildroot: cannot create it"
buildroot=$(cd "$buildroot" && pwd)
[[ -z $sync ]] || { mkdir -p "$sync" && sync=$(cd "$sync" && pwd); }
stamp=$(date +%Y%m%d-%H%M%S)
log() { ((quiet)) || echo "campaign: $*"; }

# ---- builds ----
preset_build() { # DIR PRESET [cmake -D...]: configure once, build
  local dir=$1 preset=$2; shift 2
  if ((nobuild)); then
    [[ -d $dir ]] || die "$dir: no build (drop --no-build)"
    return
  fi
  if [[ ! -f $dir/CMakeCache.txt ]]; then
    (cd "$root" && cmake --preset "$preset" -B "$dir" "$@" >/dev/null)
  fi
  cmake --build "$dir" >/dev/null
}
command -v cmake >/dev/null && command -v ninja >/dev/null && command -v clang >/dev/null ||
  bash "$root/ci/setup.sh"
tool_build=$buildroot/libfuzzer
if [[ $engine == libfuzzer ]]; then
  log "building $buildroot/libfuzzer (preset libfuzzer)"
  preset_build "$buildroot/libfuzzer" libfuzzer
else
  command -v afl-fuzz >/dev/null || die "afl-fuzz not found (ci/setup.sh installs afl++)"
  log "building AFL++ binaries: $buildroot/afl (ASan+UBSan), afl-plain, afl-cmplog"
  export AFL_QUIET=1
  preset_build "$buildroot/afl" afl
  preset_build "$buildroot/afl-plain" afl -DSF_SANITIZE=
  AFL_LLVM_CMPLOG=1 preset_build "$buildroot/afl-cmplog" afl -DSF_SANITIZE=
  tool_build=$buildroot/afl-plain
  # libFuzzer's merge is not used for AFL++; the tool comes from the plain build.
fi
tool=$tool_build/tools/slabfuzz
[[ -x $tool ]] || die "$tool: not built"
# The tool of a sanitizer build: no leak report turns a good run into a failure.
sftool() { "$tool" "$@"; }

sf_campaign_meta "$work" "$stamp" "$engine" "$jobs" "$secs" "${targets[@]}"

# ---- progress ----
# stats.tsv: elapsed_s execs exec_per_s coverage corpus crashes (one row a sample)
sample_afl() { # SYNC -> "execs exec/s cov% corpus" summed over the instances
  local f execs=0 eps=0 cov=0 corp=0 v
  for f in "$1"/*/fuzzer_stats; do
    [[ -f $f ]] || continue
    v=$(awk -F' *: *' '$1 == "execs_done" { e = $2 } $1 == "execs_per_sec" { s = $2 }
      $1 == "bitmap_cvg" { c = $2; sub("%", "", c) } $1 == "corpus_count" { n = $2 }
      END { printf "%d %.0f %s %d\n", e, s, c, n }' "$f")
    read -r e s c n <<<"$v"
    execs=$((execs + e)); eps=$((eps + s)); corp=$((corp > n ? corp : n))
    cov=$(awk -v a="$cov" -v b="$c" 'BEGIN { print (b + 0 > a + 0) ? b : a }')
  done
  echo "$execs $eps $cov $corp"
}
# ---- one target ----
# startfail[T]: why T could not run; ncrash[T]: crashes of T in this run.
declare -A startfail ncrash
for t in "${targets[@]}"; do
  if [[ $engine == libfuzzer ]]; then bins=("$buildroot/libfuzzer/fuzzers/$t")
  else bins=("$buildroot/afl-plain/fuzzers/$t" "$buildroot/afl/fuzzers/$t" "$buildroot/afl-cmplog/fuzzers/$t"); fi
  for b in "${bins[@]}"; do
    [[ -x $b ]] || { startfail[$t]="no binary $b"; echo "campaign: $t: failed to start: no binary $b" >&2; break; }
  done
done

run_target() {
  local t=$1 d=$work/$1 start elapsed s pids=() opts=() dict=() max_len seeds off crash0
  [[ -z ${startfail[$t]:-} ]] || return 0
  mkdir -p "$d/corpus" "$d/crashes" "$d/repro"
  crash0=$(count_crashes "$d/crashes")
  seeds=$tool_build/corpus/$t
  [[ -d $seeds ]] || seeds=
  max_len=$(sf_max_len "$root" "$t")
  [[ -f $root/corpus/$t.dict ]] && dict=("$root/corpus/$t.dict")
  local resumed=0
  [[ -n $(ls -A "$d/corpus") ]] && resumed=1
  local base
  base=$(sf_stats_base "$d")
  start=$(date +%s)

  if [[ $engine == libfuzzer ]]; then
    local bin=$buildroot/libfuzzer/fuzzers/$t
    opts=(-fork="$jobs" -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1
          -max_total_time="$secs" -max_len="$max_len" -timeout=25 -rss_limit_mb=2048
          -artifact_prefix="$d/crashes/" -print_final_stats=1)
    ((${#dict[@]})) && opts+=(-dict="${dict[0]}")
    log "$t: libFuzzer -fork=$jobs for ${secs}s$( ((resumed)) && echo ", resuming $(ls "$d/corpus" | wc -l) corpus inputs")"
    off=$(($(stat -c %s "$d/log.txt" 2>/dev/null || echo 0) + 1))
    # Seeds go in as a second corpus folder: read, never written.
    (cd "$d" && exec "$bin" "${opts[@]}" "$d/corpus" ${seeds:+"$seeds"}) >>"$d/log.txt" 2>&1 &
    pids=($!)
  else
    local s_root=${sync:+$sync/$t}
    [[ -n $s_root ]] || s_root=$d/afl
    mkdir -p "$s_root"
    local plain=$buildroot/afl-plain/fuzzers/$t asan=$buildroot/afl/fuzzers/$t
    local cmplog=$buildroot/afl-cmplog/fuzzers/$t
    local in=$d/afl-in
    mkdir -p "$in"
    # Inputs: the work corpus and the seeds (a fresh run), or resume (AFL_AUTORESUME).
    cp -n "$d/corpus"/* "$in/" 2>/dev/null || true
    [[ -n $seeds ]] && cp -n "$seeds"/* "$in/" 2>/dev/null || true
    [[ -n $(ls -A "$in") ]] || printf '\0' >"$in/empty"
    local host i name role args
    host=$(hostname | tr -c 'A-Za-z0-9_\n-' '_')
    for ((i = 0; i < jobs; i++)); do
      args=(-i "$in" -o "$s_root" -V "$secs" -G "$max_len" -t 2000)
      ((${#dict[@]})) && args+=(-x "${dict[0]}")
      if ((join)); then
        name=$host-s$i role=plain
        args+=(-S "$name")
        ((i == 0)) && role=cmplog
        ((i == 1)) && role=asan
      elif ((i == 0)); then
        name=main role=main; args+=(-M main)
      else
        name=s$i role=plain; args+=(-S "$name")
        ((i == 1)) && role=cmplog
        ((i == 2)) && role=asan
      fi
      case $role in
        cmplog) args+=(-c "$cmplog" -- "$plain") ;;
        asan) args+=(-- "$asan") ;;
        *) args+=(-- "$plain") ;;
      esac
      AFL_AUTORESUME=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 \
        AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_IMPORT_FIRST=1 \
        afl-fuzz "${args[@]}" >>"$d/afl-$name.log" 2>&1 &
      pids+=($!)
    done
    log "$t: AFL++ $jobs instance(s) for ${secs}s, sync folder $s_root$( ((join)) && echo " (joining)")"
  fi

  # Progress every 10 s while any instance runs (and once at the end).
  local alive sample crashes line next=$((start + 10)) prev_t=0 prev_ex=0
  while :; do
    alive=0
    for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    now=$(date +%s)
    if ((now >= next || alive == 0)); then
      next=$((now + 10))
      elapsed=$((now - start))
      if [[ $engine == libfuzzer ]]; then
        sample=$(sample_libfuzzer "$d/log.txt" "$off")
        crashes=$(count_crashes "$d/crashes")
      else
        sample=$(sample_afl "${s_root}")
        crashes=$(count_crashes "$d/crashes" "$s_root"/*/crashes)
      fi
      read -r ex eps cov corp <<<"$sample"
      # libFuzzer's fork mode often prints exec/s 0: use the rate since the last sample.
      if [[ $eps == 0 ]] && ((elapsed > prev_t)); then
        eps=$(( (ex - prev_ex) / (elapsed - prev_t) ))
        ((eps >= 0)) || eps=0
      fi
      prev_t=$elapsed prev_ex=$ex
      printf '%d\t%s\t%s\t%s\t%s\t%s\n' $((base + elapsed)) "$ex" "$eps" "$cov" "$corp" "$crashes" >>"$d/stats.tsv"
      line=$(printf '%-18s %4ds/%-4d execs %-9s exec/s %-6s cov %-6s corpus %-5s crashes %s' \
        "$t" "$elapsed" "$secs" "$ex" "$eps" "$cov$([[ $engine == afl ]] && echo %)" "$corp" "$crashes")
      ((quiet)) || echo "$line"
    fi
    ((alive)) || break
    sleep 1
  done
  local rc=0
  for p in "${pids[@]}"; do wait "$p" || rc=$?; done
  if [[ $engine == libfuzzer ]] && ! libfuzzer_started "$d/log.txt" "$off"; then
    startfail[$t]="exit $rc: $(libfuzzer_start_error "$d/log.txt" "$off")"
    echo "campaign: $t: failed to start: ${startfail[$t]}" >&2
  fi

  if [[ $engine == afl ]]; then
    # Queues into the shared corpus layout; crashes into crashes/ under
    # content-named files (never overwriting).
    local q f h
    for q in "$s_root"/*/queue; do
      for f in "$q"/id:*; do
        [[ -f $f ]] || continue
        h=$(sha1sum <"$f" | cut -c1-40)
        cp -n "$f" "$d/corpus/$h"
      done
    done
    for q in "$s_root"/*/crashes; do
      for f in "$q"/id:*; do
        [[ -f $f ]] || continue
        h=$(sha1sum <"$f" | cut -c1-40)
        cp -n "$f" "$d/crashes/afl-$h"
      done
    done
  fi
  ncrash[$t]=$(($(count_crashes "$d/crashes") - crash0))
  if [[ $engine == libfuzzer ]]; then
    local n
    n=$(libfuzzer_crash_count "$d/log.txt" "$off")
    ((${n:-0} <= ncrash[$t])) || ncrash[$t]=$n
  fi
}

# ---- triage ----
slug() { tr -c 'A-Za-z0-9\n' '_' <<<"$1" | cut -c1-60; }
triage_target() { # -> WORK/<t>/crashes.tsv (title count smallest size new reproduce)
  local t=$1 d=$work/$1 rows tsv known count title path size new repro min
  [[ -z ${startfail[$t]:-} ]] || return 0
  tsv=$d/crashes.tsv
  known=$d/titles.txt
  touch "$known"
  : >"$tsv.tmp"
  if [[ -n $(ls -A "$d/crashes") ]]; then
    rows=$d/.triage-rows
    if ! sf_triage_rows "$tool" "$t" "$d/crashes" "$d/triage.log" "$rows"; then
      # No title to group by: the summary says so and names the newest input.
      path=$d/crashes/$(ls -t "$d/crashes" | head -n 1 || true)
      printf '%s\t%s\t%s\t%s\t%s\t%s\n' "no title: slabfuzz triage failed or no input crashed again (see $d/triage.log)" \
        "$(count_crashes "$d/crashes")" "$path" "$(stat -c %s "$path")" 1 \
        "${SLABFUZZ_BUGS:+SLABFUZZ_BUGS=$SLABFUZZ_BUGS }$tool replay --target $t $path" >>"$tsv.tmp"
    fi
    while IFS=$'\t' read -r count title path size; do
      [[ -n $count ]] || continue
      new=0
      grep -qxF "$title" "$known" || { new=1; echo "$title" >>"$known"; }
      repro=$path
      if ((new)); then
        min=$d/repro/$(slug "$title")-$stamp.txt
        if timeout 120 "$tool" minimise --target "$t" "$path" -o "$min" >>"$d/triage.log" 2>&1; then
          repro=$min
        fi
      else
        for min in "$d/repro/$(slug "$title")"-*.txt; do [[ -f $min ]] && repro=$min; done
      fi
      printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$title" "$count" "$path" "$size" "$new" \
        "${SLABFUZZ_BUGS:+SLABFUZZ_BUGS=$SLABFUZZ_BUGS }$tool replay --target $t $repro" >>"$tsv.tmp"
    done <"$rows"
    rm -f "$rows" "$rows.bad"
  fi
  mv "$tsv.tmp" "$tsv"
}

# ---- merge into corpus/campaign/ (never into the seeds) ----
merge_target() {
  local t=$1 d=$work/$1 tmp f h added=0 dest=$root/corpus/campaign/$1
  [[ $t == fuzz_program_text ]] && return 0
  if [[ $engine == libfuzzer ]]; then
    "$root/tools/corpus_merge.sh" -B "$buildroot/libfuzzer" "$t" "$d/corpus" | while read -r l; do log "$l"; done
    return
  fi
  tmp=$(mktemp -d "$d/merge.XXXXXX")
  mkdir -p "$tmp/min" "$tmp/all" "$dest"
  cp "$d/corpus"/* "$tmp/all/" 2>/dev/null || true
  AFL_ALLOW_TMP=1 AFL_QUIET=1 afl-cmin -i "$tmp/all" -o "$tmp/min" -- "$buildroot/afl-plain/fuzzers/$t" >"$tmp/merge.log" 2>&1 ||
    { echo "campaign: $t: afl-cmin failed (see $tmp/merge.log)" >&2; return 1; }
  for f in "$tmp/min"/*; do
    [[ -f $f ]] || continue
    h=$(sha1sum <"$f" | cut -c1-12)
    [[ -e $dest/$h.txt ]] && continue
    sftool decode --target "$t" "$f" -o "$dest/$h.txt" >/dev/null 2>>"$tmp/merge.log" ||
      { rm -f "$dest/$h.txt"; continue; }
    added=$((added + 1))
  done
  log "$t: merged: $(ls "$tmp/min" | wc -l) inputs after minimisation, $added new text programs in corpus/campaign/$t/"
  rm -rf "$tmp"
}

trap 'echo "campaign: interrupted; the work folder $work keeps what was found" >&2; kill $(jobs -p) 2>/dev/null; exit 130' INT TERM
for t in "${targets[@]}"; do run_target "$t"; done
for t in "${targets[@]}"; do triage_target "$t"; done
if ((merge)); then for t in "${targets[@]}"; do [[ -n ${startfail[$t]:-} ]] || merge_target "$t"; done; fi

# ---- summary ----
summary=$work/summary-$stamp.txt
{
  printf '%-18s %10s %8s %8s %7s %7s\n' target execs exec/s coverage corpus crashes
  for t in "${targets[@]}"; do
    if [[ -n ${startfail[$t]:-} ]]; then printf '%-18s failed to start: %s\n' "$t" "${startfail[$t]}"; continue; fi
    last=$(tail -n 1 "$work/$t/stats.tsv")
    IFS=$'\t' read -r _ ex eps cov corp cr <<<"$last"
    printf '%-18s %10s %8s %8s %7s %7s\n' "$t" "$ex" "$eps" "$cov$([[ $engine == afl ]] && echo %)" "$corp" "$cr"
  done
  echo
  n=0
  for t in "${targets[@]}"; do
    while IFS=$'\t' read -r title count path size new repro; do
      [[ -n $title ]] || continue
      n=$((n + 1))
      printf '%s %s: %s (%s crash%s)\n    smallest: %s (%s bytes)\n    reproduce: %s\n' \
        "$( ((new)) && echo NEW || echo known)" "$t" "$title" "$count" "$( ((count == 1)) || echo es)" \
        "$path" "$size" "$repro"
    done < <(cat "$work/$t/crashes.tsv" 2>/dev/null)
  done
  ((n)) || echo "no crashes"
} >"$summary"
cat "$summary"
if ((report)); then
  rep=$buildroot/release/tools/campaign_report
  for c in "$buildroot"/*/ci/campaign_report "$buildroot"/*/tools/campaign_report; do
    [[ -x $c ]] && rep=$c && break
  done
  if [[ -x $rep ]]; then
    "$rep" -o "$work/report-$stamp.html" "$work" && log "report: $work/report-$stamp.html"
  else
    echo "campaign: no campaign_report binary under $buildroot (build any preset); no HTML report" >&2
  fi
fi
log "work folder: $work (summary: $summary)"
for t in "${targets[@]}"; do [[ -z ${startfail[$t]:-} ]] || exit 3; done
for t in "${targets[@]}"; do ((${ncrash[$t]:-0} == 0)) || exit 1; done
exit 0
