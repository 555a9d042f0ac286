import type { Secret, SecretVersion } from '../store';
import { AWSCURRENT, versionWithStage } from '../store';

/**
 * One authorization AWS makes for a call: an action on a resource, with the request context the service documents
 * for it. Evaluators do not fill the context in: it is built here, per action.
 */
export interface AuthorizationRequest {
  readonly action: string;
  /** The resource ARN, or `*` for actions AWS does not scope to a resource. */
  readonly resource: string;
  /** The resource as AWS's denial message names it (Secrets Manager shows the SecretId as given). @default resource */
  readonly shownResource?: string;
  /** The service's condition keys for this action and resource (global keys are added by the authorizer). */
  readonly context: Readonly<Record<string, string | string[]>>;
  /** The ARN whose resource-based policy takes part (a secret, a KMS key, a function). @default - none */
  readonly resourcePolicyOf?: string;
  /**
   * Evaluate only when a policy source knows the resource's policy: a KMS key the simulator has no key policy for
   * (the AWS managed key, an imported key) is not evaluated, and the decision log says so.
   */
  readonly needsKnownResourcePolicy?: boolean;
  /** What AWS answers when this authorization fails, when it is not the standard "is not authorized" message. */
  readonly deniedMessage?: string;
  /** The service that makes the call on the caller's behalf (`aws:CalledVia`), e.g. Secrets Manager calling KMS. */
  readonly calledVia?: string;
}

/** Where the request is served: the simulator's region, account and partition, and its secrets. */
export interface RequestEnvironment {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  findSecret(secretId: string): Secret | undefined;
}

export const SECRETS_MANAGER_SERVICE = 'secretsmanager.amazonaws.com';
/** Secrets Manager's answer when its call to KMS on the caller's behalf is denied. */
export const KMS_DENIED_MESSAGE = 'Access to KMS is not allowed';
/** Secrets Manager's answer when the rotation function's resource policy does not let it invoke the function. */
export const SERVICE_INVOKE_DENIED_MESSAGE =
  'Secrets Manager cannot invoke the specified Lambda function. Ensure that the function policy grants access to the principal secretsmanager.amazonaws.com.';

/** Actions AWS does not scope to a secret: their resource is `*`. */
const UNSCOPED_SECRETS_MANAGER_ACTIONS = new Set(['GetRandomPassword', 'ListSecrets', 'BatchGetSecretValue']);

/**
 * The authorizations of one Secrets Manager call (`operation` with its JSON input): the action on the secret with
 * Secrets Manager's condition keys; for RotateSecret also `lambda:InvokeFunction` on the rotation function, which
 * the caller needs; for GetSecretValue and PutSecretValue of a secret under a customer managed key, the KMS call
 * Secrets Manager makes on the caller's behalf (kms:Decrypt, kms:GenerateDataKey) with its encryption context.
 */
export function secretsManagerRequests(env: RequestEnvironment, operation: string, input: Record<string, unknown>): AuthorizationRequest[] {
  const action = `secretsmanager:${operation}`;
  if (UNSCOPED_SECRETS_MANAGER_ACTIONS.has(operation)) return [{ action, resource: '*', context: {} }];
  if (operation === 'CreateSecret') return [createSecretRequest(env, input)];

  const secretId = typeof input.SecretId === 'string' ? input.SecretId : '';
  const secret = secretId === '' ? undefined : env.findSecret(secretId);
  const resource = secret?.arn ?? (secretId.startsWith('arn:') ? secretId : `${secretArnPrefix(env)}${secretId}`);
  const context: Record<string, string | string[]> = {
    'secretsmanager:SecretId': secretId,
    ...(secret ? secretResourceKeys(secret) : {}),
    ...actionKeys(operation, input),
  };
  const requests: AuthorizationRequest[] = [{ action, resource, shownResource: secretId, context, resourcePolicyOf: resource }];

  if (operation === 'RotateSecret') {
    const functionArn = stringMember(input, 'RotationLambdaARN') || secret?.rotation.lambdaArn;
    if (functionArn) requests.push(invokeRequest(functionArn));
  }
  const keyArn = secret && keyArnOf(env, secret.kmsKeyId);
  if (secret && keyArn) {
    if (operation === 'GetSecretValue') {
      const version = requestedVersion(secret, input);
      requests.push(kmsRequest(env, 'kms:Decrypt', keyArn, secret.arn, version?.id));
    } else if (operation === 'PutSecretValue') {
      requests.push(kmsRequest(env, 'kms:GenerateDataKey', keyArn, secret.arn, stringMember(input, 'ClientRequestToken')));
    }
  }
  return requests;
}

