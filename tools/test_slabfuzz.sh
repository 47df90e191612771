#!/usr/bin/env bash
# Tests of the slabfuzz tool (ctest fuzz.tool.*):
#   tools/test_slabfuzz.sh MODE      SLABFUZZ SRC
# MODE:
#   minimise   same title, no larger input
#   triage     one line per title with count and smallest input
#   errors     bad input to every subcommand (missing, empty, truncated,
#              foreign, huge files; bad options) gives a one-line error and a
#              non-zero exit; an existing output is never touched
#   sanitizer  every subcommand, run as the README says (no sanitizer
#              option set), leaves no sanitizer report of the tool itself
#   help       -h/--help/help/COMMAND --help list every command and option
#              on stdout, exit 0; usage errors print it on stderr, exit 2
#   timeout    --timeout: a run longer than the limit is killed with its
#              process group and titled 'HARNESS: timeout' in replay,
#              regress, triage, minimise
#   dump       replay --dump prints the state dumps at the end of a clean run
#   title      triage's title normalisation (addresses, numbers, cache names)
# (emit-c: tools/test_emit_c.sh, ctest fuzz.emit_c.)
# Every run of the tool goes through sf(), which fails the test when the
# tool's stderr holds a sanitizer report outside a child's framed log.
set -uo pipefail
mode=$1 tool=$2 src=$3
shift 3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fails=0
unset SLABFUZZ_BUGS ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS MSAN_OPTIONS

fail() {
  echo "FAIL: $*"
  fails=$((fails + 1))
}

expect_of() { sed -n 's/^# expect: //p' "$1" | head -1; }

# Sanitizer report lines of a tool's stderr, children's framed logs
# ("---- log of the run of ..." to "---- end of log") left out.
sanitizer_lines() {
  awk '/^---- log of the run of /{skip=1} !skip{print} /^---- end of log$/{skip=0}' "$1" |
    grep -E 'ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:|WARNING: ThreadSanitizer|WARNING: MemorySanitizer'
}

# sf ARGS...: run the tool; stdout in $work/sf.out, stderr in $work/sf.err;
# returns its exit status. A sanitizer report of the tool itself fails.
sf() {
  "$tool" "$@" >"$work/sf.out" 2>"$work/sf.err"
  local rc=$?
  if sanitizer_lines "$work/sf.err" >"$work/sf.san"; then
    fail "sanitizer report from 'slabfuzz $*': $(head -3 "$work/sf.san")"
  fi
  return $rc
}

# A program that takes far longer than a few milliseconds (tens of ms under
# ASan): a 4-node 16 MiB machine at debug level 3, 200 whole-machine checks.
slow_program() { # FILE NCHECKS
  { echo "# target: fuzz_slab"
    echo "slabfuzz-program 2"
    echo "machine nodes=4 cpus=8 boot=cpu0 max_order=9 section_shift=9 vmemmap_block=1 memmap_together=0 debug=3 slab_debug=FZPU"
    echo "cpu_nodes node0 node1 node2 node3 node0 node1 node2 node3"
    echo "range node0 0x0-0x400"
    echo "range node1 0x400-0x800"
    echo "range node2 0x800-0xc00"
    echo "range node3 0xc00-0x1000"
    echo "zones dma=0x100 dma32=0x800 movable=none"
    echo "boot running"
    for i in $(seq 0 19); do echo "o$i = kmalloc size=64 GFP_KERNEL any"; done
    for _ in $(seq 1 "$2"); do echo "check"; done
  } >"$1"
}
tiny=0.005   # seconds: far below what slow_program takes on any machine

