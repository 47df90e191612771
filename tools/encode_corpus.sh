#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Encodes a folder of text programs into a fresh folder of binary inputs (the
# build step of the seeds, corpus/<target>/, and of the campaign corpora,
# corpus/campaign/<target>/).
#   tools/encode_corpus.sh SLABFUZZ SRC_DIR OUT_DIR
#   tools/encode_corpus.sh --copy SRC_DIR OUT_DIR   (text inputs, copied)
# OUT_DIR is emptied first, so an input removed from git leaves the build too.
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: $0 SLABFUZZ|--copy SRC_DIR OUT_DIR" >&2; exit 2; }
tool=$1 src=$2 out=$3
[ -d "$src" ] || { echo "encode_corpus: $src is not a folder" >&2; exit 2; }
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
