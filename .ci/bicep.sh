#!/usr/bin/env bash
# Builds and lints the infrastructure (the entry templates main.bicep, seed-flags.bicep, bootstrap/deployer.bicep, their
# modules, and every .bicepparam: main (azd), env/dev, env/prod) with the Bicep CLI from
# the NuGet package Azure.Bicep.CommandLine.linux-x64 (restored by tools/bicep/bicep.proj: nothing but the .NET SDK
# is needed). Any error or warning fails: bicep/bicepconfig.json raises the linter rules to error, and compiler
# warnings (BCP0xx: unknown property, unknown type version, ...) are caught from the output because the CLI exits 0
# on them. The generated ARM JSON goes to a temp dir and is never committed.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
proj="$repo/tools/bicep/bicep.proj"
started=$SECONDS

echo "bicep: restoring the CLI (tools/bicep/bicep.proj)"
dotnet restore "$proj" --nologo --verbosity quiet
# The package folder NuGet actually used (honours NUGET_PACKAGES and NuGet.config); the version from bicep.proj.
root="$(dotnet msbuild "$proj" -nologo -getProperty:NuGetPackageRoot)"
version="$(sed -n 's:.*<BicepVersion>\(.*\)</BicepVersion>.*:\1:p' "$proj")"
bicep="${root%/}/azure.bicep.commandline.linux-x64/${version}/tools/bicep"
if [[ ! -f "$bicep" ]]; then
  echo "bicep: CLI not found at $bicep after restore" >&2
  exit 1
fi
chmod +x "$bicep"
echo "bicep: $("$bicep" --version)"

out="$(mktemp -d)"
log="$out/diagnostics.log"
trap 'rm -rf "$out"' EXIT

failed=0
run() {
  # Runs one bicep command, echoes its diagnostics, and fails on a non-zero exit or on any Warning/Error line.
  local what="$1"; shift
  if ! "$bicep" "$@" >"$log" 2>&1; then
    cat "$log"; echo "bicep: FAILED $what" >&2; failed=1; return
  fi
  if grep -Eq ' : (Warning|Error) ' "$log"; then
    cat "$log"; echo "bicep: FAILED $what (warnings are errors)" >&2; failed=1; return
  fi
  echo "bicep: ok     $what"
}

cd "$repo/bicep"
for template in main.bicep seed-flags.bicep bootstrap/deployer.bicep; do
  run "build $template" build "$template" --outdir "$out/template"
done
for params in main.bicepparam env/dev.bicepparam env/prod.bicepparam; do
  run "build-params $params" build-params "$params" --outdir "$out/params"
done
# One CLI start for every file: main.bicep, each module (so a module's own findings are never missed), main.bicepparam.
run "lint **/*.bicep, **/*.bicepparam" lint --pattern '**/*.bicep*'

if [[ $failed -ne 0 ]]; then
  echo "bicep: failed after $((SECONDS - started)) s" >&2
  exit 1
fi
echo "bicep: build + lint clean in $((SECONDS - started)) s"