/** Lambda's Invoke of a function: `lambda:InvokeFunction` on the unqualified function ARN, with its resource policy. */
export function invokeRequest(functionArn: string): AuthorizationRequest {
  const unqualified = functionArn.replace(/^(arn:[^:]+:lambda:[^:]*:[^:]*:function:[^:]+):[^:]+$/, '$1');
  return { action: 'lambda:InvokeFunction', resource: unqualified, context: {}, resourcePolicyOf: unqualified };
}

/**
 * Secrets Manager invoking a secret's rotation function, on its own behalf: authorized by the function's resource
 * policy alone, with the secret as source (`aws:SourceAccount`, `aws:SourceArn`).
 */
export function serviceInvokeRequest(secretArn: string, functionArn: string): AuthorizationRequest {
  return {
    ...invokeRequest(functionArn),
    context: { 'aws:SourceAccount': secretArn.split(':')[4], 'aws:SourceArn': secretArn, 'aws:PrincipalServiceName': SECRETS_MANAGER_SERVICE },
    deniedMessage: SERVICE_INVOKE_DENIED_MESSAGE,
  };
}

/**
 * CloudWatch Logs authorizes log-group actions on `...:log-group:<name>:log-stream:` (its messages show this
 * form), so a policy must name the group with `:*` to match, as `LogGroup.logGroupArn` does.
 */
export function logGroupRequest(env: RequestEnvironment, action: string, logGroupName: string): AuthorizationRequest {
  return { action, resource: `${logGroupArn(env, logGroupName)}:log-stream:`, context: {} };
}

/** Lambda writing a function's output with its execution role: CreateLogStream and PutLogEvents on the stream. */
export function logStreamRequests(env: RequestEnvironment, logGroupName: string, logStreamName: string): AuthorizationRequest[] {
  const resource = `${logGroupArn(env, logGroupName)}:log-stream:${logStreamName}`;
  return ['logs:CreateLogStream', 'logs:PutLogEvents'].map((action) => ({ action, resource, context: {} }));
}

function logGroupArn(env: RequestEnvironment, logGroupName: string): string {
  return `arn:${env.partition}:logs:${env.region}:${env.accountId}:log-group:${logGroupName}`;
}

function createSecretRequest(env: RequestEnvironment, input: Record<string, unknown>): AuthorizationRequest {
  const name = stringMember(input, 'Name') ?? '';
  const tags = tagList(input.Tags);
  const context: Record<string, string | string[]> = {
    'secretsmanager:Name': name,
    ...(stringMember(input, 'Description') !== undefined ? { 'secretsmanager:Description': stringMember(input, 'Description')! } : {}),
    ...(stringMember(input, 'KmsKeyId') !== undefined ? { 'secretsmanager:KmsKeyId': stringMember(input, 'KmsKeyId')! } : {}),
    ...requestTagKeys(tags),
  };
  // The secret does not exist yet: AWS authorizes against the ARN it will have, which policies match by name prefix.
  return { action: 'secretsmanager:CreateSecret', resource: `${secretArnPrefix(env)}${name}`, shownResource: name, context };
}

/** The condition keys Secrets Manager documents for a secret as resource. */
function secretResourceKeys(secret: Secret): Record<string, string | string[]> {
  const keys: Record<string, string | string[]> = {};
  for (const tag of secret.tags ?? []) {
    keys[`aws:ResourceTag/${tag.Key}`] = tag.Value;
    keys[`secretsmanager:ResourceTag/${tag.Key}`] = tag.Value;
  }
  if (secret.rotation.lambdaArn) keys['secretsmanager:resource/AllowRotationLambdaArn'] = secret.rotation.lambdaArn;
  return keys;
}

