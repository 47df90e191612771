#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Encodes a folder of text programs into a fresh folder of binary inputs (the
# build step of the seeds, corpus/<target>/, and of the campaign corpora,
# corpus/campaign/<target>/).
# usage: tools/encode_corpus.sh SLABFUZZ SRC_DIR OUT_DIR
#        tools/encode_corpus.sh --copy SRC_DIR OUT_DIR   (text inputs, copied)
#   SLABFUZZ   the slabfuzz tool of the build (encodes each SRC_DIR/*.txt)
#   OUT_DIR    a build folder: emptied first, so an input removed from git
#              leaves the build too (it must not be SRC_DIR)
# Exit 0 done, non-zero when a file does not encode (the tool names it), 2 a
# usage error.
set -euo pipefail
usage() { sed -n '2,/^set -/{/^set -/d;/SPDX-License/d;s/^# \{0,1\}//;p}' "$0"; }
die() { echo "encode_corpus: $*" >&2; exit 2; }
case ${1-} in
  -h|--help) usage; exit 0 ;;
  --copy) ;;
  -*) echo "encode_corpus: unknown option '$1'" >&2; usage >&2; exit 2 ;;
esac
[ $# -eq 3 ] || { echo "encode_corpus: needs 3 arguments, got $#" >&2; usage >&2; exit 2; }
tool=$1 src=$2 out=$3
[ "$tool" = --copy ] || [ -x "$tool" ] || die "$tool: not an executable (the slabfuzz tool, or --copy)"
[ -d "$src" ] || die "$src is not a folder"
[ -n "$out" ] || die "empty OUT_DIR"
[ ! -e "$out" ] || [ -d "$out" ] || die "$out exists and is not a folder"
[ ! -d "$out" ] || [ "$(cd "$out" && pwd)" != "$(cd "$src" && pwd)" ] || die "OUT_DIR is SRC_DIR: it would be emptied"
rm -rf "$out"
mkdir -p "$out"
n=0
for f in "$src"/*.txt; do
  [ -f "$f" ] || continue
  if [ "$tool" = --copy ]; then
    cp "$f" "$out/"
  else
    "$tool" encode "$f" -o "$out/$(basename "$f" .txt).bin" >/dev/null
  fi
  n=$((n + 1))
done
echo "encode_corpus: $n inputs into $out"
