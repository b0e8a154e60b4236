#!/usr/bin/env bash
# Measures field-validator components in a real Portico server (its pooling allocator, the
# compiled component cached) through HTTP dry runs, including components over the default
# 24 MiB componentBytes: starts `portico serve` on loopback with a throw-away database, raises
# the tenant's componentBytes to 64 MiB and its fuel to 1e9 (so that a call over the default
# 10 M shows what it needs), uploads each component (the upload's time is its compile time)
# and dry-runs it RUNS times on each input. Prints a markdown table of medians. The per-call
# cost without HTTP, beside the Rust guest: `cargo bench -p portico-wasm-runtime --bench
# languages` (docs/performance.md, "Plugin languages").
#
#   measure-server.sh PORTICO_BINARY INPUTS.json,... COMPONENT.wasm...
set -euo pipefail
portico=$1 inputs=$2
shift 2
runs=${RUNS:-10}
port=${PORT:-18391}
data=$(mktemp -d)
export PORTICO_OPERATOR_TOKEN=measure-operator-token-0000 PORTICO_SERVER=http://127.0.0.1:$port
"$portico" serve --data "$data" --listen "127.0.0.1:$port" >"$data/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 50); do curl -sf "$PORTICO_SERVER/livez" >/dev/null && break; sleep 0.2; done
"$portico" tenants create measure --json >/dev/null
PORTICO_API_KEY=$("$portico" api-keys create --tenant measure --json | jq -r .key)
export PORTICO_API_KEY
"$portico" plugin-limits set --component-bytes $((64 << 20)) --fuel 1000000000 >/dev/null
"$portico" plugin-limits set --tenant measure --component-bytes $((64 << 20)) --fuel 1000000000 >/dev/null
api=$PORTICO_SERVER/v1/tenants/measure
auth=(-H "Authorization: Bearer $PORTICO_API_KEY")
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
printf '| component | bytes | upload s | input | outcome | fuel | call ms (median of %s) |\n|---|---|---|---|---|---|---|\n' "$runs"
n=0
for wasm in "$@"; do
  n=$((n + 1))
  start=$(date +%s%N)
  answer=$(curl -s -w "\n%{http_code}" -X POST "$api/plugins?name=p$n" "${auth[@]}" -H "Content-Type: application/wasm" \
    --data-binary @"$wasm")
  if [[ $(tail -n1 <<<"$answer") != 2* ]]; then
    echo "| $(basename "$wasm") | $(stat -c %s "$wasm") | refused: $(head -n1 <<<"$answer" | jq -c .error) |"
    continue
  fi
  upload=$(( ($(date +%s%N) - start) / 1000000 ))
  IFS=, read -ra files <<<"$inputs"
  for input in "${files[@]}"; do
    body=$(jq -c '{interface: "field-validator", settings: (.settings // {}), input: {fields: .fields}}' "$input")
    fuel=() call=() outcome=""
    for _ in $(seq "$runs"); do
      report=$(curl -s -X POST "$api/plugins/p$n/versions/1/dry-run" "${auth[@]}" \
        -H 'Content-Type: application/json' -d "$body")
      outcome=$(jq -r .outcome <<<"$report")
      fuel+=("$(jq -r '.fuelUsed // 0' <<<"$report")")
      call+=("$(jq -r '.durationUs // 0' <<<"$report")")
    done
    printf '| %s | %s | %.1f | %s | %s | %s | %.2f |\n' "$(basename "$wasm")" "$(stat -c %s "$wasm")" \
      "$(bc -l <<<"$upload/1000")" "$(basename "$input")" "$outcome" \
      "$(printf '%s\n' "${fuel[@]}" | median)" "$(bc -l <<<"$(printf '%s\n' "${call[@]}" | median)/1000")"
  done
done
