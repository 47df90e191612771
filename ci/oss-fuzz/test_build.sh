#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Runs ci/oss-fuzz/build.sh here with the environment OSS-Fuzz's builder gives
# it, then runs every produced binary briefly on its seed corpus.
#
# usage: ci/oss-fuzz/test_build.sh [--keep DIR] [--seconds N] [ENGINE+SANITIZER...]
#   --keep DIR    keep the output in DIR (must not exist; default a temporary
#                 folder, removed at the end)
#   --seconds N   fuzzing seconds per binary after its seeds (default 4)
#   -h, --help    this text
#
# Combinations (default: all): libfuzzer+address libfuzzer+undefined
# libfuzzer+memory afl+address. The AFL++ combination links Debian afl++'s
# libAFLDriver.a (dpkg -L afl++) and runs each binary under afl-fuzz for a few
# seconds. Each binary must run every seed cleanly; then it fuzzes for a few
# seconds, and a crash found then is reported and kept (SLABFUZZ_FINDINGS,
# default /tmp/slabfuzz-ossfuzz-findings) but does not fail the test, which is
# about the build. Output goes to a fresh temporary folder (removed unless --keep).
set -euo pipefail

die() { echo "oss-fuzz test: $*" >&2; exit 2; }
usage() { sed -n '2,/^set -/{/^set -/d;/SPDX-License/d;s/^# \{0,1\}//;p}' "$0"; }
root=$(cd "$(dirname "$0")/../.." && pwd)
keep=
seconds=4
combos=()
while (($#)); do
  case $1 in
    --keep) (($# >= 2)) || die "--keep needs a folder"; keep=$2; shift 2 ;;
    --seconds) (($# >= 2)) && [[ $2 =~ ^[0-9]+$ ]] || die "--seconds needs a whole number"
               seconds=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "oss-fuzz test: unknown option '$1'" >&2; usage >&2; exit 2 ;;
    libfuzzer+address|libfuzzer+undefined|libfuzzer+memory|afl+address) combos+=("$1"); shift ;;
    *) die "unknown argument '$1' (combinations: libfuzzer+address libfuzzer+undefined libfuzzer+memory afl+address)" ;;
  esac
done
((${#combos[@]})) || combos=(libfuzzer+address libfuzzer+undefined libfuzzer+memory afl+address)

if [ -n "$keep" ]; then
  [ -e "$keep" ] && die "$keep exists: refusing to reuse it (choose a new folder)"
  mkdir -p "$keep"; top=$(cd "$keep" && pwd)
else
  top=$(mktemp -d /tmp/slabfuzz-ossfuzz.XXXXXX)
  trap 'rm -rf "$top"' EXIT
fi

# The flags OSS-Fuzz's compile step sets (base-builder: common, per sanitizer,
# per engine).
common="-O1 -fno-omit-frame-pointer -gline-tables-only -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION"
san_address="-fsanitize=address -fsanitize-address-use-after-scope"
ubsan_checks=array-bounds,bool,builtin,enum,float-divide-by-zero,function,integer-divide-by-zero,null,object-size,return,returns-nonnull-attribute,shift,signed-integer-overflow,unreachable,vla-bound
san_undefined="-fsanitize=$ubsan_checks -fno-sanitize-recover=$ubsan_checks"
san_memory="-fsanitize=memory -fsanitize-memory-track-origins"

afl_driver=$(dpkg -L afl++ 2>/dev/null | grep -m1 '/libAFLDriver\.a$' || true)

# A crash found while fuzzing (not on the seeds) is reported, and the input is
# kept in $findings (new files only), without failing the build test.
findings=${SLABFUZZ_FINDINGS:-/tmp/slabfuzz-ossfuzz-findings}
nfindings=0
keep_finding() { # COMBO TARGET LOG FILE...
  local combo=$1 t=$2 log=$3 f dest; shift 3
  mkdir -p "$findings"
  for f in "$@"; do
    [ -f "$f" ] || continue
    dest=$findings/$t-${combo/+/-}-$(sha1sum <"$f" | cut -c1-16)
    cp -n "$f" "$dest"
    nfindings=$((nfindings + 1))
    echo "oss-fuzz test: FINDING ($combo, $t): $(grep -m1 -aE '^slabfuzz: |SUMMARY: ' "$log" || echo 'a crash'); input kept: $dest" >&2
  done
}

status=0
summary=()
for combo in "${combos[@]}"; do
  engine=${combo%+*} san=${combo#*+}
  flags_var=san_$san
  out=$top/out-$engine-$san
  work=$top/work-$engine-$san
  mkdir -p "$out" "$work" "$top/src"
  (
    export SRC=$top/src OUT=$out WORK=$work SANITIZER=$san FUZZING_ENGINE=$engine
    export ARCHITECTURE=x86_64 SLABFUZZ_SRC=$root SLABFUZZ_WERROR=1
    export CFLAGS="$common ${!flags_var}"
    if [ "$engine" = libfuzzer ]; then
      export CC=clang CXX=clang++
      export CFLAGS="$CFLAGS -fsanitize=fuzzer-no-link"
      export LIB_FUZZING_ENGINE=-fsanitize=fuzzer
    else
      [ -n "$afl_driver" ] || { echo "oss-fuzz test: afl++ ships no libAFLDriver.a (dpkg -L afl++)" >&2; exit 1; }
      export CC=afl-clang-fast CXX=afl-clang-fast++
      export LIB_FUZZING_ENGINE=$afl_driver
    fi
    export CXXFLAGS=$CFLAGS
    cd "$root"
    bash ci/oss-fuzz/build.sh
  ) >"$top/build-$engine-$san.log" 2>&1 || {
    tail -n 40 "$top/build-$engine-$san.log" >&2
    echo "oss-fuzz test: $combo: build.sh failed (log above)" >&2
    status=1; summary+=("$combo: build FAILED"); continue
  }

  mapfile -t targets < <(grep -E '^[a-z0-9_]+$' "$root/fuzzers/targets.txt")
  ran=0 failed=0
  for t in "${targets[@]}"; do
    bin=$out/$t
    if [ ! -x "$bin" ] || [ ! -f "$out/$t.options" ]; then
      echo "oss-fuzz test: $combo: $t: missing binary or .options in \$OUT" >&2
      failed=$((failed + 1)); continue
    fi
    seeds=$work/seeds-$t
    mkdir -p "$seeds"
    [ -f "$out/${t}_seed_corpus.zip" ] && unzip -q -o "$out/${t}_seed_corpus.zip" -d "$seeds"
    max_len=$(sed -n 's/^max_len *= *//p' "$out/$t.options" | head -n 1)
    dict=()
    [ -f "$out/$t.dict" ] && dict=("$out/$t.dict")
    log=$work/run-$t.log
    if [ "$engine" = libfuzzer ]; then
      # 1. Every seed once (files as arguments: no mutation). Must be clean.
      mapfile -t files < <(find "$seeds" -type f | sort)
      if ((${#files[@]})) && ! (cd "$work" && "$bin" -timeout=10 "${files[@]}") >"$log" 2>&1; then
        tail -n 30 "$log" >&2
        echo "oss-fuzz test: $combo: $t failed on its seeds" >&2
        failed=$((failed + 1)); continue
      fi
      # 2. A short fuzzing run from the seeds (-seed=1). A crash found here is
      # a finding about the code, not about the build: reported and kept.
      args=(-seed=1 -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2560
            -print_final_stats=1 -artifact_prefix="$work/crash-$t-")
      [ -n "$max_len" ] && args+=(-max_len="$max_len")
      ((${#dict[@]})) && args+=(-dict="${dict[0]}")
      mkdir -p "$work/corpus-$t"
      if (cd "$work" && "$bin" "${args[@]}" "$work/corpus-$t" "$seeds") >>"$log" 2>&1; then
        ran=$((ran + 1))
      elif grep -q '^stat::number_of_executed_units' "$log" || grep -q 'Test unit written to' "$log"; then
        keep_finding "$combo" "$t" "$log" "$work"/crash-"$t"-*
        ran=$((ran + 1))
      else
        tail -n 30 "$log" >&2
        echo "oss-fuzz test: $combo: $t: the fuzzing run did not start or end properly" >&2
        failed=$((failed + 1))
      fi
    else
      [ -n "$(ls -A "$seeds")" ] || printf '\0' >"$seeds/empty"
      args=(-i "$seeds" -o "$work/afl-$t" -V "$seconds")
      ((${#dict[@]})) && args+=(-x "${dict[0]}")
      [ -n "$max_len" ] && args+=(-G "$max_len")
      if AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
         AFL_BENCH_UNTIL_CRASH=1 \
         afl-fuzz "${args[@]}" -- "$bin" >"$log" 2>&1 &&
         [ -f "$work/afl-$t/default/fuzzer_stats" ]; then
        execs=$(sed -n 's/^execs_done *: *//p' "$work/afl-$t/default/fuzzer_stats")
        crashes=$(find "$work/afl-$t/default/crashes" -type f -name 'id:*' | wc -l)
        echo "oss-fuzz test: $combo: $t: afl-fuzz $execs execs" >&2
        ((crashes)) && keep_finding "$combo" "$t" "$log" "$work/afl-$t"/default/crashes/id:*
        ran=$((ran + 1))
      else
        tail -n 30 "$log" >&2
        echo "oss-fuzz test: $combo: $t: afl-fuzz failed" >&2
        failed=$((failed + 1))
      fi
    fi
  done
  ((failed)) && status=1
  summary+=("$combo: ${#targets[@]} targets built, $ran ran clean, $failed failed")
done

printf '%s\n' "${summary[@]}"
((nfindings == 0)) || echo "$nfindings crash(es) found while fuzzing (not a build failure): $findings"
exit $status