case $mode in
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
    if ! sf minimise "$in" -o "$out"; then
      cat "$work/sf.err"
      fail "$name: minimise failed"
      continue
    fi
    [ "$(expect_of "$out")" = "$title" ] || fail "$name: minimised title '$(expect_of "$out")', not '$title'"
    sf regress -q "$out" || fail "$name: the minimised input is no regression of '$title'"
    sf encode "$in" -o "$work/$name.bin" && sf encode "$out" -o "$work/$name.min.bin" ||
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
  sf encode "$work/c-plain.txt" -o "$d/crash-fuzz_pages-1" || fail "encode"
  # A clean input is counted as clean.
  cp "$src/corpus/fuzz_pages/basic.txt" "$d/clean.txt"
  sed -i '1i # target: fuzz_pages' "$d/clean.txt"
  sf triage --bugs buddy_merge_unaligned,vmemmap_repopulate "$d"
  rc=$?
  out=$(cat "$work/sf.out" "$work/sf.err")
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
  # Nothing in these titles varies: no normalisation is claimed.
  line 'normalised:' && fail "a normalisation claimed for titles without variable parts"
  # The rows are in file name order whatever order the folder lists them.
  [ "$(grep -E '^[0-9]' <<<"$out" | head -2 | awk '{print $2}' | tr '\n' ' ')" = "BUG: BUG: " ] ||
    fail "rows"
  ;;
