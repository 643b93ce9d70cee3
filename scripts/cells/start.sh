#!/usr/bin/env bash
# generated from docs/cells/deploy.lit.md by weft — edit the source, not this file
set -euo pipefail
# Start the cells key-value service in the background on 127.0.0.1:$PORT and wait until /health
# answers. Fails, showing the end of the log, if the bundle is missing, the service is already
# running, or it does not come up within 5 seconds.

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
port="${PORT:-8787}"
bundle="${CELLS_SERVICE_BUNDLE:-dist/cells/service/main.js}"
run_dir="${CELLS_RUN_DIR:-${TMPDIR:-/tmp}/weft-cells-$port}"
pid_file="$run_dir/service.pid"
log_file="$run_dir/service.log"

fail() {
  echo "start: $*" >&2
  exit 1
}

[[ -f "$bundle" ]] || fail "no bundle at $bundle; run 'node bin/weft.js tangle' to build it, or set CELLS_SERVICE_BUNDLE"
if [[ -f "$pid_file" ]] && kill -0 "$(cat "$pid_file")" 2>/dev/null; then
  fail "already running as pid $(cat "$pid_file") (log: $log_file); run scripts/cells/stop.sh first"
fi

mkdir -p "$run_dir"
PORT="$port" nohup node --enable-source-maps "$bundle" </dev/null >"$log_file" 2>&1 &
pid=$!
echo "$pid" >"$pid_file"

for _ in $(seq 1 50); do
  if curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1; then
    echo "start: cells-kv is up on http://127.0.0.1:$port (pid $pid, log $log_file)"
    exit 0
  fi
  if ! kill -0 "$pid" 2>/dev/null; then
    tail -n 20 "$log_file" >&2
    rm -f "$pid_file"
    fail "the service exited during start; the end of its log is above"
  fi
  sleep 0.1
done
tail -n 20 "$log_file" >&2
kill "$pid" 2>/dev/null || true
rm -f "$pid_file"
fail "no answer from http://127.0.0.1:$port/health within 5 seconds; stopped pid $pid"
