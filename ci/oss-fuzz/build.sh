#!/bin/bash -eu
# SPDX-License-Identifier: MIT
#
# OSS-Fuzz / ClusterFuzzLite build script for slabfuzz.
#
# usage: ci/oss-fuzz/build.sh [-h|--help]    (no arguments: the environment)
# Reads what the OSS-Fuzz builder sets: CC CXX CFLAGS CXXFLAGS LIB_FUZZING_ENGINE
# OUT SRC WORK SANITIZER FUZZING_ENGINE. Builds the allocator core and the fuzz
# library with $CC $CFLAGS (CMake, no project sanitizer or engine options: the
# flags come from the environment), compiles each fuzz target and links it with
# $CXX $CXXFLAGS $LIB_FUZZING_ENGINE into $OUT, and puts beside each binary
#   <target>_seed_corpus.zip   the seeds of corpus/<target>/ (text in git,
#                              encoded by the build with `slabfuzz encode`)
#   <target>.options           corpus/<target>.options if present, else a
#                              generated one capping max_len at the format's size
#   <target>.dict              corpus/<target>.dict if present
# The targets are the lines of fuzzers/targets.txt, the list the CMake build reads.
#
# Source: $SLABFUZZ_SRC, else the current directory if it is a slabfuzz checkout
# (the Dockerfiles set WORKDIR there), else $SRC/slabfuzz.
# Optional: SLABFUZZ_WERROR=1 builds with -Werror (the ctest wrapper sets it).

set -eu -o pipefail
usage() { sed -n '2,/^set -/{/^set -/d;/SPDX-License/d;s/^# \{0,1\}//;p}' "$0"; }
case ${1-} in -h|--help) usage; exit 0 ;; esac
(($# == 0)) || { echo "oss-fuzz build: takes no arguments (got '$*')" >&2; usage >&2; exit 2; }

die() { echo "oss-fuzz build: $*" >&2; exit 1; }

for v in CC CXX OUT LIB_FUZZING_ENGINE; do
  [ -n "${!v:-}" ] || die "\$$v is not set (run inside the OSS-Fuzz builder or set it as OSS-Fuzz does)"
done
CFLAGS=${CFLAGS-}
CXXFLAGS=${CXXFLAGS-}
SANITIZER=${SANITIZER:-address}
FUZZING_ENGINE=${FUZZING_ENGINE:-libfuzzer}

if [ -n "${SLABFUZZ_SRC:-}" ]; then
  root=$SLABFUZZ_SRC
elif [ -f fuzzers/targets.txt ] && [ -d core ]; then
  root=$PWD
elif [ -n "${SRC:-}" ] && [ -f "$SRC/slabfuzz/fuzzers/targets.txt" ]; then
  root=$SRC/slabfuzz
else
  die "cannot find the slabfuzz source (set SLABFUZZ_SRC, or run from the checkout)"
fi
root=$(cd "$root" && pwd)
[ -f "$root/fuzzers/targets.txt" ] || die "$root/fuzzers/targets.txt: missing"

mkdir -p "$OUT"
work=${WORK:-$(mktemp -d)}
build=$work/slabfuzz-build-$FUZZING_ENGINE-$SANITIZER
mkdir -p "$build"

mapfile -t targets < <(grep -E '^[a-z0-9_]+$' "$root/fuzzers/targets.txt")
((${#targets[@]})) || die "$root/fuzzers/targets.txt: no targets"

# Programs the build runs (the corpus encoder) carry the fuzzing flags too;
# keep their side effects out of the way.
export LLVM_PROFILE_FILE=$build/build-%p.profraw
export AFL_QUIET=1
export MSAN_OPTIONS=${MSAN_OPTIONS:-halt_on_error=1}
export UBSAN_OPTIONS=halt_on_error=1

werror=OFF
[ "${SLABFUZZ_WERROR:-0}" = 1 ] && werror=ON

echo "oss-fuzz build: $FUZZING_ENGINE + $SANITIZER, ${#targets[@]} targets, source $root"
cmake -S "$root" -B "$build" -G Ninja \
  -DCMAKE_BUILD_TYPE= \
  -DCMAKE_C_COMPILER="$CC" \
  -DCMAKE_C_FLAGS="$CFLAGS" \
  -DSF_SANITIZE= -DSF_FUZZ_ENGINE= -DSF_COVERAGE=OFF -DSF_DEBUG_LEVEL=1 \
  -DSF_WERROR=$werror >/dev/null
cmake --build "$build" --target slabfuzz_core sf_fuzz slabfuzz sf_corpus -j "$(nproc)"

core_lib=$build/libslabfuzz_core.a
fuzz_lib=$build/fuzzers/libsf_fuzz.a
[ -f "$core_lib" ] && [ -f "$fuzz_lib" ] || die "the build produced no $core_lib or $fuzz_lib"

# The format's size cap for generated .options files.
max_len=$(printf 'SF_PROG_BINARY_MAX\n' |
  $CC -E -P -x c -include "$root/fuzzers/program.h" -I "$root/fuzzers" \
      -I "$root/core/include" -D_GNU_SOURCE - 2>/dev/null | tail -n 1)
max_len=$((max_len))

wflags=()
[ "$werror" = ON ] && wflags=(-Wall -Wextra -Werror)
for t in "${targets[@]}"; do
  src=$root/fuzzers/$t.c
  [ -f "$src" ] || die "$src: listed in fuzzers/targets.txt but missing"
  # shellcheck disable=SC2086
  $CC $CFLAGS "${wflags[@]}" -std=c11 -D_GNU_SOURCE -I "$root/fuzzers" -I "$root/core/include" \
    -c "$src" -o "$build/$t.o"
  # shellcheck disable=SC2086
  $CXX $CXXFLAGS "$build/$t.o" "$fuzz_lib" "$core_lib" $LIB_FUZZING_ENGINE -lpthread -lm \
    -o "$OUT/$t"

  seeds=$build/corpus/$t
  rm -f "$OUT/${t}_seed_corpus.zip"
  if [ -d "$seeds" ] && [ -n "$(ls -A "$seeds")" ]; then
    (cd "$seeds" && zip -q -X "$OUT/${t}_seed_corpus.zip" ./*)
  else
    echo "oss-fuzz build: warning: $t has no seeds in corpus/$t" >&2
  fi

  if [ -f "$root/corpus/$t.options" ]; then
    cp "$root/corpus/$t.options" "$OUT/$t.options"
  elif [ -f "$root/corpus/$t/$t.options" ]; then
    cp "$root/corpus/$t/$t.options" "$OUT/$t.options"
  else
    printf '[libfuzzer]\nmax_len = %d\n' "$max_len" >"$OUT/$t.options"
  fi
  dict=
  for d in "$root/corpus/$t.dict" "$root/corpus/$t/$t.dict"; do
    [ -f "$d" ] && dict=$d && break
  done
  if [ -n "$dict" ]; then
    cp "$dict" "$OUT/$t.dict"
  else
    rm -f "$OUT/$t.dict"
    echo "oss-fuzz build: warning: $t has no dictionary (corpus/$t.dict)" >&2
  fi
  echo "oss-fuzz build: $OUT/$t"
done