errors)
  good=$src/corpus/regressions/buddy_merge_unaligned.txt
  : >"$work/empty"
  head -n 9 "$good" >"$work/truncated.txt"           # ends before the zones line
  printf 'int main(void)\n{\n\treturn 0;\n}\n' >"$work/foreign.c"
  cp "$tool" "$work/foreign.elf"
  printf '\x89PNG\r\n\x1a\n\0\0\0\rIHDR' >"$work/foreign.png"
  head -c $((1 << 20)) /dev/urandom >"$work/huge.bin"  # 1 MiB: no engine writes that
  truncate -s 20M "$work/huge.zero"                    # beyond what any loader reads
  { sed -n '/^slabfuzz-program/,/^zones/p' "$good"
    for i in $(seq 0 299); do echo "p$i = alloc_pages GFP_KERNEL order=0"; done
  } >"$work/huge.txt"                                  # 300 ops: more than a program holds
  mkdir "$work/emptydir" "$work/baddir"
  cp "$work/empty" "$work/foreign.c" "$work/baddir/"
  # cmd, and whether it takes -o
  cmds="print:0 encode:1 decode:1 replay:0 minimise:1 emit-c:1 regress:0"
  n=0
  check() { # what expect_pattern cmd args...
    local what=$1 pat=$2
    shift 2
    n=$((n + 1))
    sf "$@"
    local rc=$?
    if [ $rc -eq 0 ]; then
      fail "$what: '$*' exited 0"
    elif ! grep -qE "$pat" "$work/sf.err"; then
      fail "$what: '$*': no clear error (want /$pat/): $(head -c 300 "$work/sf.err")"
    elif [ "$(grep -c '^slabfuzz: ' "$work/sf.err")" -lt 1 ]; then
      fail "$what: '$*': no 'slabfuzz: ' error line"
    fi
  }
  for c in $cmds; do
    cmd=${c%:*} o=${c#*:}
    outarg=()
    [ "$o" = 1 ] && outarg=(-o "$work/out.$cmd")
    check missing "$work/missing: No such file" "$cmd" "$work/missing" "${outarg[@]}"
    check empty "$work/empty: empty file" "$cmd" "$work/empty" "${outarg[@]}"
    check truncated "$work/truncated.txt: (truncated|line [0-9]+)" "$cmd" "$work/truncated.txt" "${outarg[@]}"
    check foreign-text "foreign.c: not a slabfuzz program" "$cmd" "$work/foreign.c" "${outarg[@]}"
    check foreign-elf "foreign.elf: not a slabfuzz program.*ELF" "$cmd" "$work/foreign.elf" "${outarg[@]}"
    check foreign-png "foreign.png: not a slabfuzz program.*PNG" "$cmd" "$work/foreign.png" "${outarg[@]}"
    check huge-binary "huge.bin: not a slabfuzz program.*larger than any fuzz input" "$cmd" "$work/huge.bin" "${outarg[@]}"
    check huge-file "huge.zero: too large for a program" "$cmd" "$work/huge.zero" "${outarg[@]}"
    check huge-text "huge.txt: line [0-9]+: more than 256 operations" "$cmd" "$work/huge.txt" "${outarg[@]}"
    check folder "emptydir: is a folder" "$cmd" "$work/emptydir" "${outarg[@]}"
    check option 'unknown option' "$cmd" --frobnicate "$good" "${outarg[@]}"
    check option-value 'needs a value' "$cmd" "$good" "${outarg[@]}" --target
    [ -e "$work/out.$cmd" ] && fail "$cmd: an output was created for bad input"
    if [ "$o" = 1 ]; then
      printf 'KEEP\n' >"$work/exists.$cmd"
      check overwrite 'exists: refusing to overwrite' "$cmd" "$good" -o "$work/exists.$cmd"
      [ "$(cat "$work/exists.$cmd")" = KEEP ] || fail "$cmd: overwrote an existing output"
      check no-output 'usage: slabfuzz' "$cmd" "$good"
    fi
  done
  # print -o: the same rule.
  printf 'KEEP\n' >"$work/exists.print"
  check overwrite 'exists: refusing to overwrite' print "$good" -o "$work/exists.print"
  [ "$(cat "$work/exists.print")" = KEEP ] || fail "print: overwrote an existing output"
  check triage-missing 'missing: No such file' triage "$work/missing"
  check triage-empty 'no input files' triage "$work/emptydir"
  check triage-bad 'not loaded' triage "$work/baddir"
  check triage-file 'Not a directory' triage "$good"
  check triage-option 'unknown option' triage --frobnicate "$work/baddir"
  check title-missing 'missing: No such file' title "$work/missing"
  check title-empty 'empty: empty file' title "$work/empty"
  check title-binary 'huge.bin: not a crash log' title "$work/huge.bin"
  check title-folder 'emptydir: is a folder' title "$work/emptydir"
  check title-huge 'huge.zero: too large for a crash log' title "$work/huge.zero"
  check command 'unknown command' frobnicate "$good"
  # The empty input is one an engine saves: --target (or --binary) says the
  # file is a fuzz input, and it runs like any other.
  n=$((n + 1))
  sf replay --target fuzz_pages "$work/empty" && grep -q 'result: clean run' "$work/sf.out" ||
    fail "replay --target of the empty input: $(head -c 300 "$work/sf.err")"
  n=$((n + 1))
  sf triage --target fuzz_slab "$work/baddir" >/dev/null
  grep -q 'empty: empty file' "$work/sf.err" &&
    fail "triage --target refuses the empty input: $(head -c 300 "$work/sf.err")"
  # Output the tool cannot write: an error, never a silent loss.
  "$tool" print "$good" >/dev/full 2>"$work/full.err"
  rc=$?
  n=$((n + 1))
  [ $rc -ne 0 ] && grep -q 'slabfuzz: stdout: write error' "$work/full.err" ||
    fail "print to a full device: exit $rc, $(head -c 200 "$work/full.err")"
  # A binary input cut mid-op is what engines save (any bytes are an
  # input): it runs as the fuzz targets run it, without the partial op, and
  # the tool says so on one line naming the file.
  sf encode "$good" -o "$work/good.bin" || fail "encode"
  size=$(stat -c %s "$work/good.bin")
  head -c $((size - 1)) "$work/good.bin" >"$work/cut.bin"
  head -c 3 "$work/good.bin" >"$work/cut-header.bin"
  sf print --target fuzz_pages "$work/good.bin" && grep -v '^#' "$work/sf.out" >"$work/full.txt" ||
    fail "print good.bin"
  [ -s "$work/sf.err" ] && fail "print of a whole binary: $(cat "$work/sf.err")"
  n=$((n + 1))
  if sf print --target fuzz_pages "$work/cut.bin"; then
    grep -qE "^slabfuzz: $work/cut.bin: note: truncated: ends [0-9]+ bytes? into op #[0-9]+ \(dropped" "$work/sf.err" ||
      fail "cut.bin: no note naming the file and the cut: $(cat "$work/sf.err")"
    [ "$(grep -v '^#' "$work/sf.out")" = "$(head -n -1 "$work/full.txt")" ] ||
      fail "cut.bin: not the program without its last op"
  else
    fail "print of a binary cut mid-op: exit $?"
  fi
  n=$((n + 1))
  sf print --target fuzz_pages "$work/cut-header.bin" &&
    grep -q "cut-header.bin: note: truncated: ends inside the machine header" "$work/sf.err" ||
    fail "cut-header.bin: $(cat "$work/sf.err")"
  echo "ok: $n bad invocations checked"
  ;;
sanitizer)
  # The check itself: a report of the tool is caught, a child's framed one is not.
  printf 'x\n==1==ERROR: LeakSanitizer: detected memory leaks\n' >"$work/t1"
  printf -- '---- log of the run of f\n==2==ERROR: AddressSanitizer: heap-use-after-free\n---- end of log\nslabfuzz: f: got it\n' >"$work/t2"
  sanitizer_lines "$work/t1" >/dev/null || fail "the check misses a LeakSanitizer report"
  sanitizer_lines "$work/t2" >/dev/null && fail "the check takes a child's framed log for the tool's"
  good=$src/corpus/regressions/buddy_merge_unaligned.txt
  seed=$src/corpus/fuzz_slab/basic.txt
  mkdir "$work/dir"
  cp "$good" "$src/corpus/regressions/vmemmap_repopulate.txt" "$work/dir/"
  slow_program "$work/slow.txt" 200
  sf replay "$good"
  cp "$work/sf.out" "$work/replay.log"
  # (every command's run below is checked by sf; the exit status too)
  runs=(
    "0 print $good"
    "0 print $good $seed"
    "0 print $good -o $work/p.txt"
    "0 encode $good -o $work/g.bin"
    "0 decode --target fuzz_pages $work/g.bin -o $work/g.txt"
    "0 print --target fuzz_pages $work/g.bin"
    "1 replay $good"
    "0 replay $seed"
    "0 replay --dump $seed"
    "1 replay --timeout $tiny $work/slow.txt"
    "0 minimise $good -o $work/m.txt"
    "0 triage $work/dir"
    "0 emit-c $good -o $work/e.c"
    "0 regress $good $src/corpus/regressions/shrinker_reclaim_reentry.txt"
    "1 regress --bugs none $good"
    "0 title $work/replay.log"
    "0 help"
    "0 --help"
    "2 frobnicate"
    "2 replay --frobnicate $good"
    "1 print $work/missing"
  )
  for r in "${runs[@]}"; do
    want=${r%% *}
    # shellcheck disable=SC2086
    sf ${r#* }
    rc=$?
    [ "$rc" = "$want" ] || fail "'slabfuzz ${r#* }' exited $rc, want $want: $(head -c 300 "$work/sf.err")"
  done
  # A failing regress prints the child's log framed (sf checks outside it).
  sed 's/^# expect: .*/# expect: BUG: some other title/' "$good" >"$work/wrong.txt"
  sf regress "$work/wrong.txt"
  [ $? -eq 1 ] && grep -q '^---- log of the run of ' "$work/sf.err" && grep -q '^---- end of log$' "$work/sf.err" ||
    fail "regress: the child's log is not framed"
  echo "ok: ${#runs[@]} runs of every subcommand without a sanitizer report of the tool"
  ;;
help)
  commands="print encode decode replay minimise triage emit-c regress title help"
  options="--target --bugs --timeout --dump --binary -o -q -h --help --"
  for args in "-h" "--help" "help" "help replay" "replay --help" "print -h" \
      "triage --help" "regress $src/x --help"; do
    # shellcheck disable=SC2086
    sf $args
    rc=$?
    [ $rc -eq 0 ] || fail "'$args' exited $rc"
    [ -s "$work/sf.err" ] && fail "'$args' wrote to stderr: $(head -c 200 "$work/sf.err")"
    for c in $commands; do
      grep -qE "^  $c( |$)" "$work/sf.out" || fail "'$args': command $c not listed"
    done
    for o in $options; do
      grep -qE -- "^  ([-a-z, ]*, )?$o( |,|$)" "$work/sf.out" || fail "'$args': option $o not listed"
    done
    grep -qE -- '--timeout SECS .*' "$work/sf.out" && grep -q '(default 10)' "$work/sf.out" ||
      fail "'$args': the timeout default is not shown"
    grep -q 'exit status' "$work/sf.out" || fail "'$args': exit status not described"
    for t in $(grep -v '^#' "$src/fuzzers/targets.txt") program; do
      grep -qE "^targets:.* $t( |$)" "$work/sf.out" || fail "'$args': target $t not listed"
    done
    for b in $(grep -v '^#' "$src/tools/selftest-bugs.txt" | cut -d'|' -f1); do
      grep -qE "^bug switches:.* $b( |$)" "$work/sf.out" || fail "'$args': bug switch $b not listed"
    done
  done
  sf --help
  cp "$work/sf.out" "$work/help.txt"
  for c in $commands; do
    [ "$c" = help ] && continue
    sf "$c" --help && cmp -s "$work/sf.out" "$work/help.txt" || fail "'$c --help' is not the usage"
  done
  usage_err() { # what args...
    local what=$1
    shift
    sf "$@"
    local rc=$?
    [ $rc -eq 2 ] || fail "$what: '$*' exited $rc, not 2"
    grep -q '^usage: slabfuzz COMMAND' "$work/sf.err" || fail "$what: '$*': no usage on stderr"
    [ -s "$work/sf.out" ] && fail "$what: '$*': wrote to stdout"
  }
  good=$src/corpus/regressions/buddy_merge_unaligned.txt
  usage_err none
  usage_err command frobnicate
  usage_err option-first --frobnicate
  usage_err option replay --frobnicate "$good"
  usage_err option-short replay -x "$good"
  usage_err value replay "$good" --timeout
  usage_err not-applying print --dump "$good"
  usage_err not-applying-o replay -o "$work/x" "$good"
  usage_err files replay
  usage_err files-many replay "$good" "$good"
  usage_err need-o encode "$good"
  usage_err target replay --target frob "$good"
  usage_err help-unknown help frobnicate
  for t in abc 0 -1 "" 1e9 nan inf 5s; do
    usage_err "timeout '$t'" replay --timeout "$t" "$good"
  done
  sf replay --timeout=30 "$good"
  [ $? -eq 1 ] && grep -qx '== result: BUG: buddy merge across zone boundary' "$work/sf.out" ||
    fail "--timeout=30 (the = form)"
  sf replay --timeout 2.5 "$good"
  [ $? -eq 1 ] || fail "--timeout 2.5 (fractional)"
  sf print -- "$good" || fail "'--' before a file"
  echo "ok: help and usage errors"
  ;;
