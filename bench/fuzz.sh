#!/usr/bin/env bash
# Fuzz the library in process (examples/fuzz.rs, harness in
# tests/fuzz/harness.rs) with a release build: prints executions, their
# rate, the stages reached, peak memory and findings; exits 1 on a finding
# (inputs in target/fuzz-findings/).
#
#   bash bench/fuzz.sh                          # one minute, every core
#   bash bench/fuzz.sh --seconds 3600 --seed 7
#   bash bench/fuzz.sh --executions 10000000
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --example fuzz
exec target/release/examples/fuzz "$@"
