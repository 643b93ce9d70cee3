#!/usr/bin/env bash
# generated from docs/cells/broker.lit.md by weft — edit the source, not this file
set -euo pipefail
# Run the cells key-value service as two processes that share work through one NATS broker, all on
# 127.0.0.1: start nats-server with JetStream, start both processes (partitions 0 and 1), make
# $WRITES writes through both, and check that every acknowledged write is readable through both and
# audited exactly once. Stops everything it started, whatever happens.
# requires: nats-server

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
nats_port="${NATS_PORT:-4222}"
ports=("${PORT_A:-8791}" "${PORT_B:-8792}")
writes="${WRITES:-1000}"
work_dir="$(mktemp -d "${TMPDIR:-/tmp}/weft-cells-nats-XXXXXX")"
nats_pid=""

fail() {
  echo "nats-demo: FAIL: $*" >&2
  exit 1
}

cleanup() {
  for port in "${ports[@]}"; do
    PORT="$port" CELLS_RUN_DIR="$work_dir/run-$port" scripts/cells/stop.sh >/dev/null 2>&1 || true
  done
  if [[ -n "$nats_pid" ]]; then
    kill "$nats_pid" 2>/dev/null || true
    wait "$nats_pid" 2>/dev/null || true
  fi
  rm -rf "$work_dir"
}
trap cleanup EXIT

command -v nats-server >/dev/null || fail "nats-server is not installed (Debian: apt-get install nats-server)"
nats-server -js -a 127.0.0.1 -p "$nats_port" -sd "$work_dir/jetstream" >"$work_dir/nats.log" 2>&1 &
nats_pid=$!
for attempt in $(seq 1 50); do
  if grep -q "Server is ready" "$work_dir/nats.log"; then break; fi
  if ! kill -0 "$nats_pid" 2>/dev/null; then
    cat "$work_dir/nats.log" >&2
    fail "nats-server exited during start; its log is above"
  fi
  if [[ "$attempt" == 50 ]]; then fail "nats-server was not ready within 5 s"; fi
  sleep 0.1
done

for index in 0 1; do
  AUDIT_LOG='' NATS_URL="nats://127.0.0.1:$nats_port" CELLS_PARTITIONS=2 CELLS_PARTITION="$index" \
    PORT="${ports[$index]}" CELLS_RUN_DIR="$work_dir/run-${ports[$index]}" scripts/cells/start.sh >/dev/null
done

# requests METHOD PORT [KEYS...]: one curl for all of them; prints "STATUS KEY" per request.
requests() {
  local method="$1" port="$2" config="$work_dir/curl-$1-$2"
  shift 2
  : >"$config"
  for key in "$@"; do printf 'url = "http://127.0.0.1:%s/kv/%s"\noutput = "/dev/null"\n' "$port" "$key" >>"$config"; done
  local data=()
  if [[ "$method" == PUT ]]; then data=(--data-binary "written by nats-demo.sh"); fi
  curl -sS -X "$method" "${data[@]}" -w '%{http_code} %{url_effective}\n' -K "$config" | sed -E 's|^([0-9]+) http://[^/]+/kv/|\1 |'
}

even=() odd=()
for ((index = 0; index < writes; index += 1)); do
  if ((index % 2 == 0)); then even+=("demo-$index"); else odd+=("demo-$index"); fi
done
requests PUT "${ports[0]}" "${even[@]}" >"$work_dir/writes-a" &
first=$!
requests PUT "${ports[1]}" "${odd[@]}" >"$work_dir/writes-b" &
second=$!
wait "$first" "$second" # not a bare `wait`: the broker is a background job too
cat "$work_dir/writes-a" "$work_dir/writes-b" >"$work_dir/writes"
acknowledged="$(grep -cE '^(201|204) ' "$work_dir/writes" || true)"
[[ "$acknowledged" -gt 0 ]] || fail "no write was acknowledged: $(head -n 3 "$work_dir/writes")"
grep -E '^(201|204) ' "$work_dir/writes" | cut -d' ' -f2 | sort >"$work_dir/acknowledged"

mapfile -t keys <"$work_dir/acknowledged"
for port in "${ports[@]}"; do
  unreadable="$(requests GET "$port" "${keys[@]}" | grep -vc '^200 ' || true)"
  [[ "$unreadable" == 0 ]] || fail "$unreadable acknowledged writes were not readable through port $port"
done
curl -sS "http://127.0.0.1:${ports[0]}/audit?limit=1000" -o "$work_dir/audit"
grep -o '"key":"demo-[0-9]*"' "$work_dir/audit" | cut -d'"' -f4 | sort >"$work_dir/audited"
repeated="$(uniq -d "$work_dir/audited" | wc -l)"
[[ "$repeated" == 0 ]] || fail "$repeated writes were audited more than once"
missing="$(comm -23 "$work_dir/acknowledged" "$work_dir/audited" | wc -l)"
[[ "$missing" == 0 ]] || fail "$missing acknowledged writes are missing from the audit stream"
echo "nats-demo: OK: $writes writes through 2 processes and one broker; $acknowledged acknowledged, each readable through both and audited exactly once"
