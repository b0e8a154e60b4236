#!/usr/bin/env bash
# Runs two field-validator components (say the Rust example and a port) on the same inputs with
# `portico plugin run` and compares the (marker, code) of every violation; messages are shown
# where they differ (parser errors are worded by each language's parser).
#
#   parity.sh PORTICO_BINARY A.wasm B.wasm INPUT.json...
set -euo pipefail
portico=$1 a=$2 b=$3
shift 3
status=0
for input in "$@"; do
  run() { "$portico" plugin run "$1" --interface field-validator --input "$input" 2>/dev/null | jq -c '.result.violations // [] | .[]' || true; }
  ra=$(run "$a") rb=$(run "$b")
  if [[ "$(jq -c "[.marker, .code]" <<<"$ra")" == "$(jq -c "[.marker, .code]" <<<"$rb")" ]]; then
    echo "$(basename "$input"): same $(wc -l <<<"$ra") violations (marker, code)"
    diff <(jq -r .message <<<"$ra") <(jq -r .message <<<"$rb") | grep '^[<>]' | sed 's/^/  message: /' || true
  else
    echo "$(basename "$input"): DIFFERENT"
    diff <(jq -c '[.marker, .code]' <<<"$ra") <(jq -c '[.marker, .code]' <<<"$rb") || true
    status=1
  fi
done
exit $status
