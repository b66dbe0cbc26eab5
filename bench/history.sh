#!/usr/bin/env bash
# Long history: 100,000 records (year folders, SPEC §2) and 20,000 commits
# that work incidents through their workflow (examples/corpus.rs
# --commits), packed with `git gc` as a clone would be. Times a record's
# audit trail, the reports' and the site's one pass over every commit's
# status changes, and the same walks done by Git itself.
#
#   bash bench/history.sh                     # 100,000 records, 20,000 commits
#   RECORDS=10000 COMMITS=5000 RUNS=3 bash bench/history.sh
#   LAYOUT=flat bash bench/history.sh         # slow to generate: every commit
#                                             # rewrites the 3 MB folder tree
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin gitsm --example corpus
bin=$PWD/target/release/gitsm
corpus=$PWD/target/release/examples/corpus
records=${RECORDS:-100000}
commits=${COMMITS:-20000}
layout=${LAYOUT:-by_year}
runs=${RUNS:-3}
work=${BENCH_DIR:-$PWD/target/bench}
dir=$work/history-$records-$commits-$layout

source bench/lib.sh
export GITSM_NOW=2027-01-01T00:00:00+01:00

if [ ! -f "$dir/gitsm.yaml" ]; then
  rm -rf "$dir"
  "$corpus" "$dir" "$records" "$layout" --commits "$commits" >/dev/null
  git -C "$dir" gc -q
fi
first=$(cd "$dir" && git ls-files 'incidents/*INC-000001.yaml' | head -n1)

echo "| records | commits | command | ms wall / cpu | peak MB |"
echo "|---:|---:|---|---:|---:|"
row() { echo "| $records | $commits | $1 | $(measure "${@:2}") |"; }
row "\`gitsm history INC-000001\` (4 commits touch it)" "$bin" -C "$dir" history INC-000001
row "\`git log --oneline -- $first\` (floor)" git -C "$dir" log --oneline -- "$first"
row "\`gitsm validate\` (no history)" "$bin" -C "$dir" validate -q
row "\`gitsm report\` (one pass over every commit)" "$bin" -C "$dir" report
row "\`git log --raw\` (floor: every commit's changed files)" git -C "$dir" log --raw --format=%H
cleanup="rm -rf $work/site-history" runs=1 \
  row "\`gitsm site\` (timelines of every record, fresh folder)" "$bin" -C "$dir" site -q -o "$work/site-history"
