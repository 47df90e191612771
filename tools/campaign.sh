#!/usr/bin/env bash
# The main job: build the libFuzzer targets and run a campaign over every
# target, keeping corpus and crashes in a work folder, then print a summary.
#   tools/campaign.sh [-t SECONDS_PER_TARGET] [-w WORKDIR] [-j JOBS] [TARGET...]
# Defaults: 60 s a target, work folder ./fuzz-work, every target.
# Set SLABFUZZ_BUGS=... to run with historical bugs switched back on.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=60 work=fuzz-work
while getopts "t:w:" o; do
  case $o in
    t) secs=$OPTARG ;;
    w) work=$OPTARG ;;
    *) echo "usage: $0 [-t SECONDS] [-w WORKDIR] [TARGET...]" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
targets=${*:-"fuzz_boot fuzz_gfp fuzz_pages fuzz_sparse fuzz_slab fuzz_program_text"}

command -v clang >/dev/null && command -v cmake >/dev/null && command -v ninja >/dev/null ||
  bash ci/setup.sh
cmake --preset libfuzzer >/dev/null
cmake --build --preset libfuzzer >/dev/null
build=build/libfuzzer
tool=$build/tools/slabfuzz
mkdir -p "$work"
summary=$work/summary.txt
: >"$summary"
printf '%-18s %9s %6s %6s  %s\n' target exec/s cov crashes "titles (count) / reproduce" | tee -a "$summary"
for t in $targets; do
  d=$work/$t
  mkdir -p "$d/corpus" "$d/crashes"
  cp -n "$build/corpus/$t"/* "$d/corpus/" 2>/dev/null || true
  max_len=$(sed -n 's/^max_len *= *//p' "corpus/$t.options" 2>/dev/null || echo 1024)
  dict=()
  [ -f "corpus/$t.dict" ] && dict=(-dict="corpus/$t.dict")
  # Crashes keep going (-fork): every distinct crash is kept, nothing overwritten.
  "$build/fuzzers/$t" -fork=1 -ignore_crashes=1 -max_total_time="$secs" -max_len="$max_len" \
    "${dict[@]}" -artifact_prefix="$d/crashes/" "$d/corpus" >"$d/log.txt" 2>&1 || true
  execs=$( (grep -oE 'exec/s:? [0-9]+' "$d/log.txt" || true) | tail -1 | awk '{print $2}')
  cov=$( (grep -oE 'cov: [0-9]+' "$d/log.txt" || true) | tail -1 | awk '{print $2}')
  n=$(find "$d/crashes" -type f | wc -l)
  printf '%-18s %9s %6s %6s\n' "$t" "${execs:-?}" "${cov:-?}" "$n" | tee -a "$summary"
  if [ "$n" -gt 0 ]; then
    "$tool" triage --target "$t" "$d/crashes" | sed 's/^/    /' | tee -a "$summary"
    echo "    reproduce: $tool replay --target $t <file>   (print, minimise, emit-c alike)" |
      tee -a "$summary"
  fi
done
echo "work folder: $work (corpus/, crashes/, log.txt per target; summary.txt)"
