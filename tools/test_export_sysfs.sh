#!/usr/bin/env bash
# Test of `slabfuzz export-sysfs DIR FILE` (ctest fuzz.tool.export_sysfs):
#   tools/test_export_sysfs.sh SLABFUZZ SRC
# A program with an unmergeable cache, a cache merged into kmalloc-64 and a
# red-zoned cache, objects held on both nodes at the end: the attribute files
# hold what the program implies, names link as SLUB links them, the tree has
# only directories and symlinks (what tools/mm/slabinfo accepts),
# /proc/slabinfo is version 2.1 and slabtop reads it (under unshare -m and a
# bind mount when this runs as root; else our own parser only, said so).
# Bad input: missing FILE, a non-empty DIR, a DIR that is a file or under a
# missing folder, a program
# whose run fails (nothing written), two caches the kernel would have merged
# (refused), wrong arguments. No sanitizer report.
set -uo pipefail
tool=$1 src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fails=0
unset SLABFUZZ_BUGS

fail() {
  echo "FAIL: $*"
  fails=$((fails + 1))
}

# file content is $2 and the newline the kernel ends with; "" an empty file
expect_file() {
  local got want=$2
  if [ ! -f "$1" ]; then
    fail "$1: missing"
    return
  fi
  [ -n "$want" ] && want+=$'\n'
  got=$(cat "$1"; echo x)
  [ "$got" = "${want}x" ] || fail "$1: '${got%x}' not '$want'"
}

no_sanitizer() {
  if grep -qE 'Sanitizer|runtime error' "$1"; then
    fail "$2: a sanitizer report"
    cat "$1"
  fi
}

prog=$work/prog.txt
cat >"$prog" <<'EOF'
# export-sysfs: an unmergeable cache with 3 objects on node0 and 2 on node1,
# a cache merged into kmalloc-64, a red-zoned cache with one object.
slabfuzz-program 2
machine nodes=2 cpus=2 boot=cpu0 max_order=9 section_shift=9 vmemmap_block=1 memmap_together=0 debug=1 slab_debug=none
cpu_nodes node0 node1
distance node0 node1 20
range node0 0x0-0x200
range node1 0x200-0x400
zones dma=0x100 dma32=0x200 movable=none
c0 = kmem_cache_create cache0 size=200 align=0 flags=0x4
c1 = kmem_cache_create cache1 size=64 align=0 flags=0
c2 = kmem_cache_create cache2 size=300 align=0 flags=0x10
o0 = kmem_cache_alloc c0 GFP_KERNEL|__GFP_THISNODE node0
o1 = kmem_cache_alloc c0 GFP_KERNEL|__GFP_THISNODE node0
o2 = kmem_cache_alloc c0 GFP_KERNEL|__GFP_THISNODE node0
o3 = kmem_cache_alloc c0 GFP_KERNEL|__GFP_THISNODE node1
o4 = kmem_cache_alloc c0 GFP_KERNEL|__GFP_THISNODE node1
o5 = kmem_cache_alloc c2 GFP_KERNEL any
kmem_cache_shrink c0
EOF

out=$work/out
if ! "$tool" export-sysfs "$out" "$prog" --target fuzz_slab >"$work/ok.log" 2>"$work/ok.err"; then
  fail "export-sysfs of a clean program failed"
  cat "$work/ok.err"
fi
[ -s "$work/ok.err" ] && fail "stderr of a clean export: $(cat "$work/ok.err")"
slab=$out/sys/kernel/slab

# ---- attribute files: the program's end state ----
c0=$slab/cache0
expect_file "$c0/object_size" 200
expect_file "$c0/aliases" 0
expect_file "$c0/red_zone" 0
expect_file "$c0/hwcache_align" 0
expect_file "$c0/objects" "5 N0=3 N1=2"
expect_file "$c0/objects_partial" "5 N0=3 N1=2"
expect_file "$c0/slabs" "2 N0=1 N1=1"
expect_file "$c0/partial" "2 N0=1 N1=1"
ops=$(cat "$c0/objs_per_slab" 2>/dev/null)
expect_file "$c0/total_objects" "$((2 * ops)) N0=$ops N1=$ops"
expect_file "$c0/validate" ""
expect_file "$slab/cache2/red_zone" 1
expect_file "$slab/cache2/objects" "1 N0=1"
expect_file "$slab/:0000064/object_size" 64
expect_file "$slab/:0000064/aliases" 1
expect_file "$slab/:d-0000064/cache_dma" 1
[ "$(stat -c %a "$c0/object_size" 2>/dev/null)" = 400 ] || fail "object_size not mode 0400"
[ "$(stat -c %a "$c0/shrink" 2>/dev/null)" = 600 ] || fail "shrink not mode 0600"
n=$(find "$c0" -type f | wc -l)
[ "$n" = 23 ] || fail "cache0 has $n attribute files, not 23"

