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

// With a webhook receiver's URL (the sandbox starts one), the app adds the rotations this library does not write.
test('examples/ with a webhook receiver adds a custom rotation and a rotation function of its own, and passes cfn-lint', () => {
  const examples = path.join(__dirname, '..', 'examples');
  const output = fs.mkdtempSync(path.join(os.tmpdir(), 'examples-cdk-out-'));
  const synth = spawnSync('npx', ['cdk', 'synth', '--quiet', '--output', output, '--context', 'example:webhookReceiverUrl=https://hooks.example.com'], {
    cwd: examples,
    env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true', CDK_DISABLE_VERSION_CHECK: 'true' },
    encoding: 'utf8',
  });
  expect(synth.status).toBe(0);
  const template = path.join(output, 'RotationFunctionsExample.template.json');
  const resources = Object.values<{ Type: string; Properties?: Record<string, any> }>(JSON.parse(fs.readFileSync(template, 'utf8')).Resources);
  expect(resources.filter((r) => r.Type === 'AWS::SecretsManager::RotationSchedule')).toHaveLength(2);
  const functions = resources.filter((r) => r.Type === 'AWS::Lambda::Function').map((r) => r.Properties?.Environment?.Variables ?? {});
  expect(functions.some((variables) => variables.WEBHOOK_RECEIVER_URL === 'https://hooks.example.com')).toBe(true);
  expect(execFileSync(pythonTool('cfn-lint'), ['--ignore-checks', 'W3005', '--', template], { encoding: 'utf8' })).toBe('');
});
