#!/usr/bin/env bash
# emit-c against replay (ctest fuzz.emit_c, fuzz.emit_c.campaign):
#   tools/test_emit_c.sh [-j JOBS] [--bugs LIST] SLABFUZZ SRC CORE_LIB CC "CFLAGS" TEST_EMIT [INPUT...]
# For every input (files, or folders of *.txt; default: every seed of
# corpus/<target>/ and every corpus/regressions/ file) plus a program with
# every op kind (TEST_EMIT --all-ops writes it): slabfuzz replay gives the
# interpreter's outcome; the emitted C must compile (-Wall -Wextra -Werror,
# the given compiler and flags, the core library only) and end the same way:
# clean when replay is clean, the same title when replay finds one. A
# "HARNESS: ..." title of an oracle the C file does not reimplement passes
# as "state only" (exit 2, docs/fuzzing.md); every such case is listed. The C
# runs under timeout 60: a "HARNESS: timeout" input passes when it hangs too
# or ends clean (the limit is the tool's, the C file has none).
# --bugs LIST: replay and emit-c with these planted bugs on (every input;
# a file's own "# bugs:" otherwise).
set -uo pipefail
usage() {
  echo "usage: $0 [-j JOBS] [--bugs LIST] SLABFUZZ SRC CORE_LIB CC \"CFLAGS\" TEST_EMIT [INPUT...]" >&2
  exit 2
}
jobs=1 bugs=()
while [ $# -gt 0 ]; do
  case $1 in
  -h | --help) usage ;;
  -j) jobs=${2:?}; shift 2 ;;
  --bugs) bugs=(--bugs "${2:?}"); shift 2 ;;
  -*) usage ;;
  *) break ;;
  esac
