#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Tests of the scripts of tools/ and ci/ that users run (ctest fuzz.scripts.*).
# usage: tools/test_scripts.sh usage SRC
#        tools/test_scripts.sh campaign SRC LIBFUZZER_BUILD
#   usage      every script: --help exits 0 and prints "usage"; an unknown
#              option exits 2 with the usage on stderr; bad values (not a
#              number, 0, a file for a folder, an unknown target...) exit 2
#              with a one-line error naming the value, and create nothing
#   campaign   tools/campaign.sh for real in temporary work folders, on
#              LIBFUZZER_BUILD (configured with the libfuzzer preset and built
#              by campaign.sh when it has no build yet, reused after):
#              two targets at once (-j 2): progress lines of both, a summary
#              naming the work folder, exit 0 and no crash on the shipped
#              core; a planted bug: exit 1 and each title's reproduce command
#              replays that title; the same folder again: no corpus input or
#              crash lost; a missing binary and a fuzzer that fails at its
#              start: exit 3 and "failed to start" for both (campaign.sh and
#              campaign_scale.sh)
set -uo pipefail

die() { echo "test_scripts: $*" >&2; exit 2; }
(($# >= 2)) || die "usage: tools/test_scripts.sh usage|campaign SRC [LIBFUZZER_BUILD]"
mode=$1 src=$(cd "$2" && pwd) || die "$2: not a folder"
tmp=$(mktemp -d /tmp/slabfuzz-test-scripts.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
bad=0
fail() { echo "FAIL: $*"; bad=1; }

# Runs a script of the checkout from an empty folder; output in $tmp/out, $tmp/err.
run() { # SCRIPT ARG...
  local s=$1; shift
  rm -rf "$tmp/cwd"; mkdir -p "$tmp/cwd"
  case $s in
    *.py) (cd "$tmp/cwd" && timeout 60 python3 "$src/$s" "$@") ;;
    *) (cd "$tmp/cwd" && timeout 60 bash "$src/$s" "$@") ;;
  esac </dev/null >"$tmp/out" 2>"$tmp/err"
}

check_help() { # SCRIPT
  local rc
  run "$1" --help; rc=$?
  ((rc == 0)) || fail "$1 --help: exit $rc"
  grep -qi usage "$tmp/out" || fail "$1 --help: no 'usage' on stdout"
  run "$1" -h; rc=$?
  ((rc == 0)) && grep -qi usage "$tmp/out" || fail "$1 -h: exit $rc or no 'usage'"
  run "$1" --no-such-option; rc=$?
  ((rc == 2)) || fail "$1 --no-such-option: exit $rc, not 2"
  grep -qi usage "$tmp/err" || fail "$1 --no-such-option: no usage on stderr"
  grep -q -- --no-such-option "$tmp/err" || fail "$1 --no-such-option: the error does not name it"
}

# A bad invocation: exit 2, stderr names WANT (on its first line; the only
# line unless the script prints its usage after it), nothing created.
check_bad() { # SCRIPT WANT ARG...
  local s=$1 want=$2 rc; shift 2
  run "$s" "$@"; rc=$?
  local what="$s $*"
  ((rc == 2)) || { fail "$what: exit $rc, not 2"; sed 's/^/    /' "$tmp/err" | head -5; }
  if [[ $s == *.py ]]; then
    grep -qF -- "$want" "$tmp/err" || fail "$what: stderr does not say '$want'"
  else
    head -n 1 "$tmp/err" | grep -qF -- "$want" || fail "$what: first line of stderr does not say '$want': $(head -n 1 "$tmp/err")"
    { (($(wc -l <"$tmp/err") == 1)) || grep -qi usage "$tmp/err"; } ||
      fail "$what: more than one line of error"
  fi
  [[ -z $(ls -A "$tmp/cwd") ]] || fail "$what: created $(ls -A "$tmp/cwd")"
  [[ ! -e $tmp/new ]] || { fail "$what: created $tmp/new"; rm -rf "$tmp/new"; }
}

usage_tests() {
  local f=$tmp/a-file d=$tmp/a-dir s
  echo x >"$f"; mkdir -p "$d"; echo "zones 1" >"$d/a.txt"
  for s in tools/campaign.sh tools/campaign_scale.sh tools/corpus_merge.sh tools/coverage.sh \
           tools/encode_corpus.sh tools/selftest.sh tools/selftest_ops.sh tools/mutate.py \
           ci/setup.sh ci/test.sh ci/oss-fuzz/build.sh ci/oss-fuzz/test_build.sh; do
    check_help "$s"
  done
  s=tools/campaign.sh
  check_bad $s "'abc' is not a whole number" -t abc -w "$tmp/new"
  check_bad $s "-t: '0' is not a whole number" -t 0 -w "$tmp/new"
  check_bad $s "-j: '0'" -j 0 -w "$tmp/new"
  check_bad $s "-j: '2x'" -j 2x -w "$tmp/new"
  check_bad $s "-p: 'x'" -p x -w "$tmp/new"
  check_bad $s "-t needs a value" -t
  check_bad $s "$f exists and is not a folder" -w "$f"
  check_bad $s "-w: empty folder name" -w ""
  check_bad $s "-w $f/sub: cannot create it" -w "$f/sub" --no-build -B "$d"
  check_bad $s "-B: $f exists and is not a folder" -B "$f" -w "$tmp/new"
  check_bad $s "unknown target 'fuzz_nope'" -w "$tmp/new" fuzz_nope
  check_bad $s "target 'fuzz_boot' named twice" -w "$tmp/new" fuzz_boot fuzz_boot
  s=tools/campaign_scale.sh
  check_bad $s "unknown engine 'foo'" -e foo -w "$tmp/new"
  check_bad $s "--jobs: '0'" -j 0 -w "$tmp/new"
  check_bad $s "--seconds: 'abc'" -t abc -w "$tmp/new"
  check_bad $s "$f exists and is not a folder" -w "$f"
  check_bad $s "--sync: $f exists and is not a folder" -e afl --sync "$f" -w "$tmp/new"
  check_bad $s "--build: $f exists and is not a folder" -B "$f" -w "$tmp/new"
  check_bad $s "unknown target 'fuzz_nope'" -w "$tmp/new" fuzz_nope
  check_bad $s "--join needs --engine afl" --join -w "$tmp/new"
  s=tools/corpus_merge.sh
  check_bad $s "unknown target 'fuzz_nope'" fuzz_nope "$d"
  check_bad $s "$tmp/none is not a folder" fuzz_boot "$tmp/none"
  check_bad $s "-B $f exists and is not a folder" -B "$f" fuzz_boot "$d"
  check_bad $s "needs a TARGET and at least one DIR" fuzz_boot
  s=tools/coverage.sh
  check_bad $s "--floor needs a percentage" --floor abc
  check_bad $s "-B '$f': not a folder" -B "$f"
  check_bad $s "-o $d exists" -o "$d"
  check_bad $s "$tmp/none: not a folder" "$tmp/none"
  check_bad $s "unknown target 'fuzz_nope'" "fuzz_nope=$d"
  s=tools/encode_corpus.sh
  check_bad $s "$tmp/none: not an executable" "$tmp/none" "$d" "$tmp/new"
  check_bad $s "$tmp/none is not a folder" --copy "$tmp/none" "$tmp/new"
  check_bad $s "$f exists and is not a folder" --copy "$d" "$f"
  check_bad $s "OUT_DIR is SRC_DIR" --copy "$d" "$d"
  check_bad $s "needs 3 arguments, got 2" --copy "$d"
  [[ -f $d/a.txt ]] || fail "encode_corpus.sh --copy DIR DIR emptied DIR"
  s=tools/selftest.sh
  check_bad $s "-r needs a positive whole number" -r 0
  check_bad $s "-s abc" -s abc
  check_bad $s "-f needs seeds, empty or both" -f x
  check_bad $s "unknown bug 'no_such_bug'" no_such_bug
  check_bad $s "-B '$f': not a folder" -B "$f"
  s=tools/selftest_ops.sh
  check_bad $s "$tmp/none: not an executable" "$tmp/none"
  check_bad $s "needs the slabfuzz tool" 
  s=tools/mutate.py
  check_bad $s "must be positive" --count 0
  check_bad $s "invalid int value: 'abc'" --count abc
  check_bad $s "unknown stage bogus" --stages bogus
  for s in ci/setup.sh ci/test.sh ci/oss-fuzz/build.sh; do
    check_bad $s "takes no arguments (got 'extra')" extra
  done
  s=ci/oss-fuzz/test_build.sh
  check_bad $s "--seconds needs a whole number" --seconds x
  check_bad $s "unknown argument 'afl+foo'" afl+foo
  check_bad $s "$d exists" --keep "$d"
}

# ---- campaign ----
# The summary lines of a campaign's output (from its "campaign STAMP:" line,
# or campaign_scale.sh's table head).
summary_of() { sed -n '/^\(campaign [0-9-]*: work folder\|target  *execs\)/,$p' "$1"; }

# Each "reproduce:" command of a summary must replay the title of its row;
# how many were checked goes into $checked.
check_reproduce() { # OUT WHERE
  local out=$1 where=$2 title='' cmd got line
  checked=0
  while IFS= read -r line; do
    if [[ $line =~ ^fuzz_[a-z_]+:\ (.*)\ \([0-9]+\ inputs?\)$ ]]; then title=${BASH_REMATCH[1]}; fi
    [[ $line =~ ^\ +reproduce:\ (.*)$ ]] || continue
    cmd=${BASH_REMATCH[1]}
    [[ $cmd == *" replay --target fuzz_"*" "/* || $cmd == *" replay --target fuzz_"*" "[a-z]* ]] ||
      fail "reproduce line is not 'slabfuzz replay --target T FILE': $cmd"
    got=$(cd "$where" && bash -c "$cmd" 2>&1 | sed -n 's/^== result: //p' | tail -n 1)
    [[ $got == "$title" ]] || fail "'$cmd' replays '$got', not the row's title '$title'"
    checked=$((checked + 1))
  done < <(summary_of "$out")
}

snapshot() { # WORK -> sha1 and name of every corpus input and crash
  (cd "$1" && find . -path '*/corpus/*' -o -path '*/crashes/*' | while read -r f; do
    [[ -f $f ]] && echo "$(sha1sum <"$f" | cut -c1-40) $f"; done) | LC_ALL=C sort
}

campaign_tests() {
  local lf=$1 out=$tmp/campaign.out rc t n checked
  local camp=$src/tools/campaign.sh
  # 1. Two targets at once on the shipped core.
  (cd "$tmp" && bash "$camp" -B "$lf" -t 4 -j 2 -p 1 -w work1 fuzz_pages fuzz_sparse) >"$out" 2>&1
  rc=$?
  ((rc == 0)) || fail "campaign -j 2 on the shipped core: exit $rc, not 0 (its output below)"
  for t in fuzz_pages fuzz_sparse; do
    grep -qE "^$t +[0-9]+s/4s  execs [0-9]+ +exec/s [0-9]+ +cov [0-9]+ +corpus [0-9]+ +crashes [0-9]+$" "$out" ||
      fail "no progress line of $t while it ran"
    grep -qE "^$t +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +0 +0  ran " "$out" || fail "no summary row 'ran', no crash, of $t"
  done
  # Parallel: both started before either ended.
  n=$(grep -nE '\((done|failed|stopped)' "$out" | head -n 1 | cut -d: -f1)
  [[ -n $n ]] && (($(head -n "$n" "$out" | grep -c ': started (4s, -fork=1)') == 2)) ||
    fail "-j 2: the two targets did not run at once"
  grep -q "^campaign [0-9-]*: work folder work1" "$out" || fail "the summary does not name the work folder"
  grep -q "^no crashes$" "$out" || fail "crashes on the shipped core (see above)"
  [[ -f $tmp/work1/summary.txt ]] || fail "no work1/summary.txt"
  grep -q "^campaign: report work1/report-[0-9-]*\.html$" "$out" && [[ -s $(ls "$tmp"/work1/report-*.html) ]] ||
    fail "no HTML report of work1"
  ((rc == 0)) || cat "$out"

  # 2. A planted bug that fires on every boot past slab_up (tools/selftest-bugs.txt).
  (cd "$tmp" && SLABFUZZ_BUGS=slab_dma_duplicate bash "$camp" -B "$lf" -t 3 -p 1 -w work2 fuzz_boot) \
    >"$out" 2>&1
  rc=$?
  ((rc == 1)) || { fail "campaign with a planted bug: exit $rc, not 1"; tail -n 30 "$out"; }
  grep -q "^fuzz_boot: BUG: slab invariant broken (" "$out" || fail "no summary row of the planted bug's title"
  grep -q "reproduce: SLABFUZZ_BUGS=slab_dma_duplicate .*/slabfuzz replay --target fuzz_boot work2/fuzz_boot/crashes/" "$out" ||
    fail "the reproduce command does not name the bugs, the tool and the crash file"
  check_reproduce "$out" "$tmp"
  ((checked >= 1)) || fail "no reproduce line checked"
  # Every crash file loads (a cut or empty binary is an input the tool runs,
  # with a note): none is a 'did not load' row.
  grep -q 'did not load' "$out" && fail "a crash input shown as not loaded: $(grep 'did not load' "$out" | head -n 2)"

  # 3. The same folder again (5 s: under load, loading the corpus alone can
  # take 2): appended, nothing lost; a third campaign
  # started while it runs is refused.
  snapshot "$tmp/work2" >"$tmp/before"
  # Emptied here: the background shell truncates it only when it runs, and
  # the loop below must not find the last campaign's ': started'.
  : >"$out"
  (cd "$tmp" && SLABFUZZ_BUGS=slab_dma_duplicate bash "$camp" -B "$lf" --no-build -t 5 -p 1 -w work2 fuzz_boot) \
    >>"$out" 2>&1 &
  local second=$! i
  # Up to 2 minutes: on a loaded machine the second one's start can take
  # half a minute, and a third started before it would take the folder.
  for ((i = 0; i < 1200; i++)); do grep -q ': started' "$out" && break; sleep 0.1; done
  grep -q ': started' "$out" || fail "the second campaign in work2 did not start in 2 minutes"
  (cd "$tmp" && bash "$camp" -B "$lf" --no-build -t 2 -w work2 fuzz_boot) >"$tmp/third.out" 2>&1
  rc=$?
  ((rc == 2)) && grep -q "another campaign is running in it" "$tmp/third.out" ||
    fail "a campaign in a folder in use: exit $rc, $(head -n 1 "$tmp/third.out")"
  wait "$second"
  rc=$?
  ((rc == 1)) || fail "second campaign in work2: exit $rc, not 1"
  snapshot "$tmp/work2" >"$tmp/after"
  [[ -s $tmp/before ]] || fail "work2 held no corpus or crash to keep"
  LC_ALL=C comm -23 "$tmp/before" "$tmp/after" | grep . && fail "the second campaign lost or changed the inputs above"
  (($(grep -c '^== campaign ' "$tmp/work2/fuzz_boot/log.txt") == 2)) || fail "log.txt does not hold both runs"
  (($(ls "$tmp/work2"/summary-*.txt | wc -l) == 2)) || fail "the first summary is gone"

  # 4. A build with a missing binary and a fuzzer that fails at its start,
  # for campaign.sh and campaign_scale.sh (a build root: DIR/libfuzzer).
  local fake=$tmp/fake/libfuzzer
  mkdir -p "$fake/tools" "$fake/fuzzers"
  ln -s "$lf/tools/slabfuzz" "$fake/tools/slabfuzz"
  ln -s "$lf/corpus" "$fake/corpus"
  ln -s "$lf/fuzzers/fuzz_sparse" "$fake/fuzzers/fuzz_sparse"
  printf '#!/bin/sh\necho "ERROR: this fuzzer cannot start" >&2\nexit 1\n' >"$fake/fuzzers/fuzz_pages"
  chmod +x "$fake/fuzzers/fuzz_pages"
  local cmd
  for cmd in "$camp -B $fake -p 1 -j 3" "$src/tools/campaign_scale.sh -B $tmp/fake --no-report -j 1"; do
    # shellcheck disable=SC2086 # cmd is split into the script and its options
    (cd "$tmp" && rm -rf work3 && bash $cmd --no-build -t 2 -w work3 fuzz_sparse fuzz_gfp fuzz_pages) >"$out" 2>&1
    rc=$?
    cmd=${cmd%% *}
    ((rc == 3)) || { fail "$cmd with a target that cannot run: exit $rc, not 3"; tail -n 20 "$out"; }
    grep -qE "^fuzz_gfp +failed to start: no binary (/.*/)?fake/libfuzzer/fuzzers/fuzz_gfp$" "$out" ||
      fail "$cmd: no 'failed to start: no binary' row for fuzz_gfp"
    grep -qE "^fuzz_pages +failed to start: exit 1: ERROR: this fuzzer cannot start$" "$out" ||
      fail "$cmd: no 'failed to start' row with the fuzzer's error for fuzz_pages"
    grep -qE "^fuzz_sparse +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+( |$)" "$out" ||
      fail "$cmd: fuzz_sparse did not run beside them"
    summary_of "$out" | grep -qE '(^| )\?( |$)' && fail "$cmd: a '?' in the summary"
  done
  ((bad)) && { echo "--- last campaign output"; cat "$out"; }
}

case $mode in
  usage) usage_tests ;;
  campaign)
    (($# == 3)) || die "campaign needs the libFuzzer build folder"
    campaign_tests "$3" ;;
  *) die "unknown mode '$mode' (usage or campaign)" ;;
esac
((bad)) && exit 1
echo "test_scripts: $mode: all checks passed"
