import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { ResourceExistsError } from './errors';
import type { SecretDescription, SecretsStore, VersionSelector } from './types';
import { AWSCURRENT, AWSPENDING } from '../../src/private/contract';

export { ResourceExistsError } from './errors';

/** The SecretsStore of a real Secrets Manager (or anything speaking its API), one SDK call per operation. */
export class SdkSecretsStore implements SecretsStore {
  constructor(private readonly client: SecretsManagerClient) {}

  async describe(secretId: string): Promise<SecretDescription> {
    const out = await this.client.send(new DescribeSecretCommand({ SecretId: secretId }));
    if (!out.ARN || !out.Name) {
      throw new Error(`DescribeSecret of ${secretId} returned no ARN or Name`);
    }
    return {
      arn: out.ARN,
      name: out.Name,
      rotationEnabled: out.RotationEnabled === true,
      versionIdsToStages: out.VersionIdsToStages ?? {},
      tags: Object.fromEntries((out.Tags ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? ''])),
      createdDate: out.CreatedDate,
    };
  }

  async getValue(secretId: string, selector: VersionSelector): Promise<string | undefined> {
    try {
      // VersionStage is always sent when known: some emulators answer a bare VersionId, or no selector at
      // all, from a stale default version after UpdateSecretVersionStage.
      const out = await this.client.send(new GetSecretValueCommand({
        SecretId: secretId,
        VersionId: selector.versionId,
        VersionStage: selector.stage,
      }));
      if (out.SecretString === undefined) {
        throw new Error(`the version ${describeSelector(selector)} of ${secretId} holds SecretBinary; only SecretString secrets can be rotated`);
      }
      return out.SecretString;
    } catch (error) {
      if (isAwsError(error, 'ResourceNotFoundException')) return undefined;
      throw error;
    }
  }

  async putPendingValue(secretId: string, token: string, value: string, rotationToken?: string): Promise<void> {
    try {
      await this.client.send(new PutSecretValueCommand({
        SecretId: secretId,
        ClientRequestToken: token,
        SecretString: value,
        VersionStages: [AWSPENDING],
        RotationToken: rotationToken,
      }));
    } catch (error) {
      if (isAwsError(error, 'ResourceExistsException')) {
        throw new ResourceExistsError(`version ${token} of ${secretId} already holds a different value`, { cause: error });
      }
      throw error;
    }
  }

  async moveCurrent(secretId: string, versionId: string, fromVersionId: string): Promise<void> {
    await this.client.send(new UpdateSecretVersionStageCommand({
      SecretId: secretId,
      VersionStage: AWSCURRENT,
      MoveToVersionId: versionId,
      RemoveFromVersionId: fromVersionId,
    }));
  }
}

// By name, not instanceof: a bundle or a test may hold more than one copy of the SDK's error classes.
function isAwsError(error: unknown, name: string): boolean {
  return error instanceof Error && error.name === name;
}

function describeSelector(selector: VersionSelector): string {
  return [selector.versionId, selector.stage].filter((part) => part !== undefined).join('/');
}
