#!/usr/bin/env bash
# Regenerates the committed contract artefacts from the code (docs/api/README.md):
#   1. docs/api/openapi.json from the function catalog and the attributes next to each trigger;
#   2. the Kiota C# client in tests/Huntaze.ContractClient/Generated from that document.
# Tests fail while either committed copy differs from what this script produces.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
dotnet build src/Huntaze.LocalHost -v q -nologo
dotnet run --no-build --project src/Huntaze.LocalHost -- --write-openapi "$PWD/docs/api/openapi.json"
echo "wrote docs/api/openapi.json"
if [ -d tests/Huntaze.ContractClient ]; then
  bash scripts/contract/kiota.sh tests/Huntaze.ContractClient/Generated
  echo "wrote tests/Huntaze.ContractClient/Generated"
fi
