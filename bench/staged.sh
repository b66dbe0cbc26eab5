#!/usr/bin/env bash
# Per-commit cost: `gitsm validate --staged` (the pre-commit hook) with one
# staged edit, in repositories of different sizes and both layouts. The cost
# should follow the change, not the repository: compare the rows.
#
#   bash bench/staged.sh                 # 100 and 100,000 records
#   SIZES="100 10000" RUNS=5 bash bench/staged.sh
#
# Repositories are generated once under target/bench (reused across runs).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin gitsm --example corpus
bin=$PWD/target/release/gitsm
corpus=$PWD/target/release/examples/corpus
work=${BENCH_DIR:-$PWD/target/bench}
runs=${RUNS:-7}
export GIT_AUTHOR_DATE=2026-11-20T10:00:00+01:00 GIT_COMMITTER_DATE=2026-11-20T10:00:00+01:00

source bench/lib.sh

echo "| records | layout | gitsm validate --staged, ms wall / cpu | git diff --cached (floor), ms wall / cpu | result |"
echo "|---:|---|---:|---:|---|"
for n in ${SIZES:-100 100000}; do
  for layout in flat by_year; do
    dir=$work/staged-$n-$layout
    if [ ! -d "$dir/.git" ]; then
      rm -rf "$dir"
      "$corpus" "$dir" "$n" "$layout" >/dev/null
      git -C "$dir" init -q
      git -C "$dir" add -A
      git -C "$dir" commit -q -m corpus
    fi
    git -C "$dir" reset -q --hard
    file=$(cd "$dir" && find incidents -name INC-000001.yaml)
    sed -i 's/^status: new$/status: in_progress\nassignee: bench@example.com/' "$dir/$file"
    git -C "$dir" add "$file"
    result=$("$bin" -C "$dir" validate --staged 2>&1 | tail -n1)
    gitsm_ms=$(median_ms "$bin" -C "$dir" validate --staged)
    git_ms=$(median_ms git -C "$dir" diff --cached --quiet)
    echo "| $n | $layout | $gitsm_ms | $git_ms | $result |"
  done
done