timeout)
  slow_program "$work/slow.txt" 200
  slow_program "$work/slow-small.txt" 150
  # The slow program is a clean program: with the default limit it finishes.
  sf replay "$work/slow.txt"
  rc=$?
  [ $rc -eq 0 ] && grep -qx '== result: clean run' "$work/sf.out" ||
    fail "slow.txt with the default limit: exit $rc, $(tail -1 "$work/sf.out")"
  # At a few milliseconds it is killed, with its process group.
  sf replay --timeout $tiny "$work/slow.txt"
  rc=$?
  [ $rc -eq 1 ] && grep -qx '== result: HARNESS: timeout' "$work/sf.out" ||
    fail "replay --timeout $tiny: exit $rc, $(tail -1 "$work/sf.out")"
  pg=$(sed -n 's/.*(--timeout): process group \([0-9]*\) killed$/\1/p' "$work/sf.out")
  if [ -z "$pg" ]; then
    fail "replay: no 'process group N killed' line"
  elif kill -0 -- "-$pg" 2>/dev/null; then
    fail "replay: process group $pg still alive after the tool exited"
  fi
  # regress: a fixed hang that is back is a failure with the timeout title.
  { echo "# fixed: HARNESS: timeout"; cat "$work/slow.txt"; } >"$work/fixed.txt"
  sf regress "$work/fixed.txt" || fail "regress fixed.txt with the default limit"
  sf regress --timeout $tiny "$work/fixed.txt"
  rc=$?
  [ $rc -eq 1 ] && grep -q "fixed.txt: fixed core bug 'HARNESS: timeout' is back: got 'HARNESS: timeout'" "$work/sf.err" ||
    fail "regress --timeout $tiny fixed.txt: exit $rc, $(grep '^slabfuzz:' "$work/sf.err")"
  # '# expect: HARNESS: timeout' is matched as any title: the run with the
  # switch times out as expected; without the switch it must be clean, and
  # this program times out there too, so the regression fails on that run.
  { echo "# expect: HARNESS: timeout"; echo "# bugs: buddy_merge_unaligned"; cat "$work/slow.txt"; } >"$work/expect.txt"
  sf regress --timeout $tiny "$work/expect.txt"
  rc=$?
  grep -qx "$work/expect.txt: with the switch: HARNESS: timeout" "$work/sf.out" ||
    fail "regress expect.txt: the timeout was not the expected title: $(cat "$work/sf.out" "$work/sf.err" | grep expect.txt)"
  [ $rc -eq 1 ] && grep -q "expect.txt: without the switch expected a clean run, got 'HARNESS: timeout'" "$work/sf.err" ||
    fail "regress expect.txt: exit $rc"
  # triage groups timing-out inputs under the title.
  mkdir "$work/hangs"
  cp "$work/slow.txt" "$work/hangs/a.txt"
  cp "$work/slow-small.txt" "$work/hangs/b.txt"
  sf triage --timeout $tiny "$work/hangs"
  rc=$?
  cat "$work/sf.out"
  [ $rc -eq 0 ] || fail "triage exited $rc"
  grep -qE "^2 +HARNESS: timeout +$work/hangs/b.txt \([0-9]+ bytes\)$" "$work/sf.out" ||
    fail "triage: want one row 'HARNESS: timeout', count 2, smallest b.txt"
  # minimise shrinks a timing-out input while it keeps timing out (what is
  # left depends on the machine's speed: only the title and the size are
  # checked).
  sf minimise --timeout 0.02 "$work/slow.txt" -o "$work/min.txt"
  rc=$?
  cat "$work/sf.err"
  [ $rc -eq 0 ] || fail "minimise exited $rc"
  [ "$(expect_of "$work/min.txt")" = "HARNESS: timeout" ] || fail "minimise: title '$(expect_of "$work/min.txt")'"
  a=$(grep -c '^check$' "$work/slow.txt") b=$(grep -c '^check$' "$work/min.txt")
  [ "$b" -lt "$a" ] || fail "minimise: $b of $a checks left"
  echo "ok: timeouts in replay, regress, triage, minimise ($a -> $b checks)"
  ;;
