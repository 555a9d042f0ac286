import { CreateSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as fc from 'fast-check';
import { functionArn, GENERIC_ASSET, startSimulator } from './support/simulator';
import { rotateAndWait } from './support/trials';
import type { SecretsManagerSimulator } from '../../simulator';
import { RotatingSecret, RotationStrategy } from '../../src';
import { GENERIC_EXCLUDE_CHARACTERS, OPTION_SET_TAG, PasswordPolicy, passwordPolicyProblem, passwordPolicyWithDefaults } from '../../src/private/contract';
import { passwordPolicies } from '../support/password-policies';

/**
 * Three generic secrets with different password options, synthesized by the constructs into one stack: they share
 * one rotation function, and the shipped bundle, run with the environment the template gives it, rotates each secret
 * to a value that follows that secret's own options (selected by the tag the template gives the secret).
 */

// Each run synthesizes a stack and starts the bundle in a fresh process.
jest.setTimeout(300_000);

// Written out independently of the password generator.
const CLASSES = {
  upper: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  lower: 'abcdefghijklmnopqrstuvwxyz',
  digits: '0123456789',
  punctuation: '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~',
};
const PRINTABLE = [...Object.values(CLASSES).join(''), ' '];

type Tag = { Key: string; Value: string };

interface SecretOptions {
  readonly policy: PasswordPolicy;
  /** JSON mode's key; undefined for a plain-string secret. */
  readonly key?: string;
}

const secretOptions: fc.Arbitrary<SecretOptions> = fc.record({
  policy: passwordPolicies({ maxLength: 100, characters: PRINTABLE }).filter((policy) => passwordPolicyProblem(policy) === undefined),
  key: fc.option(fc.constantFrom('password', 'token'), { nil: undefined }),
});

/** The generic strategy's defaults. */
const DEFAULT_OPTIONS = passwordPolicyWithDefaults({}, GENERIC_EXCLUDE_CHARACTERS);

let sim: SecretsManagerSimulator;
let client: SecretsManagerClient;

beforeAll(async () => {
  ({ sim, client } = await startSimulator({ maxRotationAttempts: 1 }));
});

afterAll(async () => {
  client?.destroy();
  await sim?.stop();
});

/** The stack's rotation function environment and each secret's option set tag, as the constructs synthesize them. */
function synthesize(secrets: readonly SecretOptions[]): { environment: Record<string, string>; optionSetTags: Tag[] } {
  const stack = new Stack(new App(), 'OptionSets', { env: { account: '123456789012', region: 'us-east-1' } });
  secrets.forEach(({ policy, key }, i) => new RotatingSecret(stack, `Secret${i}`, {
    strategy: RotationStrategy.randomPassword({ ...policy, ...(key === undefined ? {} : { secretStringTemplate: '{"username":"app"}', generateStringKey: key }) }),
    verifyOnDeploy: false,
  }));
  const template = Template.fromStack(stack);
  const functions = Object.values(template.findResources('AWS::Lambda::Function'));
  expect(functions).toHaveLength(1);
  const resources = template.findResources('AWS::SecretsManager::Secret');
  return {
    environment: functions[0].Properties.Environment.Variables,
    optionSetTags: secrets.map((_, i) => {
      const tags: Array<{ Key: string; Value: unknown }> = Object.entries(resources).find(([id]) => id.startsWith(`Secret${i}`))![1].Properties.Tags;
      const tag = tags.find(({ Key }) => Key === OPTION_SET_TAG)!;
      return { Key: tag.Key, Value: tag.Value as string };
    }),
  };
}

/** Why `password` does not follow `policy`, or undefined. */
function mismatch(password: string, policy: PasswordPolicy): string | undefined {
  if (password.length !== policy.passwordLength) return `length ${password.length}, expected ${policy.passwordLength}`;
  const included = [
    { chars: CLASSES.upper, on: !policy.excludeUppercase },
    { chars: CLASSES.lower, on: !policy.excludeLowercase },
    { chars: CLASSES.digits, on: !policy.excludeNumbers },
    { chars: CLASSES.punctuation, on: !policy.excludePunctuation },
  ].filter((cls) => cls.on).map((cls) => [...cls.chars].filter((c) => !policy.excludeCharacters.includes(c)).join(''));
  const allowed = included.join('') + (policy.includeSpace && !policy.excludeCharacters.includes(' ') ? ' ' : '');
  const stray = [...password].findIndex((c) => !allowed.includes(c));
  if (stray >= 0) return `character at ${stray} is not allowed`;
  if (policy.requireEachIncludedType) {
    const missing = included.findIndex((chars) => chars.length > 0 && ![...chars].some((c) => password.includes(c)));
    if (missing >= 0) return `class ${missing} is required but missing`;
  }
  return undefined;
}

function passwordOf(value: string, key: string | undefined): string {
  return key === undefined ? value : JSON.parse(value)[key];
}

async function currentValue(arn: string): Promise<string> {
  return (await client.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString!;
}

let run = 0;

/** Registers the shipped generic bundle with `environment` under a fresh name; removed by `done`. */
function registerBundle(environment: Record<string, string>): { arn: string; done: () => Promise<void> } {
  const arn = functionArn(`shared-generic-${++run}`);
  sim.registerFunction(arn, { assetDir: GENERIC_ASSET, environment, timeoutSeconds: 30, maxConcurrency: 1 });
  return { arn, done: () => sim.unregisterFunction(arn) };
}

async function createTaggedSecret(name: string, key: string | undefined, tag: Tag): Promise<string> {
  const value = key === undefined ? 'initial-value' : JSON.stringify({ username: 'app', [key]: 'initial-value' });
  const { ARN } = await client.send(new CreateSecretCommand({ Name: `${name}-${run}`, SecretString: value, Tags: [tag] }));
  return ARN!;
}

test('three secrets with different password options share one function; each rotated value follows its own options', async () => {
  let rotations = 0;
  await fc.assert(fc.asyncProperty(fc.array(secretOptions, { minLength: 3, maxLength: 3 }), async (secrets) => {
    const { environment, optionSetTags } = synthesize(secrets);
    const fn = registerBundle(environment);
    try {
      for (const [i, { policy, key }] of secrets.entries()) {
        const arn = await createTaggedSecret(`secret${i}`, key, optionSetTags[i]);
        const rotation = await rotateAndWait(sim, client, arn, fn.arn);
        expect(rotation).toMatchObject({ converged: true, attempts: 1, labelProblems: [] });
        const value = await currentValue(arn);
        expect(mismatch(passwordOf(value, key), policy)).toBeUndefined();
        if (key !== undefined) expect(JSON.parse(value).username).toBe('app');
        rotations += 1;
      }
    } finally {
      await fn.done();
    }
  }), { numRuns: 12 });
  expect(rotations).toBe(36);
});

test('a secret whose tag names a set the stack did not declare fails the rotation, and its value stays', async () => {
  const { environment, optionSetTags } = synthesize([0, 1, 2].map((i) => ({ policy: { ...DEFAULT_OPTIONS, passwordLength: 20 + i } })));
  const declared = optionSetTags.map((tag) => tag.Value).sort();
  const fn = registerBundle(environment);
  try {
    const arn = await createTaggedSecret('undeclared', undefined, { Key: OPTION_SET_TAG, Value: 'ffffffff' });
    const rotation = await rotateAndWait(sim, client, arn, fn.arn);

    expect(rotation.converged).toBe(false);
    const failure = rotation.events.find((event) => event.type === 'RotationFailed');
    expect(failure).toMatchObject({ step: 'createSecret' });
    expect(failure!.error!.message).toContain(`names "ffffffff", which this rotation function does not declare (it declares ${declared.join(', ')})`);
    expect(await currentValue(arn)).toBe('initial-value');
  } finally {
    await fn.done();
  }
});
