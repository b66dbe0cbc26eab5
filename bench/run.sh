#!/usr/bin/env bash
# Whole commands on generated repositories of 1,000, 10,000 and 100,000
# records, side by side with the floor (read and parse every file, nothing
# else) and with check-jsonschema validating the same files: median wall /
# CPU time and peak memory, printed as a Markdown table.
#
#   bash bench/run.sh                          # 1,000 / 10,000 / 100,000, 5 runs
#   SIZES=10000 RUNS=3 bash bench/run.sh
#   LAYOUT=by_year bash bench/run.sh           # year folders (SPEC §2)
#   JSONSCHEMA_RUNS=0 bash bench/run.sh        # skip check-jsonschema (slow)
#
# Each repository (examples/corpus.rs, generated once under target/bench) is
# the corpus in one commit, three commits approving and scheduling
# CHG-000001, and 50 commits that each move two incidents one step along
# their workflow: `validate --range HEAD~50..HEAD` checks 50 commits
# touching 100 records. `--staged` times one staged edit of one incident.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin gitsm --example corpus --example floor
bin=$PWD/target/release/gitsm
corpus=$PWD/target/release/examples/corpus
floor=$PWD/target/release/examples/floor
work=${BENCH_DIR:-$PWD/target/bench}
layout=${LAYOUT:-flat}
runs=${RUNS:-5}

source bench/lib.sh
export GITSM_NOW=2027-01-01T00:00:00+01:00

# One incident moved from new to in_progress, staged; `git reset` undoes it.
stage_one_edit() {
  local dir=$1 file
  file=$(cd "$dir" && git ls-files 'incidents/*INC-000500.yaml' 'incidents/*/INC-000500.yaml' | head -n1)
  sed -i 's/^status: new$/status: in_progress\nassignee: rita/' "$dir/$file"
  git -C "$dir" add "$file"
}

echo "| records | command | ms wall / cpu | peak MB |"
echo "|---:|---|---:|---:|"
for n in ${SIZES:-1000 10000 100000}; do
  dir=$work/run-$n-$layout
  if [ ! -f "$dir/gitsm.yaml" ]; then
    rm -rf "$dir"
    "$corpus" "$dir" "$n" "$layout" --commits 54 >/dev/null
    git -C "$dir" gc -q
  fi
  schemas=$work/schemas && "$bin" schema -q -o "$schemas" >/dev/null 2>&1
  row() { echo "| $n | $1 | $(measure "${@:2}") |"; }
  row "floor: read + YAML events (saphyr-parser), parallel" "$floor" "$dir"
  row "floor: read + \`serde_yaml::Value\`, parallel" "$floor" "$dir" value
  row "\`gitsm validate\` (--all)" "$bin" -C "$dir" validate -q
  if [ "${JSONSCHEMA_RUNS:-1}" -gt 0 ] && command -v check-jsonschema >/dev/null; then
    runs=${JSONSCHEMA_RUNS:-1} row "check-jsonschema, same files and schemas" bash bench/jsonschema.sh "$dir" "$schemas"
  fi
  stage_one_edit "$dir"
  row "\`gitsm validate --staged\` (one edit)" "$bin" -C "$dir" validate --staged -q
  git -C "$dir" reset -q --hard
  row "\`gitsm validate --range HEAD~50..HEAD\`" "$bin" -C "$dir" validate --range HEAD~50..HEAD -q
  row "\`gitsm gate --change CHG-000001\`" "$bin" -C "$dir" gate --change CHG-000001 --at 2027-01-10T21:00:00+01:00
  row "\`gitsm list --format json\`" "$bin" -C "$dir" list --format json
  row "\`gitsm report\`" "$bin" -C "$dir" report
  cleanup="rm -rf $work/site-out" runs=$(( runs < 3 ? runs : 3 )) \
    row "\`gitsm site\` (fresh folder)" "$bin" -C "$dir" site -q -o "$work/site-out"
done
