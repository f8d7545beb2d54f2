#!/usr/bin/env bash
# The full lost-update run of issue 15 (docs/api/README.md): COUNT increments (10,000 by default) through
# read-modify-write with If-Match while storage is slow, answers 503 and loses responses (fault seed SEED).
# Prints the figures line ("[counter] increments acknowledged N …, stored N …"). Usage: bash bench/faults.sh [COUNT] [SEED]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export HUNTAZE_COUNTER_INCREMENTS=${1:-10000} HUNTAZE_FAULT_SEED=${2:-15}
uptime
rm -f tests/Huntaze.IntegrationTests/bin/Debug/net10.0/robustness-figures.txt
dotnet test --project tests/Huntaze.IntegrationTests --filter-class "*CounterUnderFaultsTests" --output Detailed 2>&1 | grep -E "passed|failed|skipped|total:" || true
cat tests/Huntaze.IntegrationTests/bin/Debug/net10.0/robustness-figures.txt
