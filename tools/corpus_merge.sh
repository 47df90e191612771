#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Merges campaign finds into the campaign corpus of a target,
# corpus/campaign/<target>/, as text programs. libFuzzer -merge=1 starts from
# the seeds and the campaign corpus already in git and keeps only the inputs
# that add coverage; each is written as <sha1 of its bytes, 12 hex>.txt
# (new files only, nothing existing is overwritten). The seeds (corpus/<target>/)
# are never written: campaign finds are not user scenarios and may sit next to
# a planted trigger.
#
# usage: tools/corpus_merge.sh [-B BUILD] TARGET DIR...
#   -B DIR   libFuzzer build (default build/libfuzzer), built already
#   DIR      folders of inputs (e.g. a campaign's WORK/<target>/corpus)
# Run the campaigns with no bug switch: an input that reports anything
# without a switch is a finding, not corpus (ctest fuzz.corpus_campaign.*
# replays every input clean).
set -euo pipefail

die() { echo "corpus_merge: $*" >&2; exit 2; }
usage() { sed -n '2,/^set -/{/^set -/d;/SPDX-License/d;s/^# \{0,1\}//;p}' "$0"; }
root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build/libfuzzer
while (($#)); do
  case $1 in
    -B) (($# >= 2)) || die "-B needs a folder"; build=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "corpus_merge: unknown option '$1'" >&2; usage >&2; exit 2 ;;
    *) break ;;
  esac
done
(($# >= 2)) || { echo "corpus_merge: needs a TARGET and at least one DIR" >&2; usage >&2; exit 2; }
[[ ! -e $build || -d $build ]] || die "-B $build exists and is not a folder"
t=$1; shift
grep -qx "$t" "$root/fuzzers/targets.txt" || die "unknown target '$t' (fuzzers/targets.txt)"
[[ $t != fuzz_program_text ]] || die "fuzz_program_text reads text, not programs: no campaign corpus"
for d in "$@"; do [ -d "$d" ] || die "$d is not a folder"; done
fuzzer=$build/fuzzers/$t tool=$build/tools/slabfuzz
[ -x "$fuzzer" ] && [ -x "$tool" ] || die "$fuzzer or $tool: not built (cmake --preset libfuzzer && cmake --build --preset libfuzzer)"
sftool() { "$tool" "$@"; }

dest=$root/corpus/campaign/$t
tmp=$(mktemp -d /tmp/slabfuzz-merge.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/min" "$dest"
# What git has already (seeds and campaign corpus), encoded afresh.
for f in "$root/corpus/$t"/*.txt "$dest"/*.txt; do
  [ -f "$f" ] || continue
  sftool encode "$f" -o "$tmp/min/have-$(basename "$(dirname "$f")")-$(basename "$f" .txt)" >/dev/null ||
    die "$f does not encode"
done
max_len=$(sed -n 's/^max_len *= *//p' "$root/corpus/$t.options" 2>/dev/null)
env -u SLABFUZZ_BUGS "$fuzzer" -merge=1 -use_counters=0 -max_len="${max_len:-512}" "$tmp/min" "$@" \
  >"$tmp/merge.log" 2>&1 || { cat "$tmp/merge.log" >&2; die "$t: libFuzzer merge failed"; }
added=0
for f in "$tmp/min"/*; do
  [[ $(basename "$f") == have-* ]] && continue
  h=$(sha1sum <"$f" | cut -c1-12)
  [ -e "$dest/$h.txt" ] && continue
  sftool decode --target "$t" "$f" -o "$dest/$h.txt" >/dev/null || { rm -f "$dest/$h.txt"; continue; }
  added=$((added + 1))
done
echo "corpus_merge: $t: $added new text programs in corpus/campaign/$t/ ($(ls "$dest" | wc -l) in all)"