dump)
  seed=$src/corpus/fuzz_slab/basic.txt
  sf replay --dump "$seed"
  rc=$?
  [ $rc -eq 0 ] && grep -qx '== result: clean run' "$work/sf.out" || fail "replay --dump: exit $rc"
  for s in 'state at the end' buddyinfo zoneinfo 'memory map' slabinfo; do
    grep -q "^---- $s" "$work/sf.out" || fail "replay --dump: no '---- $s'"
  done
  # The end state is the program's: o8 of cache0 is still held, cache1 is
  # destroyed, three nodes have buddy lists.
  sed -n '/^---- slabinfo/,/^== result/p' "$work/sf.out" >"$work/slabinfo"
  grep -qE '^cache0 +1 ' "$work/slabinfo" || fail "slabinfo: cache0 should have 1 active object"
  grep -q '^cache1 ' "$work/slabinfo" && fail "slabinfo: cache1 was destroyed"
  [ "$(sed -n '/^---- buddyinfo/,/^---- zoneinfo/p' "$work/sf.out" | grep -o '^Node [0-9]' | sort -u | wc -l)" = 3 ] ||
    fail "buddyinfo: want three nodes"
  sf replay "$seed"
  grep -q '^---- state' "$work/sf.out" && fail "replay without --dump printed the state of a clean run"
  # A failing run dumps the state at the failure, with or without --dump.
  sf replay --dump "$src/corpus/regressions/buddy_merge_unaligned.txt"
  [ $? -eq 1 ] && grep -q '^---- state: ' "$work/sf.out" && grep -q '^---- buddyinfo' "$work/sf.out" ||
    fail "replay --dump of a crash: no state at the failure"
  echo "ok: replay --dump"
  ;;
