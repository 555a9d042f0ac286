import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  ListSecretVersionIdsCommandOutput,
  PutSecretValueCommand,
  RotateSecretCommand,
  SecretsManagerClient,
  TagResourceCommand,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import type { PendingValueEvidence } from './diagnosis';
import { VerificationError } from './errors';
import type { SecretSnapshot } from './messages';
import { AWSCURRENT, AWSPENDING, VERIFIED_TAG } from '../../src/private/contract';
import { safeErrorMessage } from '../rotation/log';
import type { Logger } from '../rotation/types';

/** What DescribeSecret says, with the secret's tags. */
export interface SecretState extends SecretSnapshot {
  readonly tags: Readonly<Record<string, string>>;
}

/** What ListSecretVersionIds says about one version, without reading its value. */
export interface VersionFacts {
  /** When the version was created (epoch ms), if listed. */
  readonly createdAt?: number;
  readonly evidence: PendingValueEvidence;
}

/** The rotation configuration RotateSecret sets. */
export interface RotationSettings {
  readonly functionArn: string;
  readonly scheduleExpression: string;
  readonly duration?: string;
}

/**
 * The Secrets Manager calls the check makes, and nothing else: its IAM policy allows exactly these. A value is
 * read and written only to merge connection fields (into AWSCURRENT's value, or into the pending one a rollback
 * makes current).
 */
export interface SecretOperations {
  describe(secretArn: string): Promise<SecretState>;
  versionFacts(secretArn: string, versionId: string): Promise<VersionFacts>;
  /** RotateSecret: configures rotation and starts one now, with `token` as the new version's id. */
  rotate(secretArn: string, token: string, settings: RotationSettings): Promise<void>;
  /** Removes AWSPENDING from one version (the opt-in repair, or this check's own unfinished rotation). */
  removePendingLabel(secretArn: string, versionId: string): Promise<void>;
  /** Moves AWSCURRENT from `currentVersionId` to `versionId`, as finishSecret does (AWSPREVIOUS follows). */
  promote(secretArn: string, versionId: string, currentVersionId: string): Promise<void>;
  /** The AWSCURRENT version's id and SecretString (undefined for a binary secret). */
  currentValue(secretArn: string): Promise<{ readonly versionId: string; readonly secretString?: string }>;
  /** One version's SecretString (undefined for a binary secret). */
  versionValue(secretArn: string, versionId: string): Promise<string | undefined>;
  /** PutSecretValue of a new AWSCURRENT version with `token` as its id; `movePending` moves AWSPENDING onto it too. */
  putCurrentValue(secretArn: string, token: string, secretString: string, movePending?: boolean): Promise<void>;
  /** Writes the verified tag's value. */
  tagVerified(secretArn: string, value: string): Promise<void>;
}

/** ListSecretVersionIds pages to read at most; a secret keeps about 100 versions. */
const MAX_VERSION_PAGES = 5;

export function createSecretOperations(client: SecretsManagerClient, log: Logger): SecretOperations {
  return {
    async describe(secretArn) {
      const output = await call('DescribeSecret', secretArn, () => client.send(new DescribeSecretCommand({ SecretId: secretArn })));
      return {
        arn: output.ARN ?? secretArn,
        name: output.Name ?? nameFromArn(secretArn),
        versionIdsToStages: output.VersionIdsToStages ?? {},
        tags: Object.fromEntries((output.Tags ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? ''])),
      };
    },

    async versionFacts(secretArn, versionId) {
      try {
        let nextToken: string | undefined;
        for (let page = 0; page < MAX_VERSION_PAGES; page++) {
          const output: ListSecretVersionIdsCommandOutput = await client.send(
            new ListSecretVersionIdsCommand({ SecretId: secretArn, MaxResults: 100, NextToken: nextToken }),
          );
          const entry = output.Versions?.find((version) => version.VersionId === versionId);
          if (entry) {
            // RotateSecret's placeholder has no value, so nothing was encrypted for it: a version listed with
            // KMS keys holds a value. A listing without the field proves nothing either way.
            const evidence = entry.KmsKeyIds === undefined ? 'unknown' : entry.KmsKeyIds.length > 0 ? 'stored' : 'missing';
            return { createdAt: entry.CreatedDate?.getTime(), evidence };
          }
          nextToken = output.NextToken;
          if (!nextToken) break;
        }
        return { evidence: 'unknown' };
      } catch (error) {
        // Without the facts, the version counts as possibly still in use (the caller's safe default).
        log.warn('ListSecretVersionIds failed; the version\'s age and value are unknown', { secretArn, versionId, error: safeErrorMessage(error) });
        return { evidence: 'unknown' };
      }
    },

    async rotate(secretArn, token, settings) {
      await call('RotateSecret', secretArn, () => client.send(new RotateSecretCommand({
        SecretId: secretArn,
        ClientRequestToken: token,
        RotationLambdaARN: settings.functionArn,
        RotationRules: { ScheduleExpression: settings.scheduleExpression, ...(settings.duration ? { Duration: settings.duration } : {}) },
        RotateImmediately: true,
      })));
    },

    async removePendingLabel(secretArn, versionId) {
      await call('UpdateSecretVersionStage', secretArn, () => client.send(new UpdateSecretVersionStageCommand({
        SecretId: secretArn,
        VersionStage: AWSPENDING,
        RemoveFromVersionId: versionId,
      })));
    },

    async promote(secretArn, versionId, currentVersionId) {
      await call('UpdateSecretVersionStage', secretArn, () => client.send(new UpdateSecretVersionStageCommand({
        SecretId: secretArn,
        VersionStage: AWSCURRENT,
        MoveToVersionId: versionId,
        RemoveFromVersionId: currentVersionId,
      })));
    },

    async currentValue(secretArn) {
      const output = await call('GetSecretValue', secretArn, () => client.send(new GetSecretValueCommand({ SecretId: secretArn, VersionStage: AWSCURRENT })));
      return { versionId: output.VersionId ?? '', secretString: output.SecretString };
    },

    async versionValue(secretArn, versionId) {
      const output = await call('GetSecretValue', secretArn, () => client.send(new GetSecretValueCommand({ SecretId: secretArn, VersionId: versionId })));
      return output.SecretString;
    },

    async putCurrentValue(secretArn, token, secretString, movePending = false) {
      const stages = movePending ? { VersionStages: [AWSCURRENT, AWSPENDING] } : {};
      await call('PutSecretValue', secretArn, () => client.send(new PutSecretValueCommand({
        SecretId: secretArn, ClientRequestToken: token, SecretString: secretString, ...stages,
      })));
    },

    async tagVerified(secretArn, value) {
      await call('TagResource', secretArn, () => client.send(new TagResourceCommand({ SecretId: secretArn, Tags: [{ Key: VERIFIED_TAG, Value: value }] })));
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
