#!/usr/bin/env bash
# Two gitsm builds side by side on the warm local index, runs interleaved
# (git status, A, B, git status, A, B, ...) so that a busy machine weighs
# on both alike: median wall / CPU ms of `runs` runs. Each build has its
# own copy of the corpus (an index of another format would be rebuilt at
# every switch).
#
#   A=old/gitsm DA=corpus-copy B=new/gitsm DB=corpus RUNS=9 bash bench/index-ab.sh
set -uo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
export GITSM_NOW=2027-01-01T00:00:00+01:00
runs=${RUNS:-7}
: "${A:?the first gitsm binary}" "${DA:?its copy of the corpus}"
: "${B:?the second gitsm binary}" "${DB:?its copy of the corpus}"
for d in $DA $DB; do git -C $d config user.email agent0@example.com; done
declare -A W C
one() { # key cleanup cmd...
  local key=$1 clean=$2; shift 2
  local t0 t1 cpu
  t0=$(date +%s%N)
  { TIMEFORMAT='%3U %3S'; time "$@" >/dev/null 2>&1 || true; } 2>"$timing"
  t1=$(date +%s%N)
  cpu=$(tail -n1 "$timing" | awk '{printf "%d", ($1 + $2) * 1000}')
  $clean
  W[$key]+="$(( (t1 - t0) / 1000000 )) "; C[$key]+="$cpu "
}
med() { printf '%s\n' $1 | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
cleanA() { git -C $DA clean -fdq incidents; }
cleanB() { git -C $DB clean -fdq incidents; }
cmd() { # bin dir name
  case $3 in
    show) echo "$1 -C $2 show INC-000042";;
    new) echo "$1 -C $2 new incident --title Card-payments-fail";;
    list) echo "$1 -C $2 list incident --status in_progress";;
    search) echo "$1 -C $2 search retitled";;
    search-common) echo "$1 -C $2 search slow";;
  esac
}
q="SELECT service, count(*) FROM incidents WHERE priority = 'P1' GROUP BY service"
# `retitled` is in 3 records of the corpus, `slow` in 70,000 (every
# incident's description): a ranked top 20 of most of the tree.
# warm both
for n in show list search search-common; do $(cmd $A $DA $n) >/dev/null 2>&1; $(cmd $B $DB $n) >/dev/null 2>&1; done
# The warm commands first, round after round; then `new`, whose record
# (and its removal) changes the folder: a folder changed in the last two
# seconds is listed again at every run (racily clean), which is not the
# warm case the others measure.
for r in $(seq $runs); do
  one git-A true git -C $DA status
  one git-B true git -C $DB status
  for n in show list search search-common; do
    one $n-A true $(cmd $A $DA $n)
    one $n-B true $(cmd $B $DB $n)
  done
  one query-A true $A -C $DA query "$q"
  one query-B true $B -C $DB query "$q"
done
for r in $(seq $runs); do
  one new-A cleanA $(cmd $A $DA new)
  one new-B cleanB $(cmd $B $DB new)
done
echo "| command | A: ms wall / cpu | B: ms wall / cpu |"
echo "|---|---:|---:|"
for n in git show new list search search-common query; do
  echo "| $n | $(med "${W[$n-A]}") / $(med "${C[$n-A]}") | $(med "${W[$n-B]}") / $(med "${C[$n-B]}") |"
done
