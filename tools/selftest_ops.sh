#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Checks the "ops" fact of tools/selftest-bugs.txt: how many coordinated
# operations each planted bug's trigger needs.
# usage: tools/selftest_ops.sh SLABFUZZ    (the slabfuzz tool of any build)
# For each bug, its regression input corpus/regressions/<bug>.txt is replayed
# with its switch (# bugs:) and must report its # expect: title; then it is
# replayed once with each operation removed. An operation is needed when the
# run without it no longer reports that title. The number of needed operations
# must be the number the list's ops field starts with ("0 ops: ...", "3 ops:
# ..."). Prints a line per bug; exit 1 on a mismatch, 2 on a usage error.
set -uo pipefail

die() { echo "selftest_ops: $*" >&2; exit 2; }
usage() { sed -n '2,/^set -/{/^set -/d;/SPDX-License/d;s/^# \{0,1\}//;p}' "$0"; }
root=$(cd "$(dirname "$0")/.." && pwd)
case ${1-} in
  -h|--help) usage; exit 0 ;;
  -*) echo "selftest_ops: unknown option '$1'" >&2; usage >&2; exit 2 ;;
esac
(($# == 1)) || { echo "selftest_ops: needs the slabfuzz tool (one argument), got $#" >&2; usage >&2; exit 2; }
tool=$1
[ -x "$tool" ] || die "$tool: not an executable"
list=$root/tools/selftest-bugs.txt
[ -f "$list" ] || die "$list is missing"
work=$(mktemp -d /tmp/slabfuzz-selftest-ops.XXXXXX)
trap 'rm -rf "$work"' EXIT

# The first "slabfuzz: " line of a replay, or "clean".
outcome() { # FILE TARGET BUGS
  local out
  out=$("$tool" replay --target "$2" --bugs "$3" "$1" 2>&1)
  if grep -q '^== result: clean run' <<<"$out"; then echo clean; return; fi
  sed -n 's/^slabfuzz: //p' <<<"$out" | head -1
}

bad=0
while IFS='|' read -r b _ _ _ _ _ _ ops; do
  [[ -z $b || $b == \#* ]] && continue
  want=${ops%% *}
  [[ $want =~ ^[0-9]+$ ]] || { echo "FAIL: $b: ops field '$ops' does not start with a count"; bad=1; continue; }
  reg=$root/corpus/regressions/$b.txt
  [ -f "$reg" ] || { echo "FAIL: $b: no regression input $reg"; bad=1; continue; }
  t=$(sed -n 's/^# target: *//p' "$reg" | head -1)
  title=$(sed -n 's/^# expect: *//p' "$reg" | head -1)
  bugs=$(sed -n 's/^# bugs: *//p' "$reg" | head -1)
  [ -n "$t" ] && [ -n "$title" ] && [ -n "$bugs" ] ||
    { echo "FAIL: $b: $reg lacks # target/# expect/# bugs"; bad=1; continue; }
  got=$(outcome "$reg" "$t" "$bugs")
  [ "$got" = "$title" ] || { echo "FAIL: $b: $reg gives '$got', not '$title'"; bad=1; continue; }
  # Operation lines: everything after the header (the "zones" line).
  first=$(grep -n '^zones ' "$reg" | head -1 | cut -d: -f1)
  total=$(wc -l <"$reg")
  needed=0 names=()
  for ((l = first + 1; l <= total; l++)); do
    line=$(sed -n "${l}p" "$reg")
    [[ -z $line || $line == \#* ]] && continue
    sed "${l}d" "$reg" >"$work/without.txt"
    if [ "$(outcome "$work/without.txt" "$t" "$bugs")" != "$title" ]; then
      needed=$((needed + 1))
      names+=("$line")
    fi
  done
  if ((needed == want)); then
    echo "ok: $b: $needed op(s) needed$( ((needed)) && printf ' (%s)' "$(IFS=';'; echo "${names[*]}")")"
  else
    echo "FAIL: $b: the list says $want op(s), the regression input needs $needed: ${names[*]:-none}"
    bad=1
  fi
done <"$list"
exit $bad
