#!/usr/bin/env bash
# generated from docs/cells/deploy.lit.md by weft — edit the source, not this file
set -euo pipefail
# Check a running cells key-value service end to end on 127.0.0.1:$PORT: write, read, replace,
# delete, read after delete, and the audit trail of those changes. With AUDIT_LOG (the service's),
# also the audit promise: while the log cannot be appended to, writes are refused, not lost. Exits 1
# at the first check that fails, naming it, with the status and body it got.

port="${PORT:-8787}"
base="http://127.0.0.1:$port"
key="smoke-$$-$RANDOM"
value="hello from smoke.sh, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
body_file="$(mktemp)"
trap 'rm -f "$body_file"' EXIT
checks=0

fail() {
  echo "smoke: FAIL: $*" >&2
  exit 1
}

# expect STATUS METHOD PATH [BODY]: make one request; fail unless it answers STATUS.
expect() {
  local want="$1" method="$2" path="$3" status
  local args=(-sS -o "$body_file" -w '%{http_code}' -X "$method" "$base$path")
  if [[ $# -ge 4 ]]; then args+=(--data-binary "$4"); fi
  status="$(curl "${args[@]}")" || fail "$method $path: no answer from $base (is the service running? scripts/cells/start.sh)"
  [[ "$status" == "$want" ]] || fail "$method $path answered $status, expected $want: $(cat "$body_file")"
  checks=$((checks + 1))
}

expect 201 PUT "/kv/$key" "$value"
expect 200 GET "/kv/$key"
[[ "$(cat "$body_file")" == "$value" ]] || fail "GET /kv/$key returned '$(cat "$body_file")', expected '$value'"
expect 204 PUT "/kv/$key" "$value, replaced"
expect 204 DELETE "/kv/$key"
expect 404 GET "/kv/$key"
expect 200 GET "/audit?limit=1000"
changes="$(grep -o "\"action\":\"[a-z]*\",\"key\":\"$key\"" "$body_file" | cut -d'"' -f4 | paste -sd, -)"
[[ "$changes" == "put,put,delete" ]] || fail "the audit trail for $key is '$changes', expected 'put,put,delete'"
checks=$((checks + 1))

if [[ -n "${AUDIT_LOG:-}" ]]; then
  aside="$AUDIT_LOG.smoke-aside-$$"
  mv "$AUDIT_LOG" "$aside"
  trap 'rm -f "$body_file"; if [[ -e "$aside" ]]; then rmdir "$AUDIT_LOG" 2>/dev/null || true; mv "$aside" "$AUDIT_LOG"; fi' EXIT
  mkdir "$AUDIT_LOG"
  expect 503 PUT "/kv/$key-unaudited" "must not be stored"
  expect 404 GET "/kv/$key-unaudited"
  rmdir "$AUDIT_LOG"
  mv "$aside" "$AUDIT_LOG"
  for attempt in $(seq 1 50); do
    status="$(curl -sS -o "$body_file" -w '%{http_code}' -X PUT --data-binary back "$base/kv/$key-audited-again")" || status=000
    [[ "$status" == 201 ]] && break
    [[ "$attempt" == 50 ]] && fail "writes were still refused 10 s after the audit log came back: $status $(cat "$body_file")"
    sleep 0.2
  done
  checks=$((checks + 1))
fi

echo "smoke: OK: $checks checks against $base"
