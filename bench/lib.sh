# Shared by the bench scripts: a hermetic Git environment and timing.
# Source it after `cd` to the project root; set `runs` first.

export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 NO_COLOR=1
export GITSM_NOW=2026-11-21T10:00:00+01:00
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com

timing=$(mktemp)
trap 'rm -f "$timing"' EXIT

# Median wall time and median CPU time (user + system) of `runs` runs of a
# command, in milliseconds: "wall / cpu". On a busy machine the CPU figure
# is the stable one. `$cleanup`, when set, runs after each run, untimed.
median_ms() {
  local walls=() cpus=()
  for _ in $(seq "$runs"); do
    local t0 t1 cpu
    t0=$(date +%s%N)
    { TIMEFORMAT='%3U %3S'; time "$@" >/dev/null 2>&1 || true; } 2>"$timing"
    cpu=$(tail -n1 "$timing" | awk '{printf "%d", ($1 + $2) * 1000}')
    t1=$(date +%s%N)
    ${cleanup:-true}
    walls+=($(( (t1 - t0) / 1000000 )))
    cpus+=("$cpu")
  done
  local wall cpu
  wall=$(printf '%s\n' "${walls[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  cpu=$(printf '%s\n' "${cpus[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  printf '%s / %s' "$wall" "$cpu"
}

# "wall / cpu | peak MB": `median_ms` and the peak resident set of one
# more run.
measure() {
  local times mem
  times=$(median_ms "$@")
  mem=$(/usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -n1)
  ${cleanup:-true}
  printf '%s | %d' "$times" "$((mem / 1024))"
}
