# SPDX-License-Identifier: MIT
# shellcheck shell=bash
#
# Shared by tools/campaign.sh and tools/campaign_scale.sh (sourced, never
# run): the target list, option checks, reading libFuzzer's log and the
# triage of a crash folder. Each script defines die() (one line, exit 2)
# before sourcing this file.

# The targets of fuzzers/targets.txt, one a line.
sf_all_targets() { # ROOT
  grep -E '^[a-z0-9_]+$' "$1/fuzzers/targets.txt"
}

# Dies unless each TARGET is in fuzzers/targets.txt and none is named twice.
sf_check_targets() { # ROOT TARGET...
  local root=$1 all t seen=" "
  shift
  all=$(sf_all_targets "$root")
  for t in "$@"; do
    grep -qxF -- "$t" <<<"$all" || die "unknown target '$t' (fuzzers/targets.txt: $(echo $all))"
    [[ $seen != *" $t "* ]] || die "target '$t' named twice"
    seen+="$t "
  done
}

# Dies unless VALUE is a whole number of at least 1.
sf_check_positive() { # OPTION VALUE
  [[ $2 =~ ^[1-9][0-9]*$ ]] || die "$1: '$2' is not a whole number of at least 1"
}

# Dies when PATH is empty or exists and is not a folder (it may not exist).
sf_check_folder_arg() { # OPTION PATH
  [[ -n $2 ]] || die "$1: empty folder name"
  [[ ! -e $2 || -d $2 ]] || die "$1: $2 exists and is not a folder"
}

# WORK/campaign-STAMP.tsv (WORK/campaign.tsv the latest): what
# tools/campaign_report shows of the run.
sf_campaign_meta() { # WORK STAMP ENGINE JOBS SECONDS TARGET...
  local work=$1 stamp=$2 engine=$3 jobs=$4 secs=$5
  shift 5
  printf 'engine\t%s\njobs\t%s\nseconds\t%s\nstarted\t%s\nhost\t%s\nbugs\t%s\ntargets\t%s\n' \
    "$engine" "$jobs" "$secs" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(hostname)" \
    "${SLABFUZZ_BUGS:-none}" "$*" >"$work/campaign-$stamp.tsv"
  ln -sfn "campaign-$stamp.tsv" "$work/campaign.tsv"
}

# Makes sure DIR/stats.tsv has its header (elapsed execs exec_per_s coverage
# corpus crashes, a row a sample) and prints the elapsed seconds it already
# holds: a resumed run's samples continue from there.
sf_stats_base() { # DIR
  [[ -f $1/stats.tsv ]] || printf 'elapsed\texecs\texec_per_s\tcoverage\tcorpus\tcrashes\n' >"$1/stats.tsv"
  awk -F'\t' 'NR > 1 { e = $1 } END { print e + 0 }' "$1/stats.tsv"
}

# The max_len of a target's .options file (default 512).
sf_max_len() { # ROOT TARGET
  local v
  v=$(sed -n 's/^max_len *= *//p' "$1/corpus/$2.options" 2>/dev/null | head -n 1)
  echo "${v:-512}"
}

