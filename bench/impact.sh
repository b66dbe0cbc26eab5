#!/usr/bin/env bash
# `gitsm impact` end to end on a CMDB of 50,000 CI files and 200,000
# relations (examples/cmdb_bench.rs --write: the same deterministic CMDB the
# in-memory benchmark builds), beside the floor (read and parse every file)
# and `validate`: median wall / CPU time and peak memory, as a Markdown table.
#
#   bash bench/impact.sh
#   CIS=100000 RELATIONS=400000 RUNS=3 bash bench/impact.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin gitsm --example cmdb_bench --example floor
bin=$PWD/target/release/gitsm
floor=$PWD/target/release/examples/floor
cis=${CIS:-50000}
relations=${RELATIONS:-200000}
runs=${RUNS:-7}
dir=${BENCH_DIR:-$PWD/target/bench}/cmdb-$cis-$relations

source bench/lib.sh

if [ ! -f "$dir/gitsm.yaml" ]; then
  rm -rf "$dir"
  target/release/examples/cmdb_bench "$cis" "$relations" --write "$dir" >/dev/null
  git -C "$dir" init -q
fi
# The first server, a database and an application (as cmdb_bench times them).
server=$(printf 'ci-%06d' $((cis * 70 / 100)))
database=$(printf 'ci-%06d' $((cis * 25 / 100)))

echo "| command ($cis CIs, $relations relations) | ms wall / cpu | peak MB |"
echo "|---|---:|---:|"
row() { echo "| $1 | $(measure "${@:2}") |"; }
row "floor: read + YAML events (saphyr-parser), parallel" "$floor" "$dir"
row "\`gitsm impact $server --format json\` (server)" "$bin" -C "$dir" impact "$server" --format json
row "\`gitsm impact $server\` (text)" "$bin" -C "$dir" impact "$server"
row "\`gitsm impact $database --format json\` (database)" "$bin" -C "$dir" impact "$database" --format json
row "\`gitsm validate\`" "$bin" -C "$dir" validate -q
