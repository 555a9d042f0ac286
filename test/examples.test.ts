import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pythonTool } from './support/python-tools';

// The example app synthesizes offline with the CDK CLI from devDependencies, as a newcomer would run it.
test('examples/ synthesizes with the aws-cdk CLI and passes cfn-lint', () => {
  const examples = path.join(__dirname, '..', 'examples');
  const output = fs.mkdtempSync(path.join(os.tmpdir(), 'examples-cdk-out-'));
  const synth = spawnSync('npx', ['cdk', 'synth', '--quiet', '--output', output], {
    cwd: examples,
    env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true', CDK_DISABLE_VERSION_CHECK: 'true' },
    encoding: 'utf8',
  });
  expect(synth.status).toBe(0);
  // A clean synth of our constructs prints no warning (the toolkit's notices, e.g. about feature flags, are not ours).
  expect(`${synth.stdout}${synth.stderr}`).not.toMatch(/warning/i);
  const template = path.join(output, 'RotatingSecretsExample.template.json');
  const resources = Object.values<{ Type: string }>(JSON.parse(fs.readFileSync(template, 'utf8')).Resources);
  expect(resources.filter((r) => r.Type === 'AWS::SecretsManager::RotationSchedule')).toHaveLength(6);
  expect(execFileSync(pythonTool('cfn-lint'), ['--ignore-checks', 'W3005', '--', template], { encoding: 'utf8' })).toBe('');
});
