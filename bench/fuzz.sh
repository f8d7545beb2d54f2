#!/usr/bin/env bash
# The full fuzz run of issue 15 (docs/api/README.md): COUNT requests (10,000 by default) generated from the
# OpenAPI document with seed SEED (15, CI's seed), sent to a local host and Azurite of its own on 127.0.0.1.
# Prints the figures line ("[fuzz] seed …: N requests …; 5xx: 0; …"). Usage: bash bench/fuzz.sh [COUNT] [SEED]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export HUNTAZE_FUZZ_REQUESTS=${1:-10000} HUNTAZE_FUZZ_SEED=${2:-15}
uptime
rm -f tests/Huntaze.IntegrationTests/bin/Debug/net10.0/robustness-figures.txt
dotnet test --project tests/Huntaze.IntegrationTests --filter-method "*Fuzz_GeneratedAndMutatedRequests*" --output Detailed 2>&1 | grep -E "passed|failed|skipped|total:" || true
cat tests/Huntaze.IntegrationTests/bin/Debug/net10.0/robustness-figures.txt