/** The condition keys Secrets Manager documents for each action's request parameters. */
function actionKeys(operation: string, input: Record<string, unknown>): Record<string, string | string[]> {
  const keys: Record<string, string | string[]> = {};
  const copy = (member: string, key: string) => {
    const value = input[member];
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') keys[key] = String(value);
  };
  switch (operation) {
    case 'GetSecretValue':
      copy('VersionId', 'secretsmanager:VersionId');
      copy('VersionStage', 'secretsmanager:VersionStage');
      break;
    case 'UpdateSecretVersionStage':
      copy('VersionStage', 'secretsmanager:VersionStage');
      break;
    case 'RotateSecret':
      copy('RotationLambdaARN', 'secretsmanager:RotationLambdaARN');
      copy('RotateImmediately', 'secretsmanager:RotateImmediately');
      keys['secretsmanager:ModifyRotationRules'] = String(input.RotationRules !== undefined && input.RotationRules !== null);
      break;
    case 'DeleteSecret':
      copy('RecoveryWindowInDays', 'secretsmanager:RecoveryWindowInDays');
      copy('ForceDeleteWithoutRecovery', 'secretsmanager:ForceDeleteWithoutRecovery');
      break;
    case 'UpdateSecret':
      copy('Description', 'secretsmanager:Description');
      copy('KmsKeyId', 'secretsmanager:KmsKeyId');
      break;
    case 'TagResource':
      Object.assign(keys, requestTagKeys(tagList(input.Tags)));
      break;
    case 'UntagResource':
      if (Array.isArray(input.TagKeys)) keys['aws:TagKeys'] = input.TagKeys.map(String);
      break;
    default:
      break;
  }
  return keys;
}

function requestTagKeys(tags: ReadonlyArray<{ Key: string; Value: string }>): Record<string, string | string[]> {
  if (tags.length === 0) return {};
  const keys: Record<string, string | string[]> = { 'aws:TagKeys': tags.map((tag) => tag.Key) };
  for (const tag of tags) keys[`aws:RequestTag/${tag.Key}`] = tag.Value;
  return keys;
}

/**
 * Secrets Manager's own call to KMS for the caller (a forward access session): the caller's identity policies
 * and the key policy decide, with `kms:ViaService` and the encryption context Secrets Manager binds to each version.
 */
function kmsRequest(env: RequestEnvironment, action: string, keyArn: string, secretArn: string, versionId: string | undefined): AuthorizationRequest {
  return {
    action,
    resource: keyArn,
    context: {
      'kms:ViaService': `secretsmanager.${env.region}.amazonaws.com`,
      'kms:CallerAccount': env.accountId,
      'kms:EncryptionContext:SecretARN': secretArn,
      ...(versionId !== undefined ? { 'kms:EncryptionContext:SecretVersionId': versionId } : {}),
      'kms:EncryptionContextKeys': versionId !== undefined ? ['SecretARN', 'SecretVersionId'] : ['SecretARN'],
    },
    resourcePolicyOf: keyArn,
    needsKnownResourcePolicy: true,
    deniedMessage: KMS_DENIED_MESSAGE,
    calledVia: SECRETS_MANAGER_SERVICE,
  };
}

/** A key ARN from a secret's KmsKeyId (an ARN or a key id); aliases cannot be resolved here. */
function keyArnOf(env: RequestEnvironment, kmsKeyId: string | undefined): string | undefined {
  if (kmsKeyId === undefined) return undefined;
  if (/^arn:[^:]+:kms:[^:]*:\d{12}:key\//.test(kmsKeyId)) return kmsKeyId;
  if (/^[0-9a-f-]{36}$/i.test(kmsKeyId) || /^mrk-[0-9a-f]{32}$/.test(kmsKeyId)) return `arn:${env.partition}:kms:${env.region}:${env.accountId}:key/${kmsKeyId}`;
  return undefined;
}

function requestedVersion(secret: Secret, input: Record<string, unknown>): SecretVersion | undefined {
  const versionId = stringMember(input, 'VersionId');
  if (versionId !== undefined) return secret.versions.get(versionId);
  return versionWithStage(secret, stringMember(input, 'VersionStage') ?? AWSCURRENT);
}

function secretArnPrefix(env: RequestEnvironment): string {
  return `arn:${env.partition}:secretsmanager:${env.region}:${env.accountId}:secret:`;
}

function stringMember(input: Record<string, unknown>, member: string): string | undefined {
  return typeof input[member] === 'string' ? input[member] as string : undefined;
}

function tagList(value: unknown): Array<{ Key: string; Value: string }> {
  if (!Array.isArray(value)) return [];
  return value.filter((tag) => typeof tag?.Key === 'string' && typeof tag?.Value === 'string');
}
