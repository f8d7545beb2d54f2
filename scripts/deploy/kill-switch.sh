#!/usr/bin/env bash
# Flips the onboarding kill switch through the admin API (POST /api/admin/kill-switch), as the rollback workflow
# does before redeploying when asked to. The admin bearer token comes from HUNTAZE_API_TOKEN (never an argument:
# the process list is readable by others). Transient failures (connection, 5xx, 429) are retried three times.
#
#   HUNTAZE_API_TOKEN=... scripts/deploy/kill-switch.sh https://func-huntaze-prod-xyz.azurewebsites.net on "rollback to v1.0.41"
#
# Exit codes: 0 the API confirmed the new state; 1 it refused or kept failing; 64 usage.
set -euo pipefail

usage() { echo "usage: $0 BASE_URL on|off [REASON]" >&2; exit 64; }
[[ $# -ge 2 && $# -le 3 ]] || usage
base="${1%/}"
case "$2" in on) active=true ;; off) active=false ;; *) usage ;; esac
reason="${3:-kill switch set by $(basename "$0")}"
[[ -n "${HUNTAZE_API_TOKEN:-}" ]] || { echo "HUNTAZE_API_TOKEN must hold an admin bearer token" >&2; exit 64; }

body="$(jq -cn --argjson active "$active" --arg reason "$reason" '{active: $active, reason: $reason}')"
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
for attempt in 1 2 3 4; do
  code="$(curl -s -o "$out" -w '%{http_code}' --max-time 15 -X POST \
    -H "Authorization: Bearer $HUNTAZE_API_TOKEN" -H 'Content-Type: application/json' \
    --data "$body" "$base/api/admin/kill-switch" || true)"
  if [[ "$code" == 200 ]]; then
    if [[ "$(jq -r '.active' "$out")" == "$active" ]]; then
      echo "kill switch $2: $(jq -c '{active, effectiveOnThisInstance, instance}' "$out")"
      exit 0
    fi
    echo "kill switch: the API answered 200 but reports active=$(jq -r '.active' "$out")" >&2
    exit 1
  fi
  if [[ "$code" != 000 && "$code" != 429 && "$code" != 5* ]]; then
    echo "kill switch: the API refused with $code: $(head -c 500 "$out")" >&2
    exit 1
  fi
  [[ $attempt -lt 4 ]] && sleep $((attempt * 2))
done
echo "kill switch: no success after 4 attempts (last status $code)" >&2
exit 1
