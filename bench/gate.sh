#!/usr/bin/env bash
# Gate cost on a long history, with decisions signed by real ssh-keygen keys
# (verified in process): `gitsm gate` walks only the history of the
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
  rm -rf "$dir" "$dir-sign" && mkdir -p "$dir" "$dir-sign/keys" && git -C "$dir" init -q -b main
  # Real keys, and decisions signed by `gitsm approve` on a scratch copy of
  # the change (the signature covers its content, not its history).
  for who in rita carol dave; do
    ssh-keygen -q -t ed25519 -N '' -C "$who" -f "$dir-sign/keys/$who"
  done
  {
    echo "people:"
    for who in rita carol dave; do
      echo "  $who: { name: $who, emails: [$who@example.com], keys: [\"$(cat "$dir-sign/keys/$who.pub")\"] }"
    done
    echo "groups:"
    echo "  cab: [carol, dave]"
  } > "$dir-sign/gitsm.yaml"
  cat > "$dir-sign/change.yaml" <<'YAML'
id: CHG-0001
title: Upgrade payments API
type: normal
status: authorize
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
YAML
  (
    cd "$dir-sign" && git init -q && mkdir -p changes && cp change.yaml changes/CHG-0001.yaml
    GITSM_NOW=2025-11-21T09:00:00+01:00 "$bin" approve CHG-0001 --key keys/carol >/dev/null
    cp changes/CHG-0001.yaml carol.yaml
    GITSM_NOW=2025-11-21T10:00:00+01:00 "$bin" approve CHG-0001 --key keys/dave >/dev/null
    cp changes/CHG-0001.yaml both.yaml
  )
  python3 - "$commits" "$dir-sign" <<'PY' | git -C "$dir" fast-import --quiet
import sys
n = int(sys.argv[1])
t0 = 1763629200  # 2025-11-20T10:00:00+01:00, after the change was created
def blob(text):
    data = text.encode()
    return b"data %d\n%s\n" % (len(data), data)
out = sys.stdout.buffer
sign = sys.argv[2]
config = open(sign + "/gitsm.yaml").read()
authorize = open(sign + "/change.yaml").read()
carol = open(sign + "/carol.yaml").read()
both = open(sign + "/both.yaml").read()
def incident(i, j):
    return "id: INC-%06d\ntitle: Incident %d (edit %d)\nstatus: new\ncreated_at: 2025-11-20T09:00:00+01:00\nreported_by: user@example.com\nimpact: low\nurgency: low\n" % (i, i, j)
mark = 0
for k in range(n):
    who = "rita"
    files = []
    if k == 0:
        files = [("gitsm.yaml", config), ("changes/CHG-0001.yaml", authorize)]
    elif k == n // 3:
        who = "carol"; files = [("changes/CHG-0001.yaml", carol)]
    elif k == n // 2:
        who = "dave"; files = [("changes/CHG-0001.yaml", both)]
    elif k == 2 * n // 3:
        files = [("changes/CHG-0001.yaml", both.replace("status: authorize", "status: scheduled"))]
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
echo "| $commits | gitsm validate --range HEAD~100..HEAD | $(median_ms "$bin" -C "$dir" validate --range HEAD~100..HEAD) | |"
echo "| $commits | git log --oneline -- changes/CHG-0001.yaml (floor) | $(median_ms git -C "$dir" log --oneline -- changes/CHG-0001.yaml) | |"
