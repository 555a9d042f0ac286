// The consumer apps in Python, Java and Go, built on the packages jsii-pacmak made, synthesize what the TypeScript
// app does: the same resources with the same properties, and the same handler assets (the bundles in the jsii
// package are the ones the TypeScript sources use). synth.sh writes the cloud assemblies; `npx projen test:consumers`
// runs both after `npx projen package`.
import * as fs from 'node:fs';
import * as path from 'node:path';

const ASSEMBLIES = path.join(__dirname, '..', '..', '.consumers', 'cdk.out');
const STACK = 'Consumer';

interface Template {
  readonly Resources: Record<string, { readonly Type: string; readonly Properties?: Record<string, unknown> }>;
  readonly [section: string]: unknown;
}

function readAssemblyFile<T>(language: string, name: string): T {
  const file = path.join(ASSEMBLIES, language, name);
  if (!fs.existsSync(file)) {
    throw new Error(`${file} is missing: run \`npx projen test:consumers\` (after \`npx projen package\`)`);
  }
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

const template = (language: string) => readAssemblyFile<Template>(language, `${STACK}.template.json`);
const assetHashes = (language: string) =>
  Object.keys(readAssemblyFile<{ files: Record<string, unknown> }>(language, `${STACK}.assets.json`).files).sort();

const reference = template('typescript');

test('the TypeScript app rotates a PostgreSQL user on a cron schedule', () => {
  const schedules = Object.values(reference.Resources).filter((r) => r.Type === 'AWS::SecretsManager::RotationSchedule');
  expect(schedules).toHaveLength(1);
  expect(schedules[0].Properties?.RotationRules).toMatchObject({ ScheduleExpression: 'cron(0 3 ? * SUN *)' });
  const secrets = Object.values(reference.Resources).filter((r) => r.Type === 'AWS::SecretsManager::Secret');
  // The first value holds only the user; the deploy-time check merges the connection fields in, keeping the password.
  expect(JSON.stringify(secrets[0].Properties?.GenerateSecretString)).toContain('orders_app');
  const checks = Object.values(reference.Resources).filter((r) => r.Type === 'Custom::RotationCheck');
  expect(JSON.stringify(checks[0].Properties?.RotatedSecrets)).toContain('\\"host\\":\\"orders.db.example.com\\"');
});

describe.each(['python', 'java', 'go'])('the %s app', (language) => {
  const actual = template(language);

  test('has the same resources as the TypeScript app', () => {
    expect(Object.keys(actual.Resources).sort()).toEqual(Object.keys(reference.Resources).sort());
  });

  test.each(Object.keys(reference.Resources).sort())('resource %s is the same', (logicalId) => {
    expect(actual.Resources[logicalId]).toEqual(reference.Resources[logicalId]);
  });

  test('has the same parameters, rules and outputs', () => {
    const { Resources: _, ...rest } = actual;
    const { Resources: __, ...referenceRest } = reference;
    expect(rest).toEqual(referenceRest);
  });

  test('uses the same assets (the handler bundles in the package)', () => {
    expect(assetHashes(language)).toEqual(assetHashes('typescript'));
  });
});
