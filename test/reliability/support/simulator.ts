import { randomUUID } from 'node:crypto';
import { CreateSecretCommand, RotateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretsManagerSimulator, SimulatorOptions } from '../../../simulator';
import { TEST_OPTION_SET_TAGS, bundleAssetDir } from '../../support/strategies';

/** A fixed, frozen start makes dates and schedules exact. */
export const START = Date.parse('2030-01-01T00:00:00Z');

/** The bundled functions, as the npm package ships them (built by `npx projen bundle`). */
export const GENERIC_ASSET = bundleAssetDir('genericRotation');
export const DATABASE_ASSET = bundleAssetDir('databaseRotation');
export const VERIFY_ASSET = bundleAssetDir('verification');

/** A function that fails every step: RotateSecret then leaves its AWSPENDING placeholder for the test to drive. */
export const PARKED_FUNCTION = functionArn('parked-rotation');

export function functionArn(name: string): string {
  return `arn:aws:lambda:us-east-1:123456789012:function:${name}`;
}

export function logGroupOf(arn: string): string {
  return `/aws/lambda/${arn.split(':').pop()}`;
}

/** A simulator with a frozen clock, and an SDK client that does not retry: a failed call is the test's to see. */
export async function startSimulator(options: SimulatorOptions = {}) {
  const sim = await SecretsManagerSimulator.start({ clock: { start: START, frozen: true }, ...options });
  const client = new SecretsManagerClient({ ...sim.clientConfig(), maxAttempts: 1 });
  sim.registerFunction(PARKED_FUNCTION, {
    handler: () => {
      throw new Error('parked: the test invokes the steps itself');
    },
  });
  return { sim, client };
}

/** A new secret with a first value, selecting the tests' option set; its name is unique in the simulator. */
export async function createSecret(client: SecretsManagerClient, prefix: string, value: string): Promise<string> {
  const { ARN } = await client.send(new CreateSecretCommand({ Name: `${prefix}-${randomUUID()}`, SecretString: value, Tags: TEST_OPTION_SET_TAGS }));
  return ARN!;
}

/** RotateSecret with the parked function: rotation is enabled and a value-less AWSPENDING version `token` exists. */
export async function parkedRotation(sim: SecretsManagerSimulator, client: SecretsManagerClient, secretArn: string): Promise<string> {
  const { VersionId } = await client.send(new RotateSecretCommand({ SecretId: secretArn, RotationLambdaARN: PARKED_FUNCTION }));
  await sim.waitForIdle();
  return VersionId!;
}