# The last status line of a libFuzzer log (from byte OFFSET on, default 1):
# "execs exec/s cov corpus", "0 0 0 0" before the first one. Fork mode prints
# "#N: cov: C ft: F corp: K exec/s E ...", the plain mode "#N ... exec/s: E".
sample_libfuzzer() { # LOG [OFFSET]
  local line
  line=$(tail -c +"${2:-1}" "$1" 2>/dev/null | grep -aE '^#[0-9]+.*cov: [0-9]+' | tail -n 1 || true)
  [[ -n $line ]] || { echo "0 0 0 0"; return; }
  awk '{
    ex = $1; gsub(/[#:]/, "", ex); cov = 0; corp = 0; eps = 0
    for (i = 2; i < NF; i++) {
      if ($i == "cov:") cov = $(i + 1)
      if ($i == "corp:") { corp = $(i + 1); sub(/\/.*/, "", corp) }
      if ($i == "exec/s:" || $i == "exec/s") eps = $(i + 1)
    }
    print ex, eps, cov, corp }' <<<"$line"
}

# Whether a libFuzzer log (from byte OFFSET on) shows the fuzzer ran: its
# INITED or fork-mode start line, a status line, or its Done line.
libfuzzer_started() { # LOG [OFFSET]
  grep -aqE '^#[0-9]+[: ]|INITED|: fuzzing in separate process|^Done [0-9]+ runs' \
    < <(tail -c +"${2:-1}" "$1" 2>/dev/null)
}

# The first line of a log that says why the fuzzer stopped at its start.
libfuzzer_start_error() { # LOG [OFFSET]
  local l
  l=$(grep -aE -m 1 'ERROR|[Ee]rror|No such|cannot|not found|usage' < <(tail -c +"${2:-1}" "$1" 2>/dev/null) || true)
  [[ -n $l ]] || l=$(grep -a . < <(tail -c +"${2:-1}" "$1" 2>/dev/null) | tail -n 1 || true)
  echo "${l:0:160}"
}

# Crash artifacts of the engines in the folders: libFuzzer crash-, timeout-,
# oom-, leak-, AFL++ id: (and afl- as campaign_scale.sh copies them).
count_crashes() { # DIR...
  local n=0 d
  for d in "$@"; do
    [[ -d $d ]] && n=$((n + $(find "$d" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'timeout-*' \
      -o -name 'oom-*' -o -name 'leak-*' -o -name 'id:*' -o -name 'afl-*' \) | wc -l)))
  done
  echo "$n"
}

# slabfuzz triage of a crash folder: rows "count<TAB>title<TAB>path<TAB>size"
# into OUT, and "path<TAB>problem" into OUT.bad for each input the tool could
# not load (its "slabfuzz: PATH: problem" lines). Triage's own output goes to
# TRIAGE_LOG. Exit 0 with rows, 1 when triage failed, 2 when it ran and no
# input crashed under it. Triage gets SECONDS in all (default 60 and 20 an
# input): a backstop for a tool whose child runs hang.
sf_triage_rows() { # TOOL TARGET DIR TRIAGE_LOG OUT [SECONDS]
  local dir line rc=0 limit
  dir=$(cd "$3" && pwd)
  limit=${6:-$((60 + 20 * $(find "$dir" -maxdepth 1 -type f | wc -l)))}
  timeout -k 5 "$limit" "$1" triage --target "$2" "$dir" >"$5.out" 2>"$5.err" || rc=$?
  ((rc != 124)) || echo "slabfuzz triage did not finish in ${limit}s: stopped" >>"$5.err"
  cat "$5.out" "$5.err" >>"$4"
  : >"$5"
  : >"$5.bad"
  while IFS= read -r line; do
    [[ $line =~ ^([0-9]+)\ +(.*[^ ])\ +([^ ]+)\ \(([0-9]+)\ bytes\)$ ]] || continue
    printf '%s\t%s\t%s\t%s\n' "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}" "${BASH_REMATCH[3]}" "${BASH_REMATCH[4]}" >>"$5"
  done <"$5.out"
  while IFS= read -r line; do
    [[ $line == "slabfuzz: $dir/"* ]] || continue
    [[ $line == *": note: "* ]] && continue   # a remark on an input it ran (a cut binary)
    line=${line#slabfuzz: }
    printf '%s\t%s\n' "${line%%: *}" "${line#*: }" >>"$5.bad"
  done <"$5.err"
  rm -f "$5.out" "$5.err"
  if [[ -s $5 || -s $5.bad ]]; then return 0; fi
  if ((rc)); then return 1; fi
  return 2
}

# The crashes, timeouts and OOMs libFuzzer counted (fork mode's
# "oom/timeout/crash: O/T/C" of its last status line from byte OFFSET), or
# nothing when it prints none.
libfuzzer_crash_count() { # LOG [OFFSET]
  local l
  l=$(tail -c +"${2:-1}" "$1" 2>/dev/null | grep -aoE 'oom/timeout/crash: [0-9]+/[0-9]+/[0-9]+' | tail -n 1 || true)
  [[ -z $l ]] || awk -F'[ /]' '{ print $4 + $5 + $6 }' <<<"$l"
}
