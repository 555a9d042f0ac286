import {
  DescribeSecretCommand, GetRandomPasswordCommand, GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { SecretsManagerSimulator, SimulatorOptions } from '../../simulator';

/** A fixed start (Tuesday 2030-01-01 10:17 UTC) and a frozen clock make dates and schedules exact. */
export const START = Date.parse('2030-01-01T10:17:00Z');

export async function startSimulator(options: SimulatorOptions = {}) {
  const simulator = await SecretsManagerSimulator.start({ clock: { start: START, frozen: true }, ...options });
  const client = new SecretsManagerClient({ ...simulator.clientConfig(), maxAttempts: 1 });
  return { simulator, client };
}

export const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:rotate-generic';

export interface RotationEventIn {
  readonly Step: string;
  readonly SecretId: string;
  readonly ClientRequestToken: string;
  readonly RotationToken?: string;
}

/**
 * The four steps of AWS's generic rotation template, through the SDK, as an in-process rotation function.
 * `beforeStep` runs first in every invocation (to fail, wait, or record).
 */
export function templateRotation(client: SecretsManagerClient, beforeStep: (event: RotationEventIn) => Promise<void> | void = () => undefined) {
  return {
    handler: async (event: RotationEventIn) => {
      await beforeStep(event);
      const { Step: step, SecretId: arn, ClientRequestToken: token } = event;
      const metadata = await client.send(new DescribeSecretCommand({ SecretId: arn }));
      const stages = metadata.VersionIdsToStages ?? {};
      if (!metadata.RotationEnabled) throw new Error(`Secret ${arn} is not enabled for rotation`);
      if (!stages[token]) throw new Error(`Secret version ${token} has no stage for rotation of secret ${arn}.`);
      if (stages[token].includes('AWSCURRENT')) return;
      if (!stages[token].includes('AWSPENDING')) throw new Error(`Secret version ${token} not set as AWSPENDING for rotation of secret ${arn}.`);
      if (step === 'createSecret') {
        await client.send(new GetSecretValueCommand({ SecretId: arn, VersionStage: 'AWSCURRENT' }));
        try {
          await client.send(new GetSecretValueCommand({ SecretId: arn, VersionId: token, VersionStage: 'AWSPENDING' }));
        } catch (error) {
          if ((error as Error).name !== 'ResourceNotFoundException') throw error;
          const password = await client.send(new GetRandomPasswordCommand({ ExcludeCharacters: '/@"\'\\' }));
          await client.send(new PutSecretValueCommand({ SecretId: arn, ClientRequestToken: token, SecretString: password.RandomPassword, VersionStages: ['AWSPENDING'] }));
        }
      } else if (step === 'finishSecret') {
        const current = Object.keys(stages).find((id) => stages[id].includes('AWSCURRENT'));
        await client.send(new UpdateSecretVersionStageCommand({ SecretId: arn, VersionStage: 'AWSCURRENT', MoveToVersionId: token, RemoveFromVersionId: current }));
      } else if (step !== 'setSecret' && step !== 'testSecret') {
        throw new Error(`Invalid step parameter ${step}`);
      }
    },
  };
}

export async function stagesOf(client: SecretsManagerClient, secretId: string): Promise<Record<string, string[]>> {
  return (await client.send(new DescribeSecretCommand({ SecretId: secretId }))).VersionIdsToStages ?? {};
}

export function versionWith(stages: Record<string, string[]>, label: string): string | undefined {
  return Object.keys(stages).find((id) => stages[id].includes(label));
}

/** The rotation invariant: AWSPENDING is absent or on the AWSCURRENT version. */
export function pendingIsSettled(stages: Record<string, string[]>): boolean {
  const pending = versionWith(stages, 'AWSPENDING');
  return pending === undefined || pending === versionWith(stages, 'AWSCURRENT');
}

/** A promise and the function that settles it: a rotation step that waits until the test lets it go. */
export function gate() {
  let release!: () => void;
  const opened = new Promise<void>((resolve) => (release = resolve));
  return { opened, release };
}
