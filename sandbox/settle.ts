import { DescribeSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { AWSCURRENT, AWSPENDING } from '../src/private/contract';

export type Stages = Record<string, string[]>;

/** Whether no rotation is under way: AWSPENDING absent, or on the AWSCURRENT version. */
export function rotationSettled(stages: Stages): boolean {
  const holder = (label: string) => Object.keys(stages).find((id) => stages[id].includes(label));
  const pending = holder(AWSPENDING);
  return pending === undefined || pending === holder(AWSCURRENT);
}

/**
 * The secret's labels once no rotation is under way, or after `patienceMs` as they are. After a stack completes,
 * Secrets Manager may still run work CloudFormation started and did not wait for (a rotation schedule's
 * configuration test puts a temporary AWSPENDING on a copy of the value): this looks, as an operator would with
 * DescribeSecret a moment later, until that is done.
 */
export async function settledStages(
  client: SecretsManagerClient,
  secretArn: string,
  patienceMs: number,
): Promise<{ stages: Stages; settled: boolean }> {
  const deadline = Date.now() + patienceMs;
  for (;;) {
    const stages = (await client.send(new DescribeSecretCommand({ SecretId: secretArn }))).VersionIdsToStages ?? {};
    if (rotationSettled(stages)) return { stages, settled: true };
    if (Date.now() > deadline) return { stages, settled: false };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
