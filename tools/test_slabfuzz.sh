#!/usr/bin/env bash
# Tests of the slabfuzz tool (ctest fuzz.tool.*):
#   tools/test_slabfuzz.sh emit-c   SLABFUZZ SRC CORE_LIB CC "CFLAGS"
#   tools/test_slabfuzz.sh minimise SLABFUZZ SRC
#   tools/test_slabfuzz.sh triage   SLABFUZZ SRC
#   tools/test_slabfuzz.sh errors   SLABFUZZ SRC
# emit-c: each regression's C reproducer compiles (-Wall -Wextra -Werror, the
# project's compiler and flags, the core library only) and reproduces the
# expected title. minimise: same title, no larger input. triage: one line per
# title with count and smallest input. errors: bad input to every subcommand
# gives a clear error and non-zero exit; an existing output is never touched.
set -uo pipefail
mode=$1 tool=$2 src=$3
shift 3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fails=0
unset SLABFUZZ_BUGS

fail() {
  echo "FAIL: $*"
  fails=$((fails + 1))
}

expect_of() { sed -n 's/^# expect: //p' "$1" | head -1; }

case $mode in
emit-c)
  lib=$1 cc=$2 cflags=${3:-}
  for reg in "$src"/corpus/regressions/*.txt; do
    name=$(basename "$reg" .txt)
    title=$(expect_of "$reg")
    if ! "$tool" emit-c "$reg" -o "$work/$name.c"; then
      fail "$name: emit-c failed"
      continue
    fi
    grep -q 'not emitted' "$work/$name.c" && fail "$name: an op was left as a comment"
    # shellcheck disable=SC2086
    if ! "$cc" -std=c11 -Wall -Wextra -Werror $cflags -I"$src/core/include" "$work/$name.c" \
        "$lib" -lpthread -lm -o "$work/$name" 2>"$work/$name.cc.log"; then
      cat "$work/$name.cc.log"
      fail "$name: the emitted C does not compile"
      continue
    fi
    out=$("$work/$name" 2>&1)
    rc=$?
    if grep -q '^# fixed: ' "$reg"; then
      # A fixed core bug: the reproducer must run clean on the core we ship.
      if [ $rc -ne 0 ] || ! grep -qx 'clean' <<<"$out"; then
        printf '%s\n' "$out" | tail -5
        fail "$name: the reproducer of a fixed core bug exited $rc, not clean"
      else
        echo "ok: $name: emit-c runs clean (fixed core bug)"
      fi
    elif [ $rc -ne 1 ] || ! grep -qxF "reproduced: $title" <<<"$out"; then
      printf '%s\n' "$out" | tail -5
      fail "$name: the reproducer exited $rc without 'reproduced: $title'"
    else
      echo "ok: $name: emit-c reproduces '$title'"
    fi
  done
  ;;
minimise)
  # A regression as it is, and a larger program (the fuzz_gfp seed with a
  # timer pending on cpu0 from the start and its first early kmalloc made
  # GFP_KERNEL: incident 2).
  cp "$src/corpus/regressions/slab_early_irq_enable.txt" "$work/small.txt"
  { printf '# target: fuzz_gfp\n# expect: BUG: timer interrupt before timer init\n'
    printf '# bugs: slab_early_irq_enable\n'
    sed -e 's/^o0 = kmalloc size=64 GFP_NOWAIT any$/o0 = kmalloc size=64 GFP_KERNEL any/' \
        -e 's/^boot buddy$/timer_set_pending cpu0\nboot buddy/' \
      "$src/corpus/fuzz_gfp/boot_interleaved.txt"; } >"$work/large.txt"
  for name in small large; do
    in=$work/$name.txt out=$work/$name.min.txt
    title=$(expect_of "$in")
    if ! "$tool" minimise "$in" -o "$out" 2>"$work/$name.log"; then
      cat "$work/$name.log"
      fail "$name: minimise failed"
      continue
    fi
    [ "$(expect_of "$out")" = "$title" ] || fail "$name: minimised title '$(expect_of "$out")', not '$title'"
    "$tool" regress -q "$out" || fail "$name: the minimised input is no regression of '$title'"
    "$tool" encode "$in" -o "$work/$name.bin" && "$tool" encode "$out" -o "$work/$name.min.bin" ||
      fail "$name: encode"
    a=$(stat -c %s "$work/$name.bin") b=$(stat -c %s "$work/$name.min.bin")
    [ "$b" -le "$a" ] || fail "$name: minimised to $b bytes from $a"
    if [ $name = large ] && [ "$b" -ge "$a" ]; then
      fail "large: nothing removed ($a bytes)"
    fi
    echo "ok: $name: '$title' kept, $a -> $b bytes"
  done
  ;;
triage)
  d=$work/crashes
  mkdir -p "$d"
  cp "$src/corpus/regressions/buddy_merge_unaligned.txt" "$d/a.txt"
  cp "$src/corpus/regressions/vmemmap_repopulate.txt" "$d/b.txt"
  # Larger inputs with the same titles: the same programs with more ops.
  { cat "$src/corpus/regressions/buddy_merge_unaligned.txt"; printf 'p0 = alloc_pages GFP_KERNEL order=1\nfree p0\n'; } >"$d/c.txt"
  { cat "$src/corpus/regressions/vmemmap_repopulate.txt"; printf 'pfn_walk start=0 count=64\n'; } >"$d/d.txt"
  # An engine crash file (binary; target from the file name, bugs from --bugs).
  grep -v '^#' "$d/c.txt" >"$work/c-plain.txt"
  "$tool" encode "$work/c-plain.txt" -o "$d/crash-fuzz_pages-1" || fail "encode"
  # A clean input is counted as clean.
  cp "$src/corpus/fuzz_pages/basic.txt" "$d/clean.txt"
  sed -i '1i # target: fuzz_pages' "$d/clean.txt"
  out=$("$tool" triage --bugs buddy_merge_unaligned,vmemmap_repopulate "$d" 2>&1)
  rc=$?
  printf '%s\n' "$out"
  [ $rc -eq 0 ] || fail "triage exited $rc"
  line() { grep -F "$1" <<<"$out"; }
  [ "$(line 'BUG: buddy merge across zone boundary' | wc -l)" = 1 ] || fail "not one line for the buddy title"
  [ "$(line 'BUG: vmemmap block populated twice' | wc -l)" = 1 ] || fail "not one line for the vmemmap title"
  line 'BUG: buddy merge across zone boundary' | grep -qE "^3 .* $d/a.txt \([0-9]+ bytes\)$" ||
    fail "buddy: want count 3, smallest a.txt"
  line 'BUG: vmemmap block populated twice' | grep -qE "^2 .* $d/b.txt \([0-9]+ bytes\)$" ||
    fail "vmemmap: want count 2, smallest b.txt"
  grep -qx '6 inputs: 5 crashes in 2 titles, 1 clean' <<<"$out" || fail "summary line"
  ;;
errors)
  good=$src/corpus/regressions/buddy_merge_unaligned.txt
  : >"$work/empty"
  head -n 9 "$good" >"$work/truncated.txt"           # ends before the zones line
  printf 'int main(void)\n{\n\treturn 0;\n}\n' >"$work/foreign.c"
  cp "$tool" "$work/foreign.elf"
  mkdir "$work/emptydir" "$work/baddir"
  cp "$work/empty" "$work/foreign.c" "$work/baddir/"
  # cmd, and whether it takes -o
  cmds="print:0 encode:1 decode:1 replay:0 minimise:1 emit-c:1 regress:0"
  n=0
  check() { # what expect_pattern cmd args...
    local what=$1 pat=$2
    shift 2
    n=$((n + 1))
    local err=$work/err.$n
    "$tool" "$@" >/dev/null 2>"$err"
    local rc=$?
    if [ $rc -eq 0 ]; then
      fail "$what: '$*' exited 0"
    elif ! grep -qE "$pat" "$err"; then
      fail "$what: '$*': no clear error (want /$pat/): $(head -c 300 "$err")"
    elif grep -q 'Sanitizer' "$err"; then
      fail "$what: '$*': sanitizer report"
    fi
  }
  for c in $cmds; do
    cmd=${c%:*} o=${c#*:}
    outarg=()
    [ "$o" = 1 ] && outarg=(-o "$work/out.$cmd")
    check missing 'No such file|cannot open' "$cmd" "$work/missing" "${outarg[@]}"
    check empty 'empty file' "$cmd" "$work/empty" "${outarg[@]}"
    check truncated 'truncated|line [0-9]+' "$cmd" "$work/truncated.txt" "${outarg[@]}"
    check foreign-text 'not a slabfuzz program' "$cmd" "$work/foreign.c" "${outarg[@]}"
    check foreign-elf 'not a slabfuzz program.*ELF' "$cmd" "$work/foreign.elf" "${outarg[@]}"
    check option 'unknown option' "$cmd" --frobnicate "$good" "${outarg[@]}"
    [ -e "$work/out.$cmd" ] && fail "$cmd: an output was created for bad input"
    if [ "$o" = 1 ]; then
      printf 'KEEP\n' >"$work/exists.$cmd"
      check overwrite 'exists: refusing to overwrite' "$cmd" "$good" -o "$work/exists.$cmd"
      [ "$(cat "$work/exists.$cmd")" = KEEP ] || fail "$cmd: overwrote an existing output"
    fi
  done
  check triage-missing 'No such file' triage "$work/missing"
  check triage-empty 'no input files' triage "$work/emptydir"
  check triage-bad 'not loaded' triage "$work/baddir"
  check triage-file 'Not a directory' triage "$good"
  check triage-option 'unknown option' triage --frobnicate "$work/baddir"
  check command 'unknown command' frobnicate "$good"
  echo "ok: $n bad invocations checked"
  ;;
*)
  echo "usage: $0 emit-c|minimise|triage|errors SLABFUZZ SRC [...]" >&2
  exit 2
  ;;
esac
if [ $fails -ne 0 ]; then
  echo "$fails failure(s)"
  exit 1
fi
echo "all passed ($mode)"