done
[ $# -ge 6 ] || usage
tool=$1 src=$2 lib=$3 cc=$4 cflags=$5 test_emit=$6
shift 6
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
unset SLABFUZZ_BUGS

inputs=()
if [ $# -eq 0 ]; then
  set -- "$src"/corpus/fuzz_*/ "$src/corpus/regressions/"
fi
for a in "$@"; do
  if [ -d "$a" ]; then
    for f in "${a%/}"/*.txt; do [ -e "$f" ] && inputs+=("$f"); done
  else
    inputs+=("$a")
  fi
done
mkdir -p "$work/program"
"$test_emit" --all-ops "$work/program/all_ops.txt" || { echo "FAIL: $test_emit --all-ops"; exit 1; }
inputs+=("$work/program/all_ops.txt")

# One input: prints "ok ...", "state-only ..." or "FAIL ...". Run by xargs.
# shellcheck disable=SC2317
one() {
  local in=$1 d=$work/$2
  mkdir -p "$d"
  local r
  r=$("$tool" replay ${bugs_opt:+--bugs "$bugs_opt"} "$in" 2>&1 | sed -n 's/^== result: //p' | tail -1)
  [ -n "$r" ] || { echo "FAIL $in: replay gave no result"; return; }
  [ "$r" = "clean run" ] && r=clean
  if ! "$tool" emit-c ${bugs_opt:+--bugs "$bugs_opt"} "$in" -o "$d/r.c" 2>"$d/emit.log"; then
    echo "FAIL $in: emit-c failed: $(head -c 300 "$d/emit.log")"
    return
  fi
  # A sanitizer report of the tool itself (a child's framed log aside).
  if awk '/^---- log of the run of /{skip=1} !skip{print} /^---- end of log$/{skip=0}' \
      "$d/emit.log" | grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:'; then
    echo "FAIL $in: sanitizer report from emit-c: $(head -c 300 "$d/emit.log")"
    return
  fi
  # shellcheck disable=SC2086
  if ! "$cc" -std=c11 -O0 -Wall -Wextra -Werror $cflags -I"$src/core/include" "$d/r.c" "$lib" \
      -lpthread -lm -o "$d/r" 2>"$d/cc.log"; then
    echo "FAIL $in: the emitted C does not compile: $(head -c 600 "$d/cc.log")"
    return
  fi
  local out rc got
  out=$(timeout -k 5 60 "$d/r" 2>&1)
  rc=$?
  got=$(sed -n 's/^finding [^:]*: //p' <<<"$out" | tail -1)
  if [ "$r" = clean ]; then
    if [ "$rc" -eq 0 ] && grep -qx clean <<<"$out"; then
      echo "ok $in: clean"
    else
      echo "FAIL $in: replay clean, the C exited $rc: $(tail -3 <<<"$out" | tr '\n' '|')"
    fi
  elif [ "$rc" -eq 1 ] && [ "$got" = "$r" ] && grep -qxF "reproduced: $r" <<<"$out"; then
    echo "ok $in: reproduced '$r'"
  elif [ "$rc" -eq 2 ] && [ "${r#HARNESS: }" != "$r" ] && grep -q "^state only: '$r'" <<<"$out"; then
    echo "state-only $in: '$r' (harness oracle, the C makes the calls only)"
  elif [ "$r" = "HARNESS: timeout" ] && { [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; }; then
    echo "state-only $in: '$r' (the C file hangs too: killed after 60 s)"
  elif [ "$r" = "HARNESS: timeout" ] && [ "$rc" -eq 0 ] && grep -qx clean <<<"$out"; then
    echo "state-only $in: '$r' (the tool's limit; the C file ran to its end, clean)"
  else
    echo "FAIL $in: replay '$r', the C exited $rc: $(tail -3 <<<"$out" | tr '\n' '|')"
  fi
}
export -f one
bugs_opt=${bugs[1]:-}
export tool src lib cc cflags work bugs_opt

start=$SECONDS
i=0
# shellcheck disable=SC2016
for in in "${inputs[@]}"; do
  i=$((i + 1))
  printf '%s\0%s\0' "$in" "$i"
done | xargs -0 -n 2 -P "$jobs" bash -c 'one "$0" "$1"' >"$work/results"
cat "$work/results"
total=${#inputs[@]}
oks=$(grep -c '^ok ' "$work/results")
states=$(grep -c '^state-only ' "$work/results")
fails=$(grep -c '^FAIL ' "$work/results")
echo "$total inputs: $oks same outcome, $states harness oracle (state only), $fails failed" \
  "($((SECONDS - start)) s, -j $jobs)"
# The verdicts for a title the run does not meet (the all-ops program is
# clean): a core title is "not reproduced" (exit 0); a harness oracle the
# file does not check is "state only" (exit 2).
for v in "BUG: no such report|0|not reproduced: BUG: no such report" \
  "HARNESS: live allocations overlap|2|state only: 'HARNESS: live allocations overlap'"; do
  IFS='|' read -r title code line <<<"$v"
  c=$work/verdict$code.c
  # shellcheck disable=SC2086
  if ! "$test_emit" --emit-as "$work/program/all_ops.txt" "$title" "$c" ||
     ! "$cc" -std=c11 -O0 -Wall -Wextra -Werror $cflags -I"$src/core/include" "$c" "$lib" \
        -lpthread -lm -o "${c%.c}" 2>"$c.log"; then
    echo "FAIL: verdict '$title': emit or compile: $(head -c 300 "$c.log" 2>/dev/null)"
    fails=$((fails + 1))
    continue
  fi
  out=$("${c%.c}" 2>&1)
  rc=$?
  if [ "$rc" -ne "$code" ] || ! grep -q "^$line" <<<"$out"; then
    echo "FAIL: verdict '$title': exit $rc (want $code): $(tail -2 <<<"$out" | tr '\n' '|')"
    fails=$((fails + 1))
  else
    echo "ok verdict: '$title' not met: exit $code, '$line'"
  fi
done
[ $((oks + states)) -eq "$total" ] && [ "$fails" -eq 0 ] && exit 0
echo "FAIL: $total inputs, $oks + $states passed, $fails failure(s)"
exit 1
