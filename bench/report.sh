#!/usr/bin/env bash
# Whole-tree cost of `gitsm report` next to `gitsm validate` on the same
# corpus (examples/corpus.rs), in three repositories:
#
#   no-git   the corpus as plain files: the report reads the work tree only
#   commit   the corpus committed once (packed, as a clone would be)
#   history  that commit plus 20 commits, each moving 2,000 incidents from
#            new to in_progress: 40,000 status transitions to walk (at
#            100,000 records; 20 batches of 7% of n when smaller)
#
#   bash bench/report.sh                      # 100,000 records, 5 runs
#   SIZES="10000 100000" RUNS=3 bash bench/report.sh
#
# A second table times `validate` and `report` in alternation (PAIRS
# pairs, default 9) and gives the median of the per-pair ratios: on a
# machine whose speed drifts from minute to minute, the two commands of a
# pair see the same machine.
#
# Repositories are generated once under target/bench (reused across runs).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin gitsm --example corpus
bin=$PWD/target/release/gitsm
corpus=$PWD/target/release/examples/corpus
work=$(realpath -m "${BENCH_DIR:-$PWD/target/bench}")
runs=${RUNS:-5}

source bench/lib.sh

# The repositories lie inside gitsm's own checkout: without a ceiling the
# no-git corpus would find (and walk) gitsm's history.
export GIT_CEILING_DIRECTORIES=$work

commit() {
  GIT_AUTHOR_DATE=$2 GIT_COMMITTER_DATE=$2 git -C "$1" commit -q -m "$3"
}

# The repository of a scenario, generated on first use.
repo() {
  local n=$1 scenario=$2 dir=$work/report-$1-$2
  if [ ! -f "$dir/gitsm.yaml" ]; then
    rm -rf "$dir"
    "$corpus" "$dir" "$n" >/dev/null
    if [ "$scenario" != no-git ]; then
      git -C "$dir" init -q
      git -C "$dir" config gc.auto 0   # no background gc racing the next commit
      git -C "$dir" add -A
      commit "$dir" 2026-11-01T10:00:00+01:00 corpus
    fi
    if [ "$scenario" = history ]; then
      # 20 batches of up to 2,000 of the corpus's incidents (70% of n).
      local batch=$(( n * 7 / 10 / 20 < 2000 ? n * 7 / 10 / 20 : 2000 ))
      for k in $(seq 0 19); do
        (cd "$dir/incidents" && for i in $(seq $((k * batch + 1)) $((k * batch + batch))); do
          printf 'INC-%06d.yaml\n' "$i"
        done | xargs sed -i 's/^status: new$/status: in_progress/')
        git -C "$dir" add -A
        commit "$dir" "2026-11-$(printf %02d $((k + 2)))T10:00:00+01:00" "take up batch $k"
      done
    fi
    if [ "$scenario" != no-git ]; then
      git -C "$dir" gc -q
    fi
  fi
  echo "$dir"
}

echo "| records | repository | command | ms wall / cpu | peak MB |"
echo "|---:|---|---|---:|---:|"
for n in ${SIZES:-100000}; do
  for scenario in no-git commit history; do
    dir=$(repo "$n" "$scenario")
    row() { echo "| $n | $scenario | \`$1\` | $(measure "$bin" -C "$dir" "${@:2}") |"; }
    row "gitsm validate" validate -q
    row "gitsm report" report
    row "gitsm report --format json" report --format json
    if [ "$scenario" != no-git ]; then
      row "gitsm report --rev HEAD" report --rev HEAD --until 2026-11-21T10:00:00+01:00
    fi
  done
done

# Median of `report` ÷ `validate` over interleaved pairs, wall and CPU.
ratio() {
  local dir=$1 pairs=${PAIRS:-9} ratios
  ratios=$(for _ in $(seq "$pairs"); do
    for cmd in "validate -q" report; do
      { TIMEFORMAT='%3R %3U %3S'; time "$bin" -C "$dir" $cmd >/dev/null 2>&1 || true; } 2>"$timing"
      tail -n1 "$timing"
    done
  done | awk '{ if (NR % 2) { w = $1; c = $2 + $3 } else { print $1 / w, ($2 + $3) / c } }')
  median() { sort -n | awk '{ a[NR] = $1 } END { printf "%.2f", a[int((NR + 1) / 2)] }'; }
  printf '%s | %s' "$(cut -d' ' -f1 <<<"$ratios" | median)" "$(cut -d' ' -f2 <<<"$ratios" | median)"
}

echo
echo "| records | repository | report ÷ validate, wall | CPU |"
echo "|---:|---|---:|---:|"
for n in ${SIZES:-100000}; do
  for scenario in no-git commit history; do
    echo "| $n | $scenario | $(ratio "$(repo "$n" "$scenario")") |"
  done
done
