#!/usr/bin/env bash
# The test command: set up a fresh Debian 12 machine, build, run the tests.
# usage: ci/test.sh [-h|--help]
#   dev preset (clang, ASan+UBSan, debug level 3): every test but `slow`
#   gcc preset (gcc -O2): build warning-free, run the unit tests
#   msan preset: the unit tests under MemorySanitizer
#   tsan preset: the tests labelled `stress` and `tsan`
# Warnings are errors here. Takes a few minutes on 2 cores. Exit 0 when every
# test passed, non-zero at the first failure, 2 on a usage error.
set -euo pipefail
usage() { sed -n '2,/^set -/{/^set -/d;/SPDX-License/d;s/^# \{0,1\}//;p}' "$0"; }
case ${1-} in -h|--help) usage; exit 0 ;; esac
(($# == 0)) || { echo "test: takes no arguments (got '$*')" >&2; usage >&2; exit 2; }
cd "$(dirname "$0")/.."

bash ci/setup.sh

jobs=$(nproc 2>/dev/null || echo 2)

run_preset() {
  local preset=$1; shift
  echo "== $preset: configure and build"
  cmake --preset "$preset" -DSF_WERROR=ON >/dev/null
  cmake --build --preset "$preset" -j "$jobs"
  echo "== $preset: test $*"
  ctest --preset "$preset" -j "$jobs" "$@"
}

run_preset dev
run_preset gcc -L unit
run_preset msan -L unit
if [ -n "$(ctest --test-dir build/gcc -N -L 'stress|tsan' 2>/dev/null | grep -E 'Test +#')" ]; then
  run_preset tsan -L 'stress|tsan'
fi
echo "== all tests passed"
