#!/usr/bin/env bash
# Installs the packed tarball into a throwaway consumer app and synthesizes a stack with three rotating
# secrets, with no esbuild and no Docker on PATH: the handlers must come pre-bundled in the package.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
tarball=$(ls "$repo"/dist/js/cdk-rotating-secrets@*.tgz 2>/dev/null | head -n 1 || true)
[ -n "$tarball" ] || tarball=$(ls "$repo"/dist/js/*.tgz | head -n 1)
cdk_version=$(node -p "require('$repo/node_modules/aws-cdk-lib/package.json').version")
constructs_version=$(node -p "require('$repo/node_modules/constructs/package.json').version")

app=$(mktemp -d)
trap 'rm -rf "$app"' EXIT
cd "$app"
npm init -y > /dev/null
npm install --no-audit --no-fund --loglevel=error "$tarball" "aws-cdk-lib@$cdk_version" "constructs@$constructs_version" > /dev/null
cat > app.js <<'JS'
const { App, Stack } = require('aws-cdk-lib');
const { RotatingSecret } = require('cdk-rotating-secrets');
const app = new App({ outdir: 'cdk.out' });
const stack = new Stack(app, 'Consumer', { env: { account: '111111111111', region: 'eu-west-1' } });
for (const id of ['One', 'Two', 'Three']) new RotatingSecret(stack, id);
app.synth();
JS
# Only the system's directories: no node_modules/.bin, so no esbuild; no Docker either.
env -i HOME="$HOME" PATH="$(dirname "$(command -v node)"):/usr/bin:/bin" node app.js
if command -v esbuild > /dev/null 2>&1 && env -i PATH="$(dirname "$(command -v node)"):/usr/bin:/bin" sh -c 'command -v esbuild' > /dev/null; then
  echo "esbuild is on the system PATH; the check would not prove anything" >&2
  exit 1
fi
"$repo/.venv/bin/cfn-lint" --ignore-checks W3005 -- cdk.out/Consumer.template.json
functions=$(node -e "
const t = require('./cdk.out/Consumer.template.json');
// The rotation functions, not the deploy-time check's.
const fns = Object.values(t.Resources).filter((r) => r.Type === 'AWS::Lambda::Function' && /^Rotates Secrets Manager secrets/.test(r.Properties.Description ?? ''));
console.log(fns.length);")
schedules=$(node -e "const t = require('./cdk.out/Consumer.template.json'); console.log(Object.values(t.Resources).filter((r) => r.Type === 'AWS::SecretsManager::RotationSchedule').length)")
echo "consumer app: $schedules rotating secrets, $functions rotation function(s), cfn-lint clean"
[ "$schedules" = 3 ] && [ "$functions" = 1 ]
