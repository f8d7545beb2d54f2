#!/usr/bin/env bash
# Issue 8 item 7 measured from outside, as the review did: wrk against GET /api/onboarding on the local host
# (Release, its own Azurite on free ports, the reads limit raised), CONNECTIONS connections for SECONDS seconds,
# once with one user per request in turn (USERS distinct users) and once with every request as the same user.
# Prints p50/p99 and req/s of each and the one-user / many-users p99 ratio (goal <= 1.5).
# Usage: bash bench/hot-user.sh [SECONDS=15] [CONNECTIONS=64] [USERS=64]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
SECONDS_PER_RUN=${1:-15} CONNECTIONS=${2:-64} USERS=${3:-64}
command -v wrk > /dev/null || { echo "wrk is required (apt install wrk)" >&2; exit 2; }
work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null || true; done; wait 2> /dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_for() { for _ in $(seq 1 600); do curl -fsS -o /dev/null "$1" 2> /dev/null && return 0; sleep 0.2; done; echo "timed out waiting for $1" >&2; return 1; }

for project in src/Huntaze.LocalHost src/Huntaze.Cli; do dotnet build -c Release -v q "$project" > "$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }; done
blob=$(free_port) queue=$(free_port) table=$(free_port) http=$(free_port)
node tools/azurite/node_modules/azurite/dist/src/azurite.js --silent --inMemoryPersistence --skipApiVersionCheck --disableTelemetry \
  --blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1 --blobPort "$blob" --queuePort "$queue" --tablePort "$table" > "$work/azurite.log" 2>&1 &
pids+=($!)
key=$(python3 -c 'import base64,os; print(base64.b64encode(os.urandom(32)).decode())')
account='AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='
export AzureWebJobsStorage="DefaultEndpointsProtocol=http;$account;BlobEndpoint=http://127.0.0.1:$blob/devstoreaccount1;QueueEndpoint=http://127.0.0.1:$queue/devstoreaccount1;TableEndpoint=http://127.0.0.1:$table/devstoreaccount1"
export Auth__Issuer=https://huntaze.local/bench Auth__Audience=api://huntaze-onboarding Auth__DevelopmentSigningKey="$key"
export Flags__SeedEnabled__0=Onboarding RateLimits__reads__Limit=100000000 RateLimits__reads__ReservationSize=12 RateLimits__reads__MaxReservationSize=60
# The timers the host requires a schedule for, set to once a year so none fires during the run (as BenchTimers does).
export Logging__LogLevel__Default=Warning Privacy__RetentionSchedule="0 0 0 1 1 *" Backups__Schedule="0 0 2 1 1 *" Backups__DrillSchedule="0 0 4 1 1 *"
dotnet src/Huntaze.LocalHost/bin/Release/net10.0/Huntaze.LocalHost.dll --no-local-settings --urls "http://127.0.0.1:$http" > "$work/host.log" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$http/api/health/ready"

cli=src/Huntaze.Cli/bin/Release/net10.0/huntaze.dll
for i in $(seq 1 "$USERS"); do
  dotnet "$cli" token --user "hot-$i-$RANDOM" --market US --key "$key" --issuer "$Auth__Issuer" --audience "$Auth__Audience" >> "$work/tokens"
done
head -1 "$work/tokens" > "$work/one-token"
cat > "$work/rotate.lua" << 'EOF'
local tokens, n = {}, 0
function init(args)
  for line in io.lines(args[1]) do tokens[#tokens + 1] = line end
end
function request()
  n = n + 1
  return wrk.format("GET", "/api/onboarding", { ["Authorization"] = "Bearer " .. tokens[(n % #tokens) + 1] })
end
EOF

run() { # $1 label, $2 token file
  wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --timeout 10s --latency -s "$work/rotate.lua" "http://127.0.0.1:$http" -- "$2" > "$work/$1.txt"
  local p50 p99 rps errors
  p50=$(awk '$1=="50%"{print $2}' "$work/$1.txt") p99=$(awk '$1=="99%"{print $2}' "$work/$1.txt")
  rps=$(awk '/Requests\/sec/{print $2}' "$work/$1.txt")
  errors=$(awk '/Non-2xx|Socket errors/{printf "%s ", $0}' "$work/$1.txt")
  echo "$1|$p50|$p99|$rps|${errors:-none}"
}
ms() { awk -v v="$1" 'BEGIN { if (v ~ /us$/) print v / 1000; else if (v ~ /ms$/) print v + 0; else print v * 1000 }'; }

uptime
curl -fsS -o /dev/null -H "Authorization: Bearer $(cat "$work/one-token")" "http://127.0.0.1:$http/api/onboarding"
wrk -t2 -c"$CONNECTIONS" -d5s -s "$work/rotate.lua" "http://127.0.0.1:$http" -- "$work/tokens" > /dev/null # warm-up
many=$(run "users" "$work/tokens")
one=$(run "one" "$work/one-token")
uptime
echo
echo "| GET /api/onboarding, $CONNECTIONS connections, ${SECONDS_PER_RUN} s | p50 | p99 | req/s | errors |"
echo "|---|---|---|---|---|"
IFS='|' read -r _ m50 m99 mrps merr <<< "$many"
IFS='|' read -r _ o50 o99 orps oerr <<< "$one"
echo "| $USERS users, one per request in turn | $m50 | $m99 | $mrps | $merr |"
echo "| one user | $o50 | $o99 | $orps | $oerr |"
awk -v o="$(ms "$o99")" -v m="$(ms "$m99")" -v u="$USERS" 'BEGIN { printf "\none user p99 / %s users p99 = %.2f (goal <= 1.5)\n", u, o / m }'