title)
  # Crash logs as the runs print them; the title command gives each one's
  # title and the triage form.
  t() { printf '%s\n' "$2" >"$work/$1.log"; }
  t asan1 "==11==ERROR: AddressSanitizer: heap-use-after-free on address 0x602000000010 at pc 0x55d0 bp 0x7ffd
READ of size 8 at 0x602000000010 thread T0
    #0 0x55d0 in slab_free_hook core/slab.c:10:3"
  t asan2 "==12==ERROR: AddressSanitizer: heap-use-after-free on address 0x6020000000f0 at pc 0x55e0 bp 0x7ffe
READ of size 8 at 0x6020000000f0 thread T0
    #0 0x55e0 in slab_free_hook core/slab.c:10:3"
  t ubsan1 "core/buddy.c:120:17: runtime error: load of misaligned address 0x7f0000001003 for type 'unsigned long', which requires 8 byte alignment"
  t ubsan2 "core/buddy.c:120:17: runtime error: load of misaligned address 0x7f00000010a1 for type 'unsigned long', which requires 8 byte alignment"
  t ubsan3 "core/buddy.c:131:9: runtime error: shift exponent 40 is too large for 64-bit type 'unsigned long'"
  t ubsan4 "core/buddy.c:131:9: runtime error: shift exponent 77 is too large for 64-bit type 'unsigned long'"
  t ubsan5 "core/pcp.c:31:9: runtime error: shift exponent 77 is too large for 64-bit type 'unsigned long'"
  t slab1 "slabfuzz: BUG kmalloc-64 (Not tainted): Object already free
