import {
  DescribeSecretCommand,
  ListSecretVersionIdsCommand,
  ListSecretVersionIdsCommandOutput,
  RotateSecretCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import type { PendingValueEvidence } from './diagnosis';
import { VerificationError } from './errors';
import type { SecretSnapshot } from './messages';
import { AWSPENDING } from '../../src/private/contract';
import { safeErrorMessage } from '../rotation/log';
import type { Logger } from '../rotation/types';

/**
 * The Secrets Manager calls verification makes, and nothing else: the IAM policy allows exactly these.
 * No secret value is ever read (there is no GetSecretValue here).
 */
export interface SecretOperations {
  describe(secretArn: string): Promise<SecretSnapshot>;
  /** Whether the version has a stored value, judged from ListSecretVersionIds (never by reading it). */
  pendingValueEvidence(secretArn: string, versionId: string): Promise<PendingValueEvidence>;
  /** RotateSecret with only a ClientRequestToken: the schedule resource already configured the rest. */
  rotate(secretArn: string, token: string): Promise<void>;
  /** Removes AWSPENDING from one version (the opt-in repair). */
  removePendingLabel(secretArn: string, versionId: string): Promise<void>;
}

/** ListSecretVersionIds pages to read at most; a secret keeps about 100 versions. */
const MAX_VERSION_PAGES = 5;

export function createSecretOperations(client: SecretsManagerClient, log: Logger): SecretOperations {
  return {
    async describe(secretArn) {
      const output = await call('DescribeSecret', secretArn, () =>
        client.send(new DescribeSecretCommand({ SecretId: secretArn })));
      return {
        arn: output.ARN ?? secretArn,
        name: output.Name ?? nameFromArn(secretArn),
        versionIdsToStages: output.VersionIdsToStages ?? {},
      };
    },

    async pendingValueEvidence(secretArn, versionId) {
      try {
        let nextToken: string | undefined;
        for (let page = 0; page < MAX_VERSION_PAGES; page++) {
          const output: ListSecretVersionIdsCommandOutput = await client.send(
            new ListSecretVersionIdsCommand({ SecretId: secretArn, MaxResults: 100, NextToken: nextToken }),
          );
          const entry = output.Versions?.find((version) => version.VersionId === versionId);
          // RotateSecret's placeholder has no value, so nothing was encrypted for it: a version listed with
          // KMS keys holds a value. A listing without the field proves nothing either way.
          if (entry) return entry.KmsKeyIds === undefined ? 'unknown' : entry.KmsKeyIds.length > 0 ? 'stored' : 'missing';
          nextToken = output.NextToken;
          if (!nextToken) break;
        }
        return 'unknown';
      } catch (error) {
        // Only a diagnostic: the failure message is still accurate without it.
        log.warn('ListSecretVersionIds failed; the pending value is reported as unknown', {
          secretArn,
          versionId,
          error: safeErrorMessage(error),
        });
        return 'unknown';
      }
    },

    async rotate(secretArn, token) {
      await call('RotateSecret', secretArn, () =>
        client.send(new RotateSecretCommand({ SecretId: secretArn, ClientRequestToken: token })));
    },

    async removePendingLabel(secretArn, versionId) {
      await call('UpdateSecretVersionStage', secretArn, () =>
        client.send(
          new UpdateSecretVersionStageCommand({
            SecretId: secretArn,
            VersionStage: AWSPENDING,
            RemoveFromVersionId: versionId,
          }),
        ));
    },
  };
}

/** `arn:...:secret:NAME-AbCdEf` gives NAME (Secrets Manager appends a dash and six characters). */
export function nameFromArn(secretArn: string): string {
  const resource = secretArn.split(':secret:')[1] ?? secretArn;
  return resource.replace(/-[A-Za-z0-9]{6}$/, '');
}

async function call<T>(operation: string, secretArn: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    throw new VerificationError(`${operation} on secret ${secretArn} failed: ${safeErrorMessage(error)}`, { cause: error });
  }
}
