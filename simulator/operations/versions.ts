import { invalidParameter, invalidRequest, resourceExists, resourceNotFound, ServiceError, validationError } from '../errors';
import { incompleteRotationVersion } from '../rotation';
import {
  attachStages, AWSCURRENT, AWSPENDING, detachStage, removeDeprecatedVersions, Secret, SecretVersion, versionWithStage,
} from '../store';
import {
  activeSecret, checkVersionId, clientRequestToken, dayOf, Input, Operation, optionalBoolean, optionalNumber, optionalString,
  pageOffset, requiredString, sameValue, seconds, secretValue,
} from './context';

const notFoundFor = (what: string) => resourceNotFound(`Secrets Manager can't find the specified secret value for ${what}`);

export const getSecretValue: Operation = (context, input) => {
  const secret = activeSecret(context, requiredString(input, 'SecretId'));
  const versionId = optionalString(input, 'VersionId');
  const stage = optionalString(input, 'VersionStage');
  let version: SecretVersion | undefined;
  if (versionId !== undefined) {
    version = secret.versions.get(versionId);
    if (!version) throw notFoundFor(`VersionId: ${versionId}`);
    if (stage !== undefined && !version.stages.includes(stage)) {
      throw invalidRequest('You provided a VersionStage that is not associated to the provided VersionId.');
    }
  } else {
    version = versionWithStage(secret, stage ?? AWSCURRENT);
    if (!version) throw notFoundFor(`staging label: ${stage ?? AWSCURRENT}`);
  }
  // The placeholder RotateSecret creates has no value yet.
  if (!version.value) throw notFoundFor(versionId !== undefined ? `VersionId: ${versionId}` : `staging label: ${stage ?? AWSCURRENT}`);
  const today = dayOf(context.clock.now());
  secret.lastAccessedAt = today;
  version.lastAccessedAt = today;
  return {
    ARN: secret.arn,
    Name: secret.name,
    VersionId: version.id,
    ...(version.value.string !== undefined ? { SecretString: version.value.string } : { SecretBinary: version.value.binary }),
    VersionStages: [...version.stages],
    CreatedDate: seconds(version.createdAt),
  };
};

export const putSecretValue: Operation = (context, input) => {
  const token = clientRequestToken(input, invalidRequest);
  const secret = activeSecret(context, requiredString(input, 'SecretId'));
  const value = secretValue(input, true)!;
  const stages = versionStages(input);
  checkRotationToken(input);

  const existing = secret.versions.get(token);
  if (existing?.value) {
    // Idempotent retry: same token and data changes nothing; other data cannot overwrite a version.
    if (sameValue(existing.value, value)) return putResult(secret, existing);
    throw tokenInUse(token, secret);
  }
  if (existing && !existing.stages.includes(AWSPENDING)) throw tokenInUse(token, secret);

  const now = context.clock.now();
  const incomplete = incompleteRotationVersion(secret);
  const rotationRunning = context.engine.isRunning(secret);
  let version: SecretVersion;
  if (existing) {
    // Filling in the value-less AWSPENDING placeholder that RotateSecret created.
    existing.value = value;
    version = existing;
  } else {
    version = { id: token, value, stages: [], createdAt: now };
    secret.versions.set(token, version);
  }
  const requested = stages ?? [AWSCURRENT];
  const isFirst = !versionWithStage(secret, AWSCURRENT);
  const becomesCurrent = (requested.includes(AWSCURRENT) || isFirst) && !version.stages.includes(AWSCURRENT);
  attachStages(secret, version, isFirst && !requested.includes(AWSCURRENT) ? [...requested, AWSCURRENT] : requested);

  if (becomesCurrent) {
    // A manual change of AWSCURRENT ends any rotation: AWSPENDING is dropped (CloudTrail: RotationAbandoned).
    for (const other of secret.versions.values()) {
      if (other !== version) detachStage(other, AWSPENDING);
    }
    if (rotationRunning || (incomplete && incomplete !== version)) {
      context.engine.abandon(secret, 'a manual PutSecretValue made a new AWSCURRENT', incomplete?.id);
    }
    context.engine.reschedule(secret, 'changed');
  }
  secret.lastChangedAt = now;
  removeDeprecatedVersions(secret, now);
  return putResult(secret, version);
};

