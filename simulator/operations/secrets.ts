import { invalidParameter, invalidRequest, resourceExists, secretNotFound, ServiceError, validationError } from '../errors';
import { attachStages, AWSCURRENT, Secret, Tag, versionIdsToStages } from '../store';
import {
  activeSecret, clientRequestToken, Input, Operation, optionalBoolean, optionalNumber, optionalString, pageOffset,
  requiredString, sameValue, seconds, secretValue,
} from './context';
import { putSecretValue } from './versions';

const NAME_PATTERN = /^[A-Za-z0-9/_+=.@!-]+$/;

export const createSecret: Operation = (context, input) => {
  const name = requiredString(input, 'Name', 512);
  if (!NAME_PATTERN.test(name)) {
    throw new ServiceError('ValidationException', 'Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!');
  }
  const value = secretValue(input, false);
  const token = value ? clientRequestToken(input, invalidRequest) : undefined;
  const tags = tagList(input, 'Tags', false);

  const existing = context.store.byName(name);
  if (existing) {
    if (existing.deletionDate !== undefined) {
      throw invalidRequest("You can't create this secret because a secret with this name is already scheduled for deletion.");
    }
    // The same request again (same token and value) is a no-op success.
    if (token !== undefined && value && sameValue(existing.versions.get(token)?.value, value)) {
      return { ARN: existing.arn, Name: existing.name, VersionId: token };
    }
    throw resourceExists(`The operation failed because the secret ${name} already exists.`);
  }

  const secret = context.store.add(name, {
    description: optionalString(input, 'Description'),
    kmsKeyId: optionalString(input, 'KmsKeyId'),
    tags,
  });
  if (value && token !== undefined) {
    const version = { id: token, value, stages: [], createdAt: context.clock.now() };
    secret.versions.set(token, version);
    attachStages(secret, version, [AWSCURRENT]);
  }
  return { ARN: secret.arn, Name: secret.name, ...(token !== undefined ? { VersionId: token } : {}) };
};

export const describeSecret: Operation = (context, input) => {
  const secret = context.store.resolve(requiredString(input, 'SecretId'));
  const stages = versionIdsToStages(secret);
  return {
    ...summary(secret),
    ...(Object.keys(stages).length > 0 ? { VersionIdsToStages: stages } : {}),
  };
};

export const listSecrets: Operation = (context, input) => {
  const includePlannedDeletion = optionalBoolean(input, 'IncludePlannedDeletion') ?? false;
  const maxResults = optionalNumber(input, 'MaxResults') ?? 100;
  if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 100) {
    throw validationError('maxResults', maxResults < 1 ? 'have value greater than or equal to 1' : 'have value less than or equal to 100', maxResults);
  }
  const filters = (input.Filters ?? []) as Array<{ Key?: string; Values?: string[] }>;
  const descending = optionalString(input, 'SortOrder') === 'desc';
  const matching = context.store
    .all()
    .filter((secret) => includePlannedDeletion || secret.deletionDate === undefined)
    .filter((secret) => filters.every((filter) => matchesFilter(secret, filter)));
  if (descending) matching.reverse();
  const offset = pageOffset(input);
  const page = matching.slice(offset, offset + maxResults);
  return {
    SecretList: page.map((secret) => {
      const stages = versionIdsToStages(secret);
      return { ...summary(secret), ...(Object.keys(stages).length > 0 ? { SecretVersionsToStages: stages } : {}) };
    }),
    ...(offset + maxResults < matching.length ? { NextToken: String(offset + maxResults) } : {}),
  };
};

export const deleteSecret: Operation = (context, input) => {
  const secretId = requiredString(input, 'SecretId');
  const window = optionalNumber(input, 'RecoveryWindowInDays');
  const force = optionalBoolean(input, 'ForceDeleteWithoutRecovery') ?? false;
  if (window !== undefined && force) {
    throw invalidParameter("You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.");
  }
  if (window !== undefined && (!Number.isInteger(window) || window < 7 || window > 30)) {
    throw invalidParameter('The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).');
  }
  const now = context.clock.now();
  const secret = context.store.find(secretId);
  if (!secret) {
    // Force-deleting a secret that does not exist succeeds, as if it had existed.
    if (force) return { ARN: context.store.arnFor(secretId), Name: secretId, DeletionDate: seconds(now) };
    throw secretNotFound();
  }
  if (secret.deletionDate !== undefined && !force) {
    throw invalidRequest("You can't perform this operation on the secret because it was marked for deletion.");
  }
  context.engine.abandon(secret, 'the secret was deleted');
  if (force) {
    context.store.remove(secret);
    return { ARN: secret.arn, Name: secret.name, DeletionDate: seconds(now) };
  }
  secret.deletionDate = now + (window ?? 30) * 86_400_000;
  secret.lastChangedAt = now;
  return { ARN: secret.arn, Name: secret.name, DeletionDate: seconds(secret.deletionDate) };
};

/** Description and KmsKeyId change in place; a new value becomes AWSCURRENT, as PutSecretValue would make it. */
export const updateSecret: Operation = (context, input) => {
  const secret = activeSecret(context, requiredString(input, 'SecretId'));
  const description = optionalString(input, 'Description');
  const kmsKeyId = optionalString(input, 'KmsKeyId');
  if (description !== undefined) secret.description = description;
  if (kmsKeyId !== undefined) secret.kmsKeyId = kmsKeyId;
  secret.lastChangedAt = context.clock.now();
  if (secretValue(input, false) === undefined) return { ARN: secret.arn, Name: secret.name };
  const value = { ClientRequestToken: input.ClientRequestToken, SecretString: input.SecretString, SecretBinary: input.SecretBinary };
  const { VersionId } = putSecretValue(context, { SecretId: secret.arn, ...value }) as { VersionId: string };
  return { ARN: secret.arn, Name: secret.name, VersionId };
};

