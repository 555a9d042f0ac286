#!/usr/bin/env bash
# API compatibility with the last release: jsii-diff compares this build's assembly (.jsii) with the one published
# to npm for the newest release tag (v<version>, as the release workflow tags) reachable from HEAD. Breaking
# changes fail, of experimental APIs too; list a deliberate one in .compatignore with the key jsii-diff prints.
set -euo pipefail
cd "$(dirname "$0")/.."
name=$(node -p "require('./package.json').name")

# A shallow clone (CI checkouts) has neither the tags nor the history that makes them reachable: fetch both.
if [ "$(git rev-parse --is-shallow-repository)" = true ] && git remote get-url origin > /dev/null 2>&1; then
  git fetch --quiet --unshallow --tags origin
fi
tag=$(git describe --tags --abbrev=0 --match 'v[0-9]*' 2> /dev/null || true)
if [ -z "$tag" ]; then
  echo "compat: skipped: $name has no release yet (no v<version> tag before this commit), so there is no API to be compatible with"
  exit 0
fi
echo "compat: comparing the API with $name@${tag#v} (tag $tag)"
npx --no-install jsii-diff "npm:$name@${tag#v}" . --keys --experimental-errors --ignore-file .compatignore
