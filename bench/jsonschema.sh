#!/usr/bin/env bash
# check-jsonschema over every record file of a managed repository, one
# schema per kind, in batches of 5,000 files per process (as a user would
# with find | xargs):  bash bench/jsonschema.sh REPO SCHEMA_DIR
set -euo pipefail
dir=$1 schemas=$2
for kind in incident:incidents problem:problems change:changes request:requests ci:cis; do
  find "$dir/${kind#*:}" -name '*.yaml' -print0 |
    xargs -0 -n 5000 check-jsonschema --schemafile "$schemas/${kind%%:*}.schema.json" >/dev/null
done
