#!/usr/bin/env bash
# Gate cost on a long history: `gitsm gate` walks only the history of the
# one change file (commits that did not touch the changes folder are
# skipped by comparing tree ids), so it should stay well under a second on
# a repository of 10,000 commits.
#
#   bash bench/gate.sh            # 10,000 commits
#   COMMITS=50000 bash bench/gate.sh
#
# The repository is written with `git fast-import` (fast, deterministic).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin gitsm
bin=$PWD/target/release/gitsm
commits=${COMMITS:-10000}
runs=${RUNS:-7}
dir=${BENCH_DIR:-$PWD/target/bench}/gate-$commits

if [ ! -d "$dir/.git" ]; then
  rm -rf "$dir" && mkdir -p "$dir" && git -C "$dir" init -q -b main
  python3 - "$commits" <<'PY' | git -C "$dir" fast-import --quiet
import sys
n = int(sys.argv[1])
t0 = 1763600000  # 2025-11-20
def blob(text):
    data = text.encode()
    return b"data %d\n%s\n" % (len(data), data)
out = sys.stdout.buffer
config = """people:
  rita: { name: Rita, emails: [rita@example.com] }
  carol: { name: Carol, emails: [carol@example.com] }
  dave: { name: Dave, emails: [dave@example.com] }
groups:
  cab: [carol, dave]
"""
change = """id: CHG-0001
title: Upgrade payments API
type: normal
status: %s
created_at: 2025-11-20T09:00:00+01:00
requested_by: rita
risk: medium
impact: medium
window:
  start: 2027-01-10T20:00:00+01:00
  end: 2027-01-10T23:00:00+01:00
implementation_plan: Deploy.
backout_plan: Roll back.
test_plan: Smoke tests.
release: [payments-api@2.4.0]
"""
approvals = "approvals:\n  - by: carol\n    decision: approved\n    at: 2025-11-21T09:00:00+01:00\n  - by: dave\n    decision: approved\n    at: 2025-11-21T10:00:00+01:00\n"
def incident(i, j):
    return "id: INC-%06d\ntitle: Incident %d (edit %d)\nstatus: new\ncreated_at: 2025-11-20T09:00:00+01:00\nreported_by: user@example.com\nimpact: low\nurgency: low\n" % (i, i, j)
mark = 0
for k in range(n):
    who = "rita"
    files = []
    if k == 0:
        files = [("gitsm.yaml", config), ("changes/CHG-0001.yaml", change % "authorize")]
    elif k == n // 3:
        who = "carol"; files = [("changes/CHG-0001.yaml", change % "authorize" + approvals.split("  - by: dave")[0])]
    elif k == n // 2:
        who = "dave"; files = [("changes/CHG-0001.yaml", change % "authorize" + approvals)]
    elif k == 2 * n // 3:
        files = [("changes/CHG-0001.yaml", change % "scheduled" + approvals)]
    else:
        files = [("incidents/INC-%06d.yaml" % (k % 5000), incident(k % 5000, k))]
    t = t0 + k * 60
    out.write(b"commit refs/heads/main\n")
    out.write(b"author %s <%s@example.com> %d +0100\n" % (who.encode(), who.encode(), t))
    out.write(b"committer %s <%s@example.com> %d +0100\n" % (who.encode(), who.encode(), t))
    out.write(blob("commit %d" % k))
    for path, text in files:
        out.write(b"M 100644 inline %s\n" % path.encode())
        out.write(blob(text))
    out.write(b"\n")
PY
  git -C "$dir" reset -q --hard main
fi

source bench/lib.sh

at=2027-01-10T21:00:00+01:00
echo "| commits | command | median, ms wall / cpu | result |"
echo "|---:|---|---:|---|"
result=$("$bin" -C "$dir" gate --change CHG-0001 --at $at | head -n1)
echo "| $commits | gitsm gate --change CHG-0001 | $(median_ms "$bin" -C "$dir" gate --change CHG-0001 --at $at) | $result |"
result=$("$bin" -C "$dir" gate --release payments-api@2.4.0 --at $at | head -n1)
echo "| $commits | gitsm gate --release payments-api@2.4.0 | $(median_ms "$bin" -C "$dir" gate --release payments-api@2.4.0 --at $at) | $result |"
echo "| $commits | git log --oneline -- changes/CHG-0001.yaml (floor) | $(median_ms git -C "$dir" log --oneline -- changes/CHG-0001.yaml) | |"
