#!/usr/bin/env bash
# Synthesizes the consumer apps beside this script into .consumers/cdk.out/<language>: the TypeScript reference
# from the sources, and the Python, Java and Go apps from the packages in dist/ (npx projen package builds them).
# consumers.test.ts then compares the templates. Downloads are cached per machine: pip's cache, Maven's local
# repository (~/.m2/repository, as for jsii-pacmak's Java build) and Go's module cache.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
here="$repo/test/consumers"
work="$repo/.consumers"
out="$work/cdk.out"
version=$(node -p "require('$repo/package.json').version")
maven_repository="$HOME/.m2/repository"

say() { echo "consumers: $*"; }

synth() {
  local language=$1
  shift
  local started
  started=$(date +%s)
  rm -rf "${out:?}/$language"
  CDK_OUTDIR="$out/$language" "$@"
  say "$language app synthesized ($(( $(date +%s) - started )) s)"
}

# The reference, from the TypeScript sources (tsc type-checks it in the test task).
synth typescript npx ts-node -T -P "$repo/tsconfig.dev.json" "$here/typescript/app.ts"

# Python: the pinned environment (rebuilt when requirements.txt changes), then this build's wheel.
venv="$work/python"
stamp="$venv/.requirements.sha256"
wanted=$(sha256sum "$here/python/requirements.txt" | cut -d' ' -f1)
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2> /dev/null)" != "$wanted" ]; then
  say "installing the Python app's requirements into .consumers/python"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/python/requirements.txt"
  echo "$wanted" > "$stamp"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps \
  "$repo/dist/python/cdk_rotating_secrets-$version-py3-none-any.whl"
"$venv/bin/python" -m pip check > /dev/null
synth python "$venv/bin/python" "$here/python/app.py"

# Java: Maven keeps a release it resolved once; drop our own artifact so this build's jar is the one used.
rm -rf "$maven_repository/io/github/cdk-rotating-secrets/cdk-rotating-secrets/$version"
synth java mvn --quiet --batch-mode -f "$here/java/pom.xml" -Dmaven.repo.local="$maven_repository" \
  -Drotating-secrets.version="$version" compile exec:java

# Go: go.mod replaces our module with dist/go; go.sum pins the rest.
synth go bash -c "cd '$here/go' && go run ."