kind: BUG  op: kfree  stage: running  cpu: 0  node: 0  zone: Normal  pfn: 0x1a2"
  t slab2 "slabfuzz: BUG kmalloc-8k (Not tainted): Object already free
kind: BUG  op: kfree  stage: running  cpu: 1  node: 0  zone: Normal  pfn: 0x3f0"
  t slab3 "slabfuzz: BUG dma-kmalloc-96 (Not tainted): Object already free"
  t slab4 "slabfuzz: BUG kmem_cache_destroy cache3: Objects remaining"
  t slab5 "slabfuzz: BUG kmem_cache_destroy cache0: Objects remaining"
  t key1 "slabfuzz: BUG: Bad page state pfn: 1234 at offset 40"
  t key2 "slabfuzz: BUG: Bad page state pfn: 77 at offset 8"
  t inv1 "slabfuzz: internal invariant broken: order < 11 at core/buddy.c:40 (f)"
  t inv2 "slabfuzz: internal invariant broken: order < 10 at core/buddy.c:40 (f)"
  t harness "slabfuzz: HARNESS: boot failed with memory available
slabfuzz: during prologue (target fuzz_boot)"
  t libfuzzer "==5== ERROR: libFuzzer: timeout after 25 seconds"
  t timeout "partial output
slabfuzz: HARNESS: timeout
no result after 10 s (--timeout): process group 4242 killed"
  t nothing "nothing to see"
  triage_of() { sf title "$work/$1.log" || fail "title $1.log"; sed -n 's/^[^ ]*: triage: //p' "$work/sf.out"; }
  title_of() { sf title "$work/$1.log" || fail "title $1.log"; sed -n 's/^[^ ]*: title: //p' "$work/sf.out"; }
  norm_of() { sf title "$work/$1.log" || fail "title $1.log"; sed -n 's/^[^ ]*: normalised: //p' "$work/sf.out"; }
  same() { # a b: one triage row
    [ "$(triage_of "$1")" = "$(triage_of "$2")" ] ||
      fail "$1 and $2: not one row: '$(triage_of "$1")' vs '$(triage_of "$2")'"
  }
  differ() {
    [ "$(triage_of "$1")" != "$(triage_of "$2")" ] || fail "$1 and $2: one row '$(triage_of "$1")'"
  }
  is() { # log what want
    local got
    got=$("$2"_of "$1")
    [ "$got" = "$3" ] || fail "$1: $2 '$got', want '$3'"
  }
  same ubsan1 ubsan2
  is ubsan1 triage "UBSan: load of misaligned address ADDR for type 'unsigned long', which requires 8 byte alignment in buddy.c"
  is ubsan1 norm addresses
  same ubsan3 ubsan4
  is ubsan3 triage "UBSan: shift exponent N is too large for 64-bit type 'unsigned long' in buddy.c"
  is ubsan3 norm numbers
  differ ubsan4 ubsan5
  same asan1 asan2
  is asan1 triage "AddressSanitizer: heap-use-after-free in slab_free_hook"
  is asan1 norm nothing
  same slab1 slab2
  is slab1 title "BUG kmalloc-64 (Not tainted): Object already free"
  is slab1 triage "BUG kmalloc-N (Not tainted): Object already free"
  is slab1 norm "cache names"
  differ slab1 slab3
  is slab3 triage "BUG dma-kmalloc-N (Not tainted): Object already free"
  same slab4 slab5
  is slab4 triage "BUG kmem_cache_destroy cacheN: Objects remaining"
  same key1 key2
  is key1 triage "BUG: Bad page state pfn: N at offset N"
  differ inv1 inv2
  is inv1 triage "internal invariant broken: order < 11"
  is inv1 norm nothing
  is harness triage "HARNESS: boot failed with memory available"
  is libfuzzer title "HARNESS: timeout"
  is timeout title "HARNESS: timeout"
  sf title "$work/nothing.log" && grep -q 'no title' "$work/sf.out" || fail "nothing.log"
  sf title <"$work/slab1.log" && grep -qx 'stdin: title: BUG kmalloc-64 (Not tainted): Object already free' "$work/sf.out" ||
    fail "title from stdin"
  # What replay prints is a log the title command reads back.
  sf replay "$src/corpus/regressions/buddy_merge_unaligned.txt"
  cp "$work/sf.out" "$work/replay.log"
  sf title "$work/replay.log" && grep -q ': title: BUG: buddy merge across zone boundary$' "$work/sf.out" ||
    fail "title of a replay's output"
  echo "ok: title normalisation"
  ;;
*)
  echo "usage: $0 minimise|triage|errors|sanitizer|help|timeout|dump|title SLABFUZZ SRC [...]" >&2
  exit 2
  ;;
esac
if [ $fails -ne 0 ]; then
  echo "$fails failure(s)"
  exit 1
fi
echo "all passed ($mode)"
