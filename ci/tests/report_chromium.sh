#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# The campaign report renders in a browser with its plots:
#   ci/tests/report_chromium.sh CAMPAIGN_REPORT_BINARY
# Makes a campaign work folder (two targets, samples over time, a crash),
# writes its report, then loads it in headless Chromium: --dump-dom must show
# the page's own render check counting both plots as drawn (SVG laid out,
# polylines of non-zero length), and --screenshot must give a PNG. Also checks
# that bad input gets an error: a missing folder, a folder with no stats, a
# malformed stats file, an existing output file.
set -euo pipefail
rep=${1:?usage: report_chromium.sh CAMPAIGN_REPORT_BINARY}
[ -x "$rep" ] || { echo "report test: $rep: not an executable" >&2; exit 2; }
chromium=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
[ -n "$chromium" ] || { echo "report test: chromium not found (ci/setup.sh installs it)" >&2; exit 1; }

tmp=$(mktemp -d /tmp/slabfuzz-report.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
w=$tmp/work
mkdir -p "$w/fuzz_slab" "$w/fuzz_pages"
printf 'engine\tlibfuzzer\njobs\t2\nseconds\t60\nstarted\t2026-01-01T00:00:00Z\nhost\ttest\nbugs\tnone\n' >"$w/campaign.tsv"
{
  printf 'elapsed\texecs\texec_per_s\tcoverage\tcorpus\tcrashes\n'
  for i in 0 10 20 30 40 50 60; do printf '%d\t%d\t%d\t%d\t%d\t%d\n' $i $((i * 900)) $((900 + i)) $((400 + i * 7)) $((10 + i)) $((i / 30)); done
} >"$w/fuzz_slab/stats.tsv"
{
  printf 'elapsed\texecs\texec_per_s\tcoverage\tcorpus\tcrashes\n'
  for i in 0 10 20 30 40 50 60; do printf '%d\t%d\t%d\t%d\t%d\t%d\n' $i $((i * 1500)) $((1500 - i)) $((300 + i * 3)) $((5 + i / 2)) 0; done
} >"$w/fuzz_pages/stats.tsv"
printf 'BUG: <Bad> page state & more\t2\t/w/fuzz_slab/crashes/crash-1\t40\t1\tslabfuzz replay --target fuzz_slab /w/r.txt\n' >"$w/fuzz_slab/crashes.tsv"

"$rep" -o "$tmp/report.html" --title "report test" "$w" >/dev/null
grep -q '<svg class="plot" id="plot-coverage"' "$tmp/report.html"
grep -q '<svg class="plot" id="plot-execs"' "$tmp/report.html"
grep -q '&lt;Bad&gt; page state &amp; more' "$tmp/report.html"

# Bad input: each must fail with a message naming the problem.
expect_fail() { # PATTERN CMD...
  local pat=$1; shift
  if "$@" >"$tmp/err" 2>&1; then echo "report test: '$*' succeeded" >&2; exit 1; fi
  grep -q "$pat" "$tmp/err" || { echo "report test: '$*' said:" >&2; cat "$tmp/err" >&2; exit 1; }
}
expect_fail 'refusing to overwrite' "$rep" -o "$tmp/report.html" "$w"
expect_fail 'No such file' "$rep" -o "$tmp/x.html" "$tmp/missing"
mkdir "$tmp/empty"
expect_fail 'not a campaign work folder' "$rep" -o "$tmp/x.html" "$tmp/empty"
mkdir -p "$tmp/bad/fuzz_gfp"
printf 'elapsed\texecs\n1\tfoo\n' >"$tmp/bad/fuzz_gfp/stats.tsv"
expect_fail 'stats.tsv:2: expected 6' "$rep" -o "$tmp/x.html" "$tmp/bad"
: >"$tmp/bad/fuzz_gfp/stats.tsv"
expect_fail 'no samples' "$rep" -o "$tmp/x.html" "$tmp/bad"
expect_fail 'unknown option' "$rep" --bogus "$w"
[ ! -e "$tmp/x.html" ] || { echo "report test: a failed run left $tmp/x.html" >&2; exit 1; }

flags=(--headless --no-sandbox --disable-gpu --disable-background-networking
       --disable-component-update --disable-sync --no-first-run --disable-dev-shm-usage)
run_chromium() { # OUTFILE ARGS...
  local out=$1; shift
  timeout 120 "$chromium" "${flags[@]}" --user-data-dir="$tmp/profile-$RANDOM" "$@" \
    >"$out" 2>"$tmp/chromium.err" || { cat "$tmp/chromium.err" >&2; return 1; }
}
run_chromium "$tmp/dom.html" --virtual-time-budget=2000 --dump-dom "file://$tmp/report.html"
grep -q 'id="render-check" data-plots="2"' "$tmp/dom.html" || {
  echo "report test: Chromium did not render both plots:" >&2
  grep -o '<p id="render-check"[^>]*>[^<]*' "$tmp/dom.html" >&2 || head -c 2000 "$tmp/dom.html" >&2
  exit 1
}
n=$(grep -o 'data-rendered-lines="2"' "$tmp/dom.html" | wc -l)
[ "$n" = 2 ] || { echo "report test: expected 2 lines in each plot" >&2; exit 1; }
(cd "$tmp" && run_chromium "$tmp/shot.log" --window-size=1100,1400 --screenshot="$tmp/shot.png" \
  "file://$tmp/report.html")
[ -s "$tmp/shot.png" ] && [ "$(head -c 8 "$tmp/shot.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] ||
  { echo "report test: no PNG screenshot" >&2; exit 1; }
if [ -n "${SLABFUZZ_KEEP_SCREENSHOT:-}" ]; then
  cp -n "$tmp/shot.png" "$SLABFUZZ_KEEP_SCREENSHOT"
fi
echo "report test: report rendered in $("$chromium" --version 2>/dev/null | head -n 1) with 2 plots"
