#!/usr/bin/env bash
# Post-deploy smoke test: the app at BASE_URL must run EXPECTED_COMMIT (GET /api/health reports its build) and be
# ready (GET /api/health/ready answers 200). Both are retried until the deadline, because after a deployment the old
# instances keep answering with the old commit for a while and a cold start can briefly answer 503.
#
#   scripts/deploy/smoke.sh https://func-huntaze-prod-xyz.azurewebsites.net 0123456789abcdef0123456789abcdef01234567
#
# Environment: SMOKE_TIMEOUT_SECONDS (default 300) bounds the whole check, SMOKE_INTERVAL_SECONDS (default 5) is the
# pause between attempts. Exit codes: 0 passed; 1 the app never reported the expected commit; 2 it never became
# ready; 64 usage. With GITHUB_STEP_SUMMARY set, a line is added to the job summary.
set -euo pipefail

usage() { echo "usage: $0 BASE_URL EXPECTED_COMMIT" >&2; exit 64; }
[[ $# -eq 2 ]] || usage
base="${1%/}"
expected="$2"
[[ "$base" =~ ^https?:// ]] || usage
[[ -n "$expected" ]] || usage

timeout_s="${SMOKE_TIMEOUT_SECONDS:-300}"
interval_s="${SMOKE_INTERVAL_SECONDS:-5}"
deadline=$((SECONDS + timeout_s))
body="$(mktemp)"
trap 'rm -f "$body"' EXIT

summary() {
  echo "$1"
  if [[ -n "${GITHUB_STEP_SUMMARY:-}" ]]; then echo "- smoke: $1" >>"$GITHUB_STEP_SUMMARY"; fi
}

# GET url -> the status code in $code and the body in $body; a connection failure is code 000.
get() {
  code="$(curl -s -o "$body" -w '%{http_code}' --max-time 10 "$1" || true)"
  code="${code:-000}"
}

started=$SECONDS
commit=""
while :; do
  get "$base/api/health"
  if [[ "$code" == 200 ]]; then
    commit="$(jq -r '.build.commit // empty' "$body" 2>/dev/null || true)"
    [[ "$commit" == "$expected" ]] && break
  fi
  if ((SECONDS >= deadline)); then
    summary "FAILED: $base/api/health reports commit '${commit:-?}' (last status $code), expected '$expected' (${timeout_s} s)"
    exit 1
  fi
  sleep "$interval_s"
done
version="$(jq -r '.build.version // "?"' "$body")"
echo "commit $commit (version $version) answering after $((SECONDS - started)) s"

while :; do
  get "$base/api/health/ready"
  [[ "$code" == 200 ]] && break
  if ((SECONDS >= deadline)); then
    summary "FAILED: $base/api/health/ready answered $code within ${timeout_s} s: $(head -c 500 "$body")"
    exit 2
  fi
  sleep "$interval_s"
done
summary "passed: $base runs $commit (version $version) and is ready after $((SECONDS - started)) s"