export const updateSecretVersionStage: Operation = (context, input) => {
  const secret = activeSecret(context, requiredString(input, 'SecretId'));
  const stage = requiredString(input, 'VersionStage', 256);
  const moveTo = optionalString(input, 'MoveToVersionId');
  const removeFrom = optionalString(input, 'RemoveFromVersionId');
  if (moveTo !== undefined) checkVersionId('moveToVersionId', moveTo);
  if (removeFrom !== undefined) checkVersionId('removeFromVersionId', removeFrom);
  if (moveTo === undefined && removeFrom === undefined) {
    throw invalidParameter('You must specify MoveToVersionId, RemoveFromVersionId, or both.');
  }
  const holder = versionWithStage(secret, stage);
  if (moveTo !== undefined) {
    const target = secret.versions.get(moveTo);
    if (!target) throw invalidParameter(`Secrets Manager can't find the specified version: ${moveTo}`);
    if (holder && holder !== target) {
      if (removeFrom === undefined) {
        throw invalidParameter(
          `The parameter RemoveFromVersionId can't be empty. Staging label ${stage} is currently attached to version ${holder.id}, so you must explicitly reference that version in RemoveFromVersionId.`,
        );
      }
      if (removeFrom !== holder.id) {
        throw invalidParameter(
          `The parameter RemoveFromVersionId must name version ${holder.id}, which currently has staging label ${stage}; got ${removeFrom}.`,
        );
      }
    }
    attachStages(secret, target, [stage]);
  } else {
    const source = secret.versions.get(removeFrom!);
    if (!source) throw invalidParameter(`Secrets Manager can't find the specified version: ${removeFrom}`);
    if (!source.stages.includes(stage)) throw invalidParameter(`Staging label ${stage} is not attached to version ${removeFrom}.`);
    if (stage === AWSCURRENT) throw invalidParameter(`You can't remove staging label ${AWSCURRENT}; move it to another version with MoveToVersionId.`);
    detachStage(source, stage);
  }
  secret.lastChangedAt = context.clock.now();
  return { ARN: secret.arn, Name: secret.name };
};

export const listSecretVersionIds: Operation = (context, input) => {
  const secret = activeSecret(context, requiredString(input, 'SecretId'));
  const includeDeprecated = optionalBoolean(input, 'IncludeDeprecated') ?? false;
  const maxResults = optionalNumber(input, 'MaxResults') ?? 100;
  if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 100) {
    throw validationError('maxResults', maxResults < 1 ? 'have value greater than or equal to 1' : 'have value less than or equal to 100', maxResults);
  }
  const versions = [...secret.versions.values()].filter((version) => includeDeprecated || version.stages.length > 0);
  const offset = pageOffset(input);
  const page = versions.slice(offset, offset + maxResults);
  return {
    Versions: page.map((version) => ({
      VersionId: version.id,
      ...(version.stages.length > 0 ? { VersionStages: [...version.stages] } : {}),
      ...(version.lastAccessedAt !== undefined ? { LastAccessedDate: seconds(version.lastAccessedAt) } : {}),
      CreatedDate: seconds(version.createdAt),
      KmsKeyIds: ['DefaultEncryptionKey'],
    })),
    ...(offset + maxResults < versions.length ? { NextToken: String(offset + maxResults) } : {}),
    ARN: secret.arn,
    Name: secret.name,
  };
};

function versionStages(input: Input): string[] | undefined {
  const stages = input.VersionStages;
  if (stages === undefined || stages === null) return undefined;
  if (!Array.isArray(stages) || stages.some((stage) => typeof stage !== 'string')) {
    throw new ServiceError('SerializationException', 'VersionStages must be a list of strings');
  }
  if (stages.length < 1) throw validationError('versionStages', 'have length greater than or equal to 1');
  if (stages.length > 20) throw validationError('versionStages', 'have length less than or equal to 20');
  for (const stage of stages) {
    if (stage.length < 1 || stage.length > 256) throw validationError('versionStages', 'have members of length 1 to 256', stage);
  }
  return [...new Set(stages as string[])];
}

function checkRotationToken(input: Input): void {
  const token = optionalString(input, 'RotationToken');
  if (token === undefined) return;
  if (token.length < 36 || token.length > 256 || !/^[a-zA-Z0-9-]+$/.test(token)) {
    throw validationError('rotationToken', 'satisfy regular expression pattern: ^[a-zA-Z0-9\\-]+$ and have length 36 to 256');
  }
}

function tokenInUse(token: string, secret: Secret) {
  return resourceExists(`You can't use ClientRequestToken ${token} because that value is already in use for a version of secret ${secret.arn}.`);
}

function putResult(secret: Secret, version: SecretVersion) {
  return { ARN: secret.arn, Name: secret.name, VersionId: version.id, VersionStages: [...version.stages] };
}
