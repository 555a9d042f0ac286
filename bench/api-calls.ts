/**
 * Secrets Manager API calls per generic rotation, counted by the simulator: the bundled generic asset runs
 * as Lambda would (the simulator's child-process runner), and every call it makes during one rotation is
 * counted. The RotateSecret call that starts the rotation is the caller's, not the function's: left out.
 */
import { CreateSecretCommand, RotateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretsManagerSimulator } from '../simulator';
import { TEST_OPTION_SET_TAGS, bundleAssetDir, rotationEnvironment } from '../test/support/strategies';

/** AWS's generic rotation template (SecretsManagerRotationTemplate): 5 + 1 + 1 + 3 calls, from its source. */
export const AWS_GENERIC_TEMPLATE_CALLS = 10;

const GENERIC_ASSET = bundleAssetDir('genericRotation');

export interface RotationCalls {
  /** Calls naming the rotated secret, per rotation, by operation (the same for every rotation measured). */
  readonly byOperation: Record<string, number>;
  readonly total: number;
  /** Calls that named no secret (GetRandomPassword would be one), per rotation. */
  readonly unattributed: number;
  /** How many rotations were counted, all of which ended with RotationSucceeded. */
  readonly rotations: number;
}

export async function countGenericRotationCalls(rotations: number): Promise<RotationCalls> {
  const sim = await SecretsManagerSimulator.start();
  const client = new SecretsManagerClient(sim.clientConfig());
  const functionArn = `arn:aws:lambda:${sim.region}:${sim.accountId}:function:generic-rotation`;
  sim.registerFunction(functionArn, {
    assetDir: GENERIC_ASSET,
    environment: rotationEnvironment('generic'),
    timeoutSeconds: 30,
  });
  try {
    const counts: Array<{ byOperation: Record<string, number>; unattributed: number }> = [];
    for (let i = 0; i < rotations; i++) {
      const { ARN } = await client.send(new CreateSecretCommand({ Name: `api-calls-${i}`, SecretString: 'initial-api-key', Tags: TEST_OPTION_SET_TAGS }));
      const since = sim.apiCallMark();
      await client.send(new RotateSecretCommand({ SecretId: ARN, RotationLambdaARN: functionArn, RotationRules: { ScheduleExpression: 'rate(30 days)' } }));
      await sim.waitForIdle();
      const outcome = sim.events.filter((event) => event.secretArn === ARN).at(-1);
      if (outcome?.type !== 'RotationSucceeded') throw new Error(`the generic rotation of ${ARN} ended with ${outcome?.type ?? 'no event'}: ${JSON.stringify(outcome?.error)}`);
      const byOperation = sim.apiCalls({ secretArn: ARN!, since });
      const all = sum(sim.apiCalls({ since }));
      byOperation.RotateSecret -= 1;
      if (byOperation.RotateSecret === 0) delete byOperation.RotateSecret;
      counts.push({ byOperation, unattributed: all - 1 - sum(byOperation) });
    }
    const [first] = counts;
    const differing = counts.find((count) => JSON.stringify(count) !== JSON.stringify(first));
    if (differing) throw new Error(`rotations made different calls: ${JSON.stringify(first)} and ${JSON.stringify(differing)}`);
    return { byOperation: first.byOperation, total: sum(first.byOperation), unattributed: first.unattributed, rotations };
  } finally {
    client.destroy();
    await sim.stop();
  }
}

function sum(counts: Record<string, number>): number {
  return Object.values(counts).reduce((total, n) => total + n, 0);
}
