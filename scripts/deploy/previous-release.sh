#!/usr/bin/env bash
# Prints the release tag to roll back to: the highest release tag (vMAJOR.MINOR.PATCH, compared as versions) below
# the release of CURRENT_COMMIT, the commit the app reports at /api/health. Reads the tags of the git repository
# in the working directory (fetch them first: actions/checkout with fetch-depth 0).
#
#   scripts/deploy/previous-release.sh 0123456789abcdef0123456789abcdef01234567    # -> v1.0.41
#
# Exit codes: 0 printed a tag; 1 the current commit is not a release, or no release precedes it (name the tag
# explicitly then); 64 usage.
set -euo pipefail

[[ $# -eq 1 && -n "$1" ]] || { echo "usage: $0 CURRENT_COMMIT" >&2; exit 64; }
current_commit="$1"

current_tag="$(git tag --points-at "$current_commit" --list 'v*' --sort=-v:refname 2>/dev/null | head -n 1 || true)"
if [[ -z "$current_tag" ]]; then
  echo "commit $current_commit has no release tag (v*): name the release to roll back to" >&2
  exit 1
fi

found=0
while IFS= read -r tag; do
  if ((found)); then
    echo "$tag"
    exit 0
  fi
  [[ "$tag" == "$current_tag" ]] && found=1
done < <(git tag --list 'v*' --sort=-v:refname)
echo "no release precedes $current_tag: name the release to roll back to" >&2
exit 1
