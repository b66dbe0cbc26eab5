#!/usr/bin/env bash
# Two builds of gitsm side by side: the median wall time of each, their
# peak memory, and the median of the per-pair ratios (new ÷ base), the
# two binaries run in alternation so that both see the same machine.
#
#   BASE=/tmp/gitsm-base NEW=target/release/gitsm \
#     bash bench/compare.sh "report --format json" target/bench/report-100000-*
#
# Build the base with `git worktree add /tmp/base <rev>` and `cargo build
# --release` there; the repositories come from bench/report.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
base=${BASE:?set BASE to the gitsm binary to compare against}
new=${NEW:-$PWD/target/release/gitsm}
pairs=${PAIRS:-5}
cmd=$1
shift
runs=1
source bench/lib.sh

wall_ms() {
  local t0 t1
  t0=$(date +%s%N)
  "$@" >/dev/null 2>&1 || true
  t1=$(date +%s%N)
  echo $(( (t1 - t0) / 1000000 ))
}
peak_mb() {
  /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -n1 | awk '{print int($1 / 1024)}'
}
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

echo "| repository | command | base ms | new ms | new ÷ base | base MB | new MB |"
echo "|---|---|---:|---:|---:|---:|---:|"
for dir in "$@"; do
  export GIT_CEILING_DIRECTORIES=$(dirname "$(realpath "$dir")")
  b=() n=() r=()
  for _ in $(seq "$pairs"); do
    # shellcheck disable=SC2086
    tb=$(wall_ms "$base" -C "$dir" $cmd)
    # shellcheck disable=SC2086
    tn=$(wall_ms "$new" -C "$dir" $cmd)
    b+=("$tb") n+=("$tn") r+=("$(awk -v a="$tn" -v b="$tb" 'BEGIN { printf "%.3f", a / b }')")
  done
  # shellcheck disable=SC2086
  echo "| $(basename "$dir") | \`gitsm $cmd\` | $(printf '%s\n' "${b[@]}" | median) | $(printf '%s\n' "${n[@]}" | median) | $(printf '%s\n' "${r[@]}" | median) | $(peak_mb "$base" -C "$dir" $cmd) | $(peak_mb "$new" -C "$dir" $cmd) |"
done