export const restoreSecret: Operation = (context, input) => {
  const secret = context.store.resolve(requiredString(input, 'SecretId'));
  if (secret.deletionDate !== undefined) {
    secret.deletionDate = undefined;
    secret.lastChangedAt = context.clock.now();
    context.engine.reschedule(secret, 'restored');
  }
  return { ARN: secret.arn, Name: secret.name };
};

export const tagResource: Operation = (context, input) => {
  const secret = activeSecret(context, requiredString(input, 'SecretId'));
  const tags = tagList(input, 'Tags', true)!;
  const merged = new Map((secret.tags ?? []).map((tag) => [tag.Key, tag.Value]));
  for (const tag of tags) merged.set(tag.Key, tag.Value);
  secret.tags = [...merged].map(([Key, Value]) => ({ Key, Value }));
  secret.lastChangedAt = context.clock.now();
  return {};
};

export const untagResource: Operation = (context, input) => {
  const secret = activeSecret(context, requiredString(input, 'SecretId'));
  const keys = input.TagKeys;
  if (!Array.isArray(keys)) throw new ServiceError('ValidationException', "1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: Member must not be null");
  secret.tags = (secret.tags ?? []).filter((tag) => !keys.includes(tag.Key));
  secret.lastChangedAt = context.clock.now();
  return {};
};

/** The fields DescribeSecret and ListSecrets share; only those that are set. */
function summary(secret: Secret): Record<string, unknown> {
  const rotation = secret.rotation;
  const enabled = rotation.enabled === true;
  const fields: Record<string, unknown> = {
    ARN: secret.arn,
    Name: secret.name,
    Description: secret.description,
    KmsKeyId: secret.kmsKeyId,
    RotationEnabled: rotation.enabled,
    RotationLambdaARN: rotation.lambdaArn,
    RotationRules: rotation.rules ? renderRules(rotation.rules) : undefined,
    LastRotatedDate: enabled && rotation.lastRotatedAt !== undefined ? seconds(rotation.lastRotatedAt) : undefined,
    LastChangedDate: seconds(secret.lastChangedAt),
    LastAccessedDate: secret.lastAccessedAt !== undefined ? seconds(secret.lastAccessedAt) : undefined,
    DeletedDate: secret.deletionDate !== undefined ? seconds(secret.deletionDate) : undefined,
    NextRotationDate: enabled && rotation.nextRotationAt !== undefined ? seconds(rotation.nextRotationAt) : undefined,
    Tags: secret.tags,
    CreatedDate: seconds(secret.createdAt),
  };
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}

/** RotationRules as DescribeSecret echoes them; a `rate(N days)` schedule also reports AutomaticallyAfterDays. */
function renderRules(rules: NonNullable<Secret['rotation']['rules']>): Record<string, unknown> {
  const days = rules.automaticallyAfterDays ?? rateInDays(rules.scheduleExpression);
  return {
    ...(days !== undefined ? { AutomaticallyAfterDays: days } : {}),
    ...(rules.scheduleExpression !== undefined ? { ScheduleExpression: rules.scheduleExpression } : {}),
    ...(rules.duration !== undefined ? { Duration: rules.duration } : {}),
  };
}

function rateInDays(expression: string | undefined): number | undefined {
  const match = expression === undefined ? null : /^rate\(\s*(\d+)\s+(hours?|days?)\s*\)$/.exec(expression);
  if (!match) return undefined;
  const value = Number(match[1]);
  if (match[2].startsWith('day')) return value;
  return value % 24 === 0 ? value / 24 : undefined;
}

function tagList(input: Input, member: string, required: boolean): Tag[] | undefined {
  const tags = input[member];
  if (tags === undefined || tags === null) {
    if (required) throw new ServiceError('ValidationException', "1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null");
    return undefined;
  }
  if (!Array.isArray(tags) || tags.some((tag) => typeof tag?.Key !== 'string' || typeof tag?.Value !== 'string')) {
    throw invalidParameter('Tags must be a list of {Key, Value} strings.');
  }
  return tags.map((tag) => ({ Key: tag.Key, Value: tag.Value }));
}

function matchesFilter(secret: Secret, filter: { Key?: string; Values?: string[] }): boolean {
  const values = filter.Values ?? [];
  return values.some((raw) => {
    const negate = raw.startsWith('!');
    const value = negate ? raw.slice(1) : raw;
    const prefix = (candidate: string | undefined, caseSensitive = true) =>
      candidate !== undefined && (caseSensitive ? candidate.startsWith(value) : candidate.toLowerCase().startsWith(value.toLowerCase()));
    let hit: boolean;
    switch (filter.Key) {
      case 'name': hit = prefix(secret.name); break;
      case 'description': hit = prefix(secret.description, false); break;
      case 'tag-key': hit = (secret.tags ?? []).some((tag) => prefix(tag.Key)); break;
      case 'tag-value': hit = (secret.tags ?? []).some((tag) => prefix(tag.Value)); break;
      case 'primary-region': hit = false; break;
      case 'owning-service': hit = false; break;
      case 'all': {
        const words = [secret.name, secret.description, ...(secret.tags ?? []).flatMap((tag) => [tag.Key, tag.Value])];
        hit = words.some((word) => word !== undefined && word.toLowerCase().includes(value.toLowerCase()));
        break;
      }
      default: throw invalidParameter(`Invalid filter key: ${filter.Key}`);
    }
    return negate ? !hit : hit;
  });
}
