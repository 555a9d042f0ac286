/**
 * The access key rotation function as the provider of `Custom::RotatedAccessKeys` (src/private/contract/access-keys.ts):
 * when CloudFormation deletes it (the stack, or the secret, goes; a failed deploy rolls back), it deletes the user's
 * keys that a version of the secret holds, so that no key outlives the only record of it, and CloudFormation can
 * delete a user of the stack (IAM refuses to delete a user that has keys). Create and Update change nothing.
 */
import { AccessKeyDirectory, keyLabel, maskKeyIds, parseAccessKeySecret } from './iam-access-key';
import { safeErrorMessage } from './log';
import type { Logger, SecretsStore } from './types';
import { ACCESS_KEYS_PROPERTIES, ACCESS_KEYS_RESOURCE_TYPE } from '../../src/private/contract';
import type { CloudFormationRequest } from '../verify/request';
import { Answer, Responder, responseBody } from '../verify/response';

/** A CloudFormation request for `Custom::RotatedAccessKeys`. */
export function isAccessKeysRequest(event: unknown): event is CloudFormationRequest {
  if (typeof event !== 'object' || event === null) return false;
  const fields = event as Record<string, unknown>;
  return fields.ResourceType === ACCESS_KEYS_RESOURCE_TYPE && typeof fields.ResponseURL === 'string';
}

export interface AccessKeysDependencies {
  readonly iam: AccessKeyDirectory;
  readonly store: SecretsStore;
  readonly respond: Responder;
  readonly log: Logger;
}

/** Answers the request (SUCCESS, or FAILED naming what failed), after deleting the keys when it is a Delete. */
export async function answerAccessKeysRequest(request: CloudFormationRequest, deps: AccessKeysDependencies): Promise<void> {
  const properties = request.ResourceProperties;
  const secretArn = String(properties[ACCESS_KEYS_PROPERTIES.secretArn] ?? '');
  const userName = String(properties[ACCESS_KEYS_PROPERTIES.userName] ?? '');
  const retain = String(properties[ACCESS_KEYS_PROPERTIES.retainKeys]) === 'true';
  // A new secret or user is a new resource: CloudFormation then deletes the old one, with the old properties.
  const physicalResourceId = `${secretArn}|${userName}`;
  let answer: Answer;
  try {
    if (secretArn === '' || userName === '') throw new Error(`${ACCESS_KEYS_PROPERTIES.secretArn} and ${ACCESS_KEYS_PROPERTIES.userName} are required`);
    let reason = '';
    if (request.RequestType === 'Delete') {
      reason = retain
        ? `kept the keys of ${userName}: the stack keeps the secret`
        : await deleteHeldKeys(secretArn, userName, deps);
      deps.log.info('access keys settled on delete', { secretArn, userName, outcome: reason });
    }
    answer = { status: 'SUCCESS', reason, physicalResourceId: request.PhysicalResourceId ?? physicalResourceId };
    if (request.RequestType !== 'Delete') answer = { ...answer, physicalResourceId };
  } catch (error) {
    const message = maskKeyIds(safeErrorMessage(error));
    deps.log.error('access keys could not be settled', { secretArn, userName, requestType: request.RequestType, error: message });
    answer = {
      status: 'FAILED',
      reason: `could not delete the access keys of ${userName} that the secret ${secretArn} holds: ${message}`,
      physicalResourceId: request.PhysicalResourceId ?? physicalResourceId,
    };
  }
  await deps.respond(request.ResponseURL, responseBody(request, answer, 'see the rotation function\'s log'));
}

/** Deletes the user's keys that a labelled version of the secret holds; says what it did. */
async function deleteHeldKeys(secretArn: string, userName: string, deps: AccessKeysDependencies): Promise<string> {
  const held = await heldKeys(secretArn, userName, deps.store);
  if (held === undefined) return 'no key to delete: this function never rotated the secret, or it is gone';
  const keys = await listKeysOrNone(deps.iam, userName);
  const doomed = keys.filter((key) => held.has(key.accessKeyId));
  for (const key of doomed) {
    await deps.iam.deleteKey(userName, key.accessKeyId);
    deps.log.info('access key deleted with its secret', { secretArn, userName, key: keyLabel(key.accessKeyId) });
  }
  const kept = keys.length - doomed.length;
  return `deleted ${doomed.length} access key(s) of ${userName} that the secret held${kept > 0 ? `; kept ${kept} it did not hold` : ''}`;
}

/**
 * The key ids the secret's labelled versions hold for `userName`; undefined when the function may not read the
 * secret or it no longer exists. Secrets Manager lets this function read only the secrets it rotates, so a denied
 * read means it never rotated this one, and made no key for it.
 */
async function heldKeys(secretArn: string, userName: string, store: SecretsStore): Promise<Set<string> | undefined> {
  let versions: Readonly<Record<string, readonly string[]>>;
  try {
    versions = (await store.describe(secretArn)).versionIdsToStages;
  } catch (error) {
    if (isAwsError(error, 'ResourceNotFoundException') || isAwsError(error, 'AccessDeniedException')) return undefined;
    throw error;
  }
  const held = new Set<string>();
  for (const [versionId, stages] of Object.entries(versions)) {
    if (stages.length === 0) continue;
    const value = await store.getValue(secretArn, { versionId, stage: stages[0] });
    if (value === undefined) continue;
    let parsed;
    try {
      parsed = parseAccessKeySecret(value);
    } catch {
      continue;
    }
    if (parsed.userName === userName && parsed.accessKeyId !== undefined) held.add(parsed.accessKeyId);
  }
  return held;
}

async function listKeysOrNone(iam: AccessKeyDirectory, userName: string) {
  try {
    return await iam.listKeys(userName);
  } catch (error) {
    if (isAwsError(error, 'NoSuchEntityException')) return [];
    throw error;
  }
}

function isAwsError(error: unknown, name: string): boolean {
  return error instanceof Error && error.name === name;
}
