#!/usr/bin/env bash
# Getting records in on a large repository (examples/corpus.rs, flat,
# 54 commits): `gitsm intake` of an Alertmanager payload with two alerts
# (both open incidents; then both repeat on them, found through the local
# index), and `gitsm import` of a ServiceNow incident export; median wall
# / CPU ms and peak MB, next to `git status` on the same tree.
#
#   bash bench/intake.sh                 # 10,000 and 100,000 records
#   SIZES=10000 ROWS=5000 bash bench/intake.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin gitsm --example corpus
bin=$PWD/target/release/gitsm
corpus=$PWD/target/release/examples/corpus
work=${BENCH_DIR:-$PWD/target/bench}
runs=${RUNS:-5}
rows=${ROWS:-1000}
alert=$PWD/tests/it/fixtures/intake/alertmanager-firing.json
source bench/lib.sh

export_csv=$work/servicenow-incident-$rows.csv
python3 - "$rows" > "$export_csv" <<'PY'
import sys, datetime
n = int(sys.argv[1])
print("number,opened_at,short_description,description,caller_id,opened_by,priority,impact,urgency,state,category,assignment_group,assigned_to,cmdb_ci,business_service,resolved_at,closed_at,close_code,close_notes,sys_updated_on")
states = ["New", "In Progress", "On Hold", "Resolved", "Closed", "Canceled"]
prios = ["1 - Critical", "2 - High", "3 - Moderate", "4 - Low", "5 - Planning"]
start = datetime.datetime(2025, 1, 1)
f = lambda t: t.strftime("%Y-%m-%d %H:%M:%S")
for i in range(n):
    t = start + datetime.timedelta(hours=2 * i)
    s = states[i % 6]
    done = s in ("Resolved", "Closed")
    res = f(t + datetime.timedelta(minutes=45)) if done else ""
    clo = f(t + datetime.timedelta(hours=1)) if s == "Closed" else ""
    code = "Solved (Permanently)" if done else ""
    print(f"INC{1000000 + i},{f(t)},Incident number {i},Reported by phone.,Beth Anglin,,{prios[i % 5]},,,{s},Network,Service Desk,,,,{res},{clo},{code},,{f(t)}")
PY

echo "| records | command | ms wall / cpu | peak MB |"
echo "|---:|---|---:|---:|"
for n in ${SIZES:-10000 100000}; do
  dir=$work/run-$n-flat
  if [ ! -f "$dir/gitsm.yaml" ]; then
    rm -rf "$dir"
    "$corpus" "$dir" "$n" flat --commits 54 >/dev/null
    git -C "$dir" gc -q
  fi
  git -C "$dir" checkout -q -f -B bench-intake "$(git -C "$dir" rev-parse HEAD)"
  git -C "$dir" clean -fdq
  "$bin" -C "$dir" list --open >/dev/null   # the local index, warm
  printf '| %s | `git status` | %s |\n' "$n" "$(cd "$dir" && measure git status --porcelain)"
  cleanup="git -C $dir clean -fdq"
  printf '| %s | `intake` (two alerts open two incidents) | %s |\n' "$n" "$(cd "$dir" && measure "$bin" intake "$alert")"
  "$bin" -C "$dir" intake "$alert" --commit >/dev/null
  cleanup="git -C $dir checkout -q -- ."
  printf '| %s | `intake` (two repeats on open incidents) | %s |\n' "$n" "$(cd "$dir" && measure "$bin" intake "$alert")"
  cleanup="git -C $dir clean -fdq"
  printf '| %s | `import --from servicenow --kind incident` (%s rows) | %s |\n' "$n" "$rows" \
    "$(cd "$dir" && measure "$bin" import --from servicenow --kind incident "$export_csv")"
  unset cleanup
  git -C "$dir" reset -q --hard HEAD~1
done
