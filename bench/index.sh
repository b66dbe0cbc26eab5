#!/usr/bin/env bash
# The local index (`<git dir>/gitsm/index.sqlite`) on the repositories of
# bench/run.sh (examples/corpus.rs, 54 commits): one-record and filtered
# commands cold (no index: it is built) and warm (up to date), next to
# `git status` on the same tree; median wall / CPU ms and peak MB. Then
# the site at a fixed instant: a full build into a fresh folder, a full
# build replacing the previous site (its manifest removed: no page
# stands), and a build after a commit that retitles one incident; and
# that last one at the commit's own instant, as a build without `--at`
# reads (one run each).
#
#   bash bench/index.sh                  # 1,000 / 10,000 / 100,000, 5 runs
#   SIZES=100000 RUNS=3 bash bench/index.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin gitsm --example corpus
bin=${CARGO_TARGET_DIR:-$PWD/target}/release/gitsm
corpus=${CARGO_TARGET_DIR:-$PWD/target}/release/examples/corpus
work=${BENCH_DIR:-$PWD/target/bench}
runs=${RUNS:-5}

source bench/lib.sh
export GITSM_NOW=2027-01-01T00:00:00+01:00

echo "| records | command | cold: ms wall / cpu | cold peak MB | warm: ms wall / cpu | warm peak MB |"
echo "|---:|---|---:|---:|---:|---:|"
for n in ${SIZES:-1000 10000 100000}; do
  dir=$work/run-$n-flat
  if [ ! -f "$dir/gitsm.yaml" ]; then
    rm -rf "$dir"
    "$corpus" "$dir" "$n" flat --commits 54 >/dev/null
    git -C "$dir" gc -q
  fi
  index=$(git -C "$dir" rev-parse --absolute-git-dir)/gitsm/index.sqlite
  git -C "$dir" config user.email agent0@example.com
  drop_index() { rm -f "$index" "$index-wal" "$index-shm"; }
  drop_new() { git -C "$dir" clean -fdq incidents; }
  drop_both() { drop_index; drop_new; }
  row() {
    local name=$1 after=$2; shift 2
    local cold warm
    drop_index
    # `measure` runs $cleanup after each run, untimed.
    if [ "$after" = drop_new ]; then cold=$(cleanup=drop_both measure "$@")
    else cold=$(cleanup=drop_index measure "$@"); fi
    "$@" >/dev/null 2>&1 || true; $after
    warm=$(cleanup=$after measure "$@")
    echo "| $n | $name | $cold | $warm |"
  }
  echo "| $n | \`git status\` (Git's scan of the same tree) | — | — | $(measure git -C "$dir" status) |"
  row "\`gitsm show INC-000042\`" true "$bin" -C "$dir" show INC-000042
  row "\`gitsm new incident\`" drop_new "$bin" -C "$dir" new incident --title "Card payments fail"
  row "\`gitsm list incident --status in_progress\`" true "$bin" -C "$dir" list incident --status in_progress
  row "\`gitsm list --open --format json\`" true "$bin" -C "$dir" list --open --format json
  row "\`gitsm search network --limit 20\`" true "$bin" -C "$dir" search network
  row "\`gitsm query\` P1s per service" true "$bin" -C "$dir" query \
    "SELECT service, count(*) FROM incidents WHERE priority = 'P1' GROUP BY service"

  site=$work/site-$n
  drop_site() { rm -rf "$site"; }
  retitle() {
    local f
    f=$(git -C "$dir" ls-files 'incidents/*INC-000042.yaml' | head -n1)
    sed -i 's/^title: .*/title: Retitled '"$RANDOM"'/' "$dir/$f"
    git -C "$dir" commit -q -am "bench: retitle one incident"
  }
  at=(--at 2027-01-02T00:00:00+01:00)
  start=$(git -C "$dir" rev-parse HEAD)
  drop_site
  echo "| $n | \`gitsm site\` full, fresh folder | — | — | $(runs=1 cleanup=drop_site measure "$bin" -C "$dir" site -o "$site" "${at[@]}") |"
  forget_site() { rm -f "$(git -C "$dir" rev-parse --absolute-git-dir)"/gitsm/site-*.manifest; }
  "$bin" -C "$dir" site -q -o "$site" "${at[@]}" >/dev/null 2>&1
  forget_site
  echo "| $n | \`gitsm site\` full, replacing the last site | — | — | $(runs=1 cleanup=forget_site measure "$bin" -C "$dir" site -o "$site" "${at[@]}") |"
  "$bin" -C "$dir" site -q -o "$site" "${at[@]}" >/dev/null 2>&1
  retitle
  echo "| $n | \`gitsm site\` after a commit retitling one incident | — | — | $(runs=1 cleanup=retitle measure "$bin" -C "$dir" site -o "$site" "${at[@]}") |"
  # Without `--at` (nor GITSM_NOW) the instant is the last commit's: every
  # commit moves it.
  env -u GITSM_NOW "$bin" -C "$dir" site -q -o "$site" >/dev/null 2>&1
  retitle
  echo "| $n | \`gitsm site\` without \`--at\` after a commit retitling one incident | — | — | $(runs=1 cleanup=retitle measure env -u GITSM_NOW "$bin" -C "$dir" site -o "$site") |"
  # The repository as bench/run.sh expects it (its last 50 commits).
  git -C "$dir" reset -q --hard "$start"
done
