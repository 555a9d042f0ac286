import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  InvalidParameterException,
  InvalidRequestException,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { AwsClientStub } from 'aws-sdk-client-mock';
import { TEST_OPTION_SET_TAGS } from '../../support/strategies';

/** One version of the fake secret. `value` is undefined for RotateSecret's value-less placeholder. */
export interface FakeVersion {
  value?: string;
  stages: string[];
}

/**
 * An in-memory secret with Secrets Manager's semantics for the four calls the rotation engine makes
 * (spec section 2), installed behind aws-sdk-client-mock. Every call yields to the event loop first, so
 * concurrent steps interleave as they would over the network.
 */
export class FakeSecretsManager {
  public rotationEnabled = true;
  public readonly versions = new Map<string, FakeVersion>();
  /** The secret's tags; by default the one selecting the tests' option set, as the constructs would tag it. */
  public tags: Record<string, string> = Object.fromEntries(TEST_OPTION_SET_TAGS.map((tag) => [tag.Key, tag.Value]));

  constructor(public readonly arn: string, public readonly name: string) {}

  /** The secret's state, to compare before and after a step. */
  snapshot(): Record<string, FakeVersion> {
    return structuredClone(Object.fromEntries(this.versions));
  }

  install(mock: AwsClientStub<SecretsManagerClient>): void {
    mock.on(DescribeSecretCommand).callsFake(async (input) => {
      await tick();
      this.checkSecretId(input.SecretId);
      const versionIdsToStages: Record<string, string[]> = {};
      for (const [id, version] of this.versions) {
        if (version.stages.length > 0) versionIdsToStages[id] = [...version.stages];
      }
      const tags = Object.entries(this.tags).map(([Key, Value]) => ({ Key, Value }));
      return { ARN: this.arn, Name: this.name, RotationEnabled: this.rotationEnabled, VersionIdsToStages: versionIdsToStages, Tags: tags };
    });

    mock.on(GetSecretValueCommand).callsFake(async (input) => {
      await tick();
      this.checkSecretId(input.SecretId);
      const id = input.VersionId ?? this.holderOf(input.VersionStage ?? 'AWSCURRENT');
      const version = id === undefined ? undefined : this.versions.get(id);
      if (id === undefined || version === undefined) throw notFound();
      if (input.VersionStage !== undefined && !version.stages.includes(input.VersionStage)) {
        throw new InvalidRequestException({ message: 'You provided a VersionStage that is not associated to the provided VersionId.', $metadata: {} });
      }
      if (version.value === undefined) throw notFound();
      return { ARN: this.arn, Name: this.name, VersionId: id, SecretString: version.value, VersionStages: [...version.stages] };
    });

    mock.on(PutSecretValueCommand).callsFake(async (input) => {
      await tick();
      this.checkSecretId(input.SecretId);
      const token = input.ClientRequestToken!;
      const existing = this.versions.get(token);
      if (existing?.value !== undefined && existing.value !== input.SecretString) {
        throw new ResourceExistsException({ message: 'You can\'t modify an existing version, you can only create a new version.', $metadata: {} });
      }
      const stages = input.VersionStages ?? ['AWSCURRENT'];
      for (const stage of stages) this.detach(stage);
      this.versions.set(token, { value: input.SecretString, stages: [...new Set([...(existing?.stages ?? []), ...stages])] });
      return { ARN: this.arn, Name: this.name, VersionId: token, VersionStages: stages };
    });

    mock.on(UpdateSecretVersionStageCommand).callsFake(async (input) => {
      await tick();
      this.checkSecretId(input.SecretId);
      const stage = input.VersionStage!;
      const holder = this.holderOf(stage);
      if (holder !== undefined && holder !== input.RemoveFromVersionId) {
        throw new InvalidParameterException({ message: `The staging label ${stage} is currently attached to version ${holder}, so you must explicitly reference that version in RemoveFromVersionId.`, $metadata: {} });
      }
      if (input.RemoveFromVersionId !== undefined && holder !== input.RemoveFromVersionId) {
        throw new InvalidParameterException({ message: `The staging label ${stage} is not attached to version ${input.RemoveFromVersionId}.`, $metadata: {} });
      }
      const target = input.MoveToVersionId === undefined ? undefined : this.versions.get(input.MoveToVersionId);
      if (input.MoveToVersionId !== undefined && target === undefined) throw notFound();
      this.detach(stage);
      // Moving AWSCURRENT moves AWSPREVIOUS onto the version it left.
      if (stage === 'AWSCURRENT' && input.RemoveFromVersionId !== undefined) {
        this.detach('AWSPREVIOUS');
        this.versions.get(input.RemoveFromVersionId)!.stages.push('AWSPREVIOUS');
      }
      target?.stages.push(stage);
      return { ARN: this.arn, Name: this.name };
    });
  }

  private holderOf(stage: string): string | undefined {
    return [...this.versions].find(([, version]) => version.stages.includes(stage))?.[0];
  }

  private detach(stage: string): void {
    for (const version of this.versions.values()) {
      version.stages = version.stages.filter((s) => s !== stage);
    }
  }

  private checkSecretId(secretId: string | undefined): void {
    if (secretId !== this.arn && secretId !== this.name) {
      throw new ResourceNotFoundException({ message: 'Secrets Manager can\'t find the specified secret.', $metadata: {} });
    }
  }
}

/** A secret with one AWSCURRENT version and RotateSecret's empty AWSPENDING placeholder under `token`. */
export function secretMidRotation(arn: string, currentId: string, currentValue: string, token: string): FakeSecretsManager {
  const fake = new FakeSecretsManager(arn, arn.split(':').pop()!);
  fake.versions.set(currentId, { value: currentValue, stages: ['AWSCURRENT'] });
  fake.versions.set(token, { stages: ['AWSPENDING'] });
  return fake;
}

function notFound(): ResourceNotFoundException {
  return new ResourceNotFoundException({ message: 'Secrets Manager can\'t find the specified secret value.', $metadata: {} });
}

function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
