#!/usr/bin/env bash
# What a baseline costs a range check on a long history: a time baseline
# is found by reading the first-parent history back to the root (so that
# no later, backdated commit can move it); a pinned commit id is not.
# `validate --range HEAD~1..HEAD` (one commit checked) with each form, next
# to `git rev-list --first-parent --count HEAD` (Git's own walk).
#
#   bash bench/baseline.sh            # 20,000 commits
#   COMMITS=100000 bash bench/baseline.sh
#
# The repository is written with `git fast-import` (one commit an hour).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin gitsm
bin=$PWD/target/release/gitsm
commits=${COMMITS:-20000}
runs=${RUNS:-7}
dir=${BENCH_DIR:-$PWD/target/bench}/baseline-$commits
source bench/lib.sh

if [ ! -d "$dir/.git" ]; then
  rm -rf "$dir" && mkdir -p "$dir" && git -C "$dir" init -q -b main
  python3 - "$commits" <<'PY' | git -C "$dir" fast-import --quiet
import sys
n = int(sys.argv[1])
start = 1735689600  # 2025-01-01T00:00:00Z
for i in range(n):
    msg = f"commit {i}"
    print(f"commit refs/heads/main\nmark :{i + 1}")
    print(f"committer bench <bench@example.com> {start + i * 3600} +0000")
    print(f"data {len(msg)}\n{msg}")
    if i:
        print(f"from :{i}")
    print(f"M 100644 inline notes.txt\ndata {len(msg)}\n{msg}\n")
PY
  git -C "$dir" reset -q --hard && git -C "$dir" gc -q
fi

# The baseline in the policy of the commit before the one checked.
with_baseline() {
  git -C "$dir" reset -q --hard "main"
  git -C "$dir" checkout -q -B bench main
  printf 'history:\n  baseline: "%s"\n' "$1" > "$dir/gitsm.yaml"
  git -C "$dir" add gitsm.yaml && git -C "$dir" commit -q -m policy
  echo change >> "$dir/notes.txt" && git -C "$dir" commit -q -am change
}

echo "| history | form | \`validate --range HEAD~1..HEAD\` ms wall / cpu | peak MB |"
echo "|---:|---|---:|---:|"
row() { echo "| $commits | $1 | $(cd "$dir" && measure "$bin" validate --range HEAD~1..HEAD) |"; }
printf '| %s | `git rev-list --first-parent --count HEAD` | %s |\n' "$commits" \
  "$(cd "$dir" && measure git rev-list --first-parent --count HEAD)"
with_baseline "$(git -C "$dir" rev-parse "main~$((commits / 2))")"
row "commit id (half-way)"
with_baseline "2025-06-01T00:00:00Z"
row "time (early in the history)"
with_baseline "2025-06-01"
git -C "$dir" reset -q --hard HEAD~2
printf 'history: {}\n' > "$dir/gitsm.yaml"
git -C "$dir" add gitsm.yaml && git -C "$dir" commit -q -m policy
echo change >> "$dir/notes.txt" && git -C "$dir" commit -q -am change
row "no baseline"
