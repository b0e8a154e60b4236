#!/usr/bin/env bash
# Measures components with the real engine: `portico plugin run` (default limits), RUNS runs
# each, reporting the median of each figure. Compile time is the command's wall time less the
# call (the runner compiles the component on every run, as an upload does).
#
#   measure.sh PORTICO_BINARY INPUT.json COMPONENT.wasm...
set -euo pipefail
portico=$1 input=$2
shift 2
runs=${RUNS:-5}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
printf '| component | bytes | input | outcome | violations | fuel | call ms | compile s |\n|---|---|---|---|---|---|---|---|\n'
for wasm in "$@"; do
  if ! error=$("$portico" plugin run "$wasm" --interface field-validator --input "$input" 2>&1 >/dev/null) \
    && grep -q '^Error' <<<"$error"; then
    printf '| %s | %s | %s | refused: %s |\n' "$(basename "$wasm")" "$(stat -c %s "$wasm")" "$(basename "$input")" \
      "$(grep -m1 '^Error' <<<"$error" | sed 's/^Error: [^:]*: //')"
    continue
  fi
  fuel=() call=() wall=() outcome="" found=""
  for _ in $(seq "$runs"); do
    start=$(date +%s%N)
    report=$("$portico" plugin run "$wasm" --interface field-validator --input "$input" 2>/dev/null || true)
    end=$(date +%s%N)
    outcome=$(jq -r '.outcome' <<<"$report")
    found=$(jq -r '(.result.violations // .result // []) | if type == "array" then length else "-" end' <<<"$report")
    fuel+=("$(jq -r '.fuelUsed // 0' <<<"$report")")
    call+=("$(jq -r '.durationUs // 0' <<<"$report")")
    wall+=("$(( (end - start) / 1000 ))")
  done
  f=$(printf '%s\n' "${fuel[@]}" | median)
  c=$(printf '%s\n' "${call[@]}" | median)
  w=$(printf '%s\n' "${wall[@]}" | median)
  printf '| %s | %s | %s | %s | %s | %s | %.2f | %.2f |\n' "$(basename "$wasm")" "$(stat -c %s "$wasm")" \
    "$(basename "$input")" "$outcome" "$found" "$f" "$(bc -l <<<"$c/1000")" "$(bc -l <<<"($w-$c)/1000000")"
done