# ---- names: SLUB's directories and links ----
for d in cache0 cache2 kmem_cache kmem_cache_node :0000064 :d-0000064 :0000128; do
  [ -d "$slab/$d" ] && [ ! -L "$slab/$d" ] || fail "$d: not a directory"
done
for l in cache1:':0000064' kmalloc-64:':0000064' dma-kmalloc-64:':d-0000064' kmalloc-8k:':0008192'; do
  name=${l%%:*} want=${l#*:}
  [ "$(readlink "$slab/$name" 2>/dev/null)" = "$want" ] || fail "$name: links to '$(readlink "$slab/$name")', not $want"
done
# what tools/mm/slabinfo accepts: only directories and links, every link
# target a directory there
while IFS= read -r -d '' e; do
  if [ -L "$e" ]; then
    [ -d "$slab/$(readlink "$e")" ] || fail "$(basename "$e"): dangling link"
  elif [ ! -d "$e" ]; then
    fail "$(basename "$e"): neither a directory nor a link"
  fi
done < <(find "$slab" -mindepth 1 -maxdepth 1 -print0)

# ---- /proc/slabinfo: our parser ----
info=$out/proc/slabinfo
[ "$(head -1 "$info")" = "slabinfo - version: 2.1" ] || fail "slabinfo header: $(head -1 "$info")"
line=$(awk '$1 == "cache0"' "$info")
read -r -a f <<<"$line"
# name active num objsize objperslab pagesperslab : tunables l b s : slabdata active_slabs num_slabs avail
[ "${f[1]:-}" = 5 ] && [ "${f[2]:-}" = $((2 * ops)) ] && [ "${f[3]:-}" = 200 ] &&
  [ "${f[4]:-}" = "$ops" ] && [ "${f[5]:-}" = 1 ] && [ "${f[6]:-}" = : ] &&
  [ "${f[7]:-}" = tunables ] && [ "${f[11]:-}" = : ] && [ "${f[12]:-}" = slabdata ] &&
  [ "${f[14]:-}" = 2 ] || fail "slabinfo line of cache0: $line"

# ---- slabtop and the real paths ----
if [ "$(id -u)" = 0 ] && command -v slabtop >/dev/null &&
    unshare -m true 2>/dev/null; then
  unshare -m sh -c "mount --bind '$info' /proc/slabinfo && slabtop -o -s c" >"$work/top" 2>&1 ||
    fail "slabtop on the export: $(cat "$work/top")"
  # OBJS ACTIVE USE OBJ-SIZE SLABS OBJ/SLAB CACHE-SIZE NAME
  awk -v n=$((2 * ops)) -v ops="$ops" '$8 == "cache0" && $1 == n && $2 == 5 && $4 == "0.20K" &&
      $5 == 2 && $6 == ops { found = 1 } END { exit !found }' "$work/top" ||
    fail "slabtop does not show cache0 as exported: $(cat "$work/top")"
  grep -q "Active / Total Caches" "$work/top" || fail "slabtop summary missing"
  got=$(unshare -m sh -c "mount --bind '$slab' /sys/kernel/slab && cat /sys/kernel/slab/cache1/objects")
  [ "$got" = "$(cat "$slab/:0000064/objects")" ] || fail "bind mount over /sys/kernel/slab: '$got'"
else
  echo "NOTE: slabtop not run (not root, no slabtop or no unshare -m): /proc/slabinfo checked by our parser only"
fi

# ---- deterministic: the same program, the same tree ----
"$tool" export-sysfs "$work/again" "$prog" --target fuzz_slab >/dev/null 2>&1 ||
  fail "second export failed"
diff -r "$out" "$work/again" >/dev/null || fail "two exports of one program differ"
# an existing empty DIR is fine
mkdir "$work/empty"
"$tool" export-sysfs "$work/empty" "$prog" --target fuzz_slab >/dev/null 2>&1 &&
  [ -f "$work/empty/proc/slabinfo" ] || fail "export into an empty DIR failed"

# ---- bad input ----
mkdir "$work/full" && echo keep >"$work/full/mine"
if "$tool" export-sysfs "$work/full" "$prog" >/dev/null 2>"$work/e1"; then
  fail "non-empty DIR accepted"
fi
grep -q "$work/full exists and is not empty" "$work/e1" || fail "non-empty DIR: $(cat "$work/e1")"
[ "$(ls "$work/full")" = mine ] && [ "$(cat "$work/full/mine")" = keep ] ||
  fail "non-empty DIR was touched"
echo keep >"$work/afile"
"$tool" export-sysfs "$work/afile" "$prog" >/dev/null 2>"$work/e2" && fail "DIR that is a file accepted"
grep -q "$work/afile" "$work/e2" || fail "DIR that is a file: $(cat "$work/e2")"
[ "$(cat "$work/afile")" = keep ] || fail "the file given as DIR changed"
"$tool" export-sysfs "$work/o3" "$work/nope.txt" >/dev/null 2>"$work/e3" && fail "missing FILE accepted"
grep -q "nope.txt" "$work/e3" || fail "missing FILE: $(cat "$work/e3")"
[ -e "$work/o3" ] && fail "missing FILE: DIR created"
"$tool" export-sysfs "$work/no/such/dir" "$prog" >/dev/null 2>"$work/e7" &&
  fail "DIR under a missing folder accepted"
grep -q "$work/no/such/dir: cannot create it: $work/no/such: No such file" "$work/e7" ||
  fail "DIR under a missing folder: $(cat "$work/e7")"
"$tool" export-sysfs "$work/o4" >/dev/null 2>"$work/e4" && fail "one argument accepted"
grep -q "usage" "$work/e4" || fail "one argument: $(cat "$work/e4")"
# a program whose run fails: the regression with its bug switch on
reg=$src/corpus/regressions/slab_dma_duplicate.txt
title=$(sed -n 's/^# expect: //p' "$reg" | head -1)
"$tool" export-sysfs "$work/o5" "$reg" >/dev/null 2>"$work/e5"
rc=$?
[ "$rc" = 1 ] || fail "failing program: exit $rc, not 1"
grep -qF "$title" "$work/e5" || fail "failing program: title '$title' not reported: $(tail -3 "$work/e5")"
grep -q "nothing exported" "$work/e5" || fail "failing program: no 'nothing exported'"
[ -e "$work/o5" ] && fail "failing program: DIR written"

# two caches the model did not merge with one kernel name (:0000048): the
# kernel would have merged them; refused, naming both, nothing written
cat >"$work/coll.txt" <<'EOF'
slabfuzz-program 2
machine nodes=1 cpus=1 boot=cpu0 max_order=9 section_shift=9 vmemmap_block=1 memmap_together=0 debug=1 slab_debug=none
cpu_nodes node0
range node0 0x0-0x400
zones dma=0x100 dma32=0x200 movable=none
c0 = kmem_cache_create cache0 size=48 align=8 flags=0
c1 = kmem_cache_create cache1 size=48 align=16 flags=0
EOF
"$tool" export-sysfs "$work/o6" "$work/coll.txt" --target fuzz_slab >/dev/null 2>"$work/e6"
rc=$?
[ "$rc" = 1 ] || fail "shared kernel name: exit $rc, not 1"
grep -q "caches cache0 and cache1 would share one sysfs directory" "$work/e6" ||
  fail "shared kernel name: $(cat "$work/e6")"
[ -e "$work/o6" ] && fail "shared kernel name: DIR written"

for f in "$work"/ok.err "$work"/e[1-7]; do
  no_sanitizer "$f" "$(basename "$f")"
done

if [ "$fails" -ne 0 ]; then
  echo "$fails failure(s)"
  exit 1
fi
echo "export-sysfs: all checks passed"
