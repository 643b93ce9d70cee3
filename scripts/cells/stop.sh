#!/usr/bin/env bash
# generated from docs/cells/deploy.lit.md by weft — edit the source, not this file
set -euo pipefail
# Stop the cells key-value service that start.sh started on $PORT: SIGTERM, which lets it finish
# requests in flight and stop its cells; SIGKILL only if it is still running 10 seconds later.
# Stopping a service that is not running is not an error.

port="${PORT:-8787}"
run_dir="${CELLS_RUN_DIR:-${TMPDIR:-/tmp}/weft-cells-$port}"
pid_file="$run_dir/service.pid"

# alive PID: true if PID is a running process, not a zombie.
alive() {
  local state
  state="$(ps -o stat= -p "$1" 2>/dev/null)" || return 1
  [[ -n "$state" && "$state" != Z* ]]
}

if [[ ! -f "$pid_file" ]]; then
  echo "stop: not running on port $port (no $pid_file)"
  exit 0
fi
pid="$(cat "$pid_file")"
if ! alive "$pid"; then
  rm -f "$pid_file"
  echo "stop: pid $pid had already exited; removed $pid_file"
  exit 0
fi

command="$(ps -o args= -p "$pid" 2>/dev/null || true)"
if [[ "$command" != node* ]]; then
  echo "stop: pid $pid is '$command', not the service; remove $pid_file by hand if it is stale" >&2
  exit 1
fi

kill -TERM "$pid"
for _ in $(seq 1 100); do
  if ! alive "$pid"; then
    rm -f "$pid_file"
    echo "stop: stopped pid $pid"
    exit 0
  fi
  sleep 0.1
done
echo "stop: pid $pid still running 10 seconds after SIGTERM; sending SIGKILL" >&2
kill -KILL "$pid" 2>/dev/null || true
rm -f "$pid_file"
