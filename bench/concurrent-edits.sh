#!/usr/bin/env bash
# Lost updates under concurrency: N trials, each running two `gitsm set`
# on the same record at once (different fields). An edit that exited 0
# must be in the file; a refused one (exit 1, "changed while gitsm was
# editing it") must not. Prints how many were written, refused and lost.
#
#   bash bench/concurrent-edits.sh [BIN] [TRIALS]   # default: release build, 100
set -uo pipefail
cd "$(dirname "$0")/.."
bin=$(realpath "${1:-target/release/gitsm}")
n=${2:-100}
runs=1
source bench/lib.sh
d=$(mktemp -d)
trap 'rm -rf "$d" "$timing"' EXIT
cd "$d" && git init -q && "$bin" init >/dev/null 2>&1
printf 'id: INC-0001\ntitle: VPN down\nstatus: new\ncreated_at: 2026-11-20T09:00:00+01:00\nreported_by: someone@example.com\nimpact: high\nurgency: high\n' >incidents/INC-0001.yaml
written=0 refused=0 lost=0
for i in $(seq "$n"); do
  "$bin" set INC-0001 "title=a$i" >/dev/null 2>&1 & a=$!
  "$bin" set INC-0001 "category=b$i" >/dev/null 2>&1 & b=$!
  wait $a; ca=$?
  wait $b; cb=$?
  for pair in "$ca title a$i" "$cb category b$i"; do
    read -r code key value <<<"$pair"
    if [ "$code" = 0 ]; then
      written=$((written + 1))
      grep -qx "$key: $value" incidents/INC-0001.yaml || lost=$((lost + 1))
    else
      refused=$((refused + 1))
    fi
  done
done
echo "$n trials: $written edits written, $refused refused, $lost lost"
