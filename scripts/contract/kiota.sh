#!/usr/bin/env bash
# Generates the C# client of docs/api/openapi.json with Kiota (the local tool pinned in dotnet-tools.json, restored
# from the NuGet registry) into the folder given as $1. Used by regenerate.sh and by the test that compares a fresh
# generation with the committed client (KiotaClientTests).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
out=${1:?usage: kiota.sh OUTPUT_FOLDER}
# No update check, no telemetry: generation must work without leaving this machine.
export KIOTA_UPDATE_DISABLED=true KIOTA_TUTORIAL_ENABLED=false KIOTA_OFFLINE_ENABLED=true DOTNET_CLI_TELEMETRY_OPTOUT=1
dotnet tool restore >/dev/null
dotnet tool run kiota generate --language CSharp --openapi docs/api/openapi.json --output "$out" \
  --class-name HuntazeApiClient --namespace-name Huntaze.ContractClient \
  --exclude-backward-compatible --clean-output --log-level Warning
# The lock file and log record where and when it ran; a temporary folder or another day must not make them differ.
rm -f "$out/kiota-lock.json" "$out/.kiota.log"
