import {
  CancelRotateSecretCommand, CreateSecretCommand, DeleteSecretCommand, GetRandomPasswordCommand, GetSecretValueCommand,
  PutSecretValueCommand, RotateSecretCommand, SecretsManagerClient, TagResourceCommand, UntagResourceCommand, UpdateSecretCommand,
} from '@aws-sdk/client-secrets-manager';
import { DeployEnvironment, ResourceHandler, ResourceRequest, ResourceResult } from './handler';
import { generatedName } from './physical-names';

/**
 * AWS::SecretsManager::Secret through the simulator's API. Deleting force-deletes without a recovery window, as
 * CloudFormation does (its DeletionPolicy documentation; cloudformation-coverage-roadmap #1999 and #838 ask for
 * a recovery window that CloudFormation does not use).
 */
export const secretHandler: ResourceHandler = {
  async create(request, env) {
    const props = request.properties;
    const generate = props.GenerateSecretString;
    const value = props.SecretString ?? (generate ? await generateSecretString(env.secretsManager, generate) : undefined);
    const created = await env.secretsManager.send(new CreateSecretCommand({
      Name: props.Name ?? generatedName(request.stack.name, request.logicalId, { includeStackName: false, maxLength: 512 }),
      Description: props.Description,
      KmsKeyId: props.KmsKeyId,
      SecretString: value,
      Tags: props.Tags,
    }));
    return secretResult(created.ARN!);
  },

  async update(request, env) {
    const props = request.properties;
    const old = request.oldProperties ?? {};
    const arn = request.physicalId!;
    if (props.Description !== old.Description || props.KmsKeyId !== old.KmsKeyId) {
      await env.secretsManager.send(new UpdateSecretCommand({ SecretId: arn, Description: props.Description ?? '', KmsKeyId: props.KmsKeyId }));
    }
    // A changed value definition makes a new value that becomes AWSCURRENT, as CloudFormation does
    // (cloudformation-coverage-roadmap #1161 and #2210, aws-cdk #19985): the value a rotation set is replaced.
    const generateChanged = JSON.stringify(props.GenerateSecretString) !== JSON.stringify(old.GenerateSecretString);
    let value: string | undefined;
    if (props.SecretString !== undefined && props.SecretString !== old.SecretString) {
      value = props.SecretString;
    } else if (props.GenerateSecretString !== undefined && generateChanged) {
      value = await generateSecretString(env.secretsManager, props.GenerateSecretString);
    }
    if (value !== undefined) await env.secretsManager.send(new PutSecretValueCommand({ SecretId: arn, SecretString: value }));
    await updateTags(env.secretsManager, arn, old.Tags ?? [], props.Tags ?? []);
    return secretResult(arn);
  },

  async delete(request, env) {
    await env.secretsManager.send(new DeleteSecretCommand({ SecretId: request.physicalId!, ForceDeleteWithoutRecovery: true }));
  },
};

function secretResult(arn: string): ResourceResult {
  return { physicalId: arn, attributes: { Id: arn } };
}

/** CloudFormation's GenerateSecretString: GetRandomPassword, then the template with the generated key. */
async function generateSecretString(client: SecretsManagerClient, options: Record<string, any>): Promise<string> {
  const { SecretStringTemplate: template, GenerateStringKey: key, ...passwordOptions } = options;
  if ((template === undefined) !== (key === undefined)) {
    throw new Error('GenerateSecretString: SecretStringTemplate and GenerateStringKey must be given together');
  }
  const { RandomPassword: password } = await client.send(new GetRandomPasswordCommand({
    PasswordLength: numberOrUndefined(passwordOptions.PasswordLength),
    ExcludeCharacters: passwordOptions.ExcludeCharacters,
    ExcludeNumbers: booleanOrUndefined(passwordOptions.ExcludeNumbers),
    ExcludePunctuation: booleanOrUndefined(passwordOptions.ExcludePunctuation),
    ExcludeUppercase: booleanOrUndefined(passwordOptions.ExcludeUppercase),
    ExcludeLowercase: booleanOrUndefined(passwordOptions.ExcludeLowercase),
    IncludeSpace: booleanOrUndefined(passwordOptions.IncludeSpace),
    RequireEachIncludedType: booleanOrUndefined(passwordOptions.RequireEachIncludedType),
  }));
  if (template === undefined) return password!;
  let parsed: unknown;
  try {
    parsed = JSON.parse(template);
  } catch {
    throw new Error(`GenerateSecretString: SecretStringTemplate must be a JSON object, got ${JSON.stringify(template)}`);
  }
  return JSON.stringify({ ...(parsed as object), [key]: password });
}

type Tags = Array<{ Key: string; Value: string }>;

async function updateTags(client: SecretsManagerClient, arn: string, before: Tags, after: Tags): Promise<void> {
  const removed = before.filter((tag) => !after.some((other) => other.Key === tag.Key)).map((tag) => tag.Key);
  const changed = after.filter((tag) => !before.some((other) => other.Key === tag.Key && other.Value === tag.Value));
  if (removed.length > 0) await client.send(new UntagResourceCommand({ SecretId: arn, TagKeys: removed }));
  if (changed.length > 0) await client.send(new TagResourceCommand({ SecretId: arn, Tags: changed }));
}

/** Template values may be strings ("true", "32") where the API wants booleans and numbers. */
function booleanOrUndefined(value: unknown): boolean | undefined {
  return value === undefined ? undefined : value === true || value === 'true';
}
function numberOrUndefined(value: unknown): number | undefined {
  return value === undefined ? undefined : Number(value);
}

/**
 * AWS::SecretsManager::RotationSchedule: RotateSecret (which starts the first rotation asynchronously unless
 * RotateImmediatelyOnUpdate is false); deleting it cancels rotation, which is why a schedule replaced under a new
 * logical id leaves rotation off (cloudformation-coverage-roadmap #1813). Ref is the secret's ARN.
 */
export const rotationScheduleHandler: ResourceHandler = {
  create: configureRotation,
  update: configureRotation,
  async delete(request, env) {
    await ignoreMissingSecret(env.secretsManager.send(new CancelRotateSecretCommand({ SecretId: request.properties.SecretId })));
  },
};

async function configureRotation(request: ResourceRequest, env: DeployEnvironment): Promise<ResourceResult> {
  const props = request.properties;
  if (props.HostedRotationLambda !== undefined) {
    throw new Error('HostedRotationLambda needs the AWS::SecretsManager-2020-07-23 transform, which the template does not declare');
  }
  if (props.RotationLambdaARN === undefined) throw new Error('RotationLambdaARN is required');
  const rules = props.RotationRules ?? {};
  const answer = await env.secretsManager.send(new RotateSecretCommand({
    SecretId: props.SecretId,
    RotationLambdaARN: props.RotationLambdaARN,
    RotationRules: {
      AutomaticallyAfterDays: numberOrUndefined(rules.AutomaticallyAfterDays),
      ScheduleExpression: rules.ScheduleExpression,
      Duration: rules.Duration,
    },
    RotateImmediately: props.RotateImmediatelyOnUpdate === undefined ? true : booleanOrUndefined(props.RotateImmediatelyOnUpdate),
  }));
  return { physicalId: answer.ARN!, attributes: {} };
}

/** The fields SecretTargetAttachment writes into the secret: what AWS is observed to merge. */
const CONNECTION_FIELDS = ['engine', 'host', 'port', 'dbInstanceIdentifier', 'dbClusterIdentifier'] as const;

/**
 * AWS::SecretsManager::SecretTargetAttachment: merges the target's engine, host, port and identifier into the
 * secret's JSON with PutSecretValue (a new version that becomes AWSCURRENT), keeping every other field; removing
 * the attachment takes them out again with another PutSecretValue (its CloudFormation documentation). Ref is the
 * secret's ARN.
 */
export const secretTargetAttachmentHandler: ResourceHandler = {
  create: attachTarget,
  update: attachTarget,
  async delete(request, env) {
    const secretId = request.properties.SecretId;
    await ignoreMissingSecret((async () => {
      const current = await readJsonSecret(env.secretsManager, secretId);
      for (const field of CONNECTION_FIELDS) delete current[field];
      await env.secretsManager.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: JSON.stringify(current) }));
    })());
  },
};

async function attachTarget(request: ResourceRequest, env: DeployEnvironment): Promise<ResourceResult> {
  const { SecretId: secretId, TargetId: targetId, TargetType: targetType } = request.properties;
  if (targetType !== 'AWS::RDS::DBInstance' && targetType !== 'AWS::RDS::DBCluster') {
    throw new Error(`TargetType ${JSON.stringify(targetType)} is not simulated (AWS::RDS::DBInstance and AWS::RDS::DBCluster are)`);
  }
  const target = env.findResource(targetId, targetType);
  if (!target) throw new Error(`TargetId ${targetId} does not name a ${targetType} of a deployed stack`);
  const current = await readJsonSecret(env.secretsManager, secretId);
  if (typeof current.username !== 'string' || typeof current.password !== 'string') {
    throw new Error(`The secret ${secretId} must be a JSON object with username and password to be attached to a database`);
  }
  for (const field of CONNECTION_FIELDS) delete current[field];
  const merged = {
    ...current,
    engine: connectionEngine(String(target.properties.Engine)),
    host: target.attributes['Endpoint.Address'],
    port: Number(target.attributes['Endpoint.Port']),
    [targetType === 'AWS::RDS::DBCluster' ? 'dbClusterIdentifier' : 'dbInstanceIdentifier']: targetId,
  };
  const answer = await env.secretsManager.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: JSON.stringify(merged) }));
  return { physicalId: answer.ARN!, attributes: {} };
}

/** Aurora engines are written as the engine they are compatible with, which the rotation functions expect. */
function connectionEngine(engine: string): string {
  const lower = engine.toLowerCase();
  if (lower === 'aurora-postgresql') return 'postgres';
  if (lower === 'aurora-mysql' || lower === 'aurora') return 'mysql';
  return lower;
}

async function readJsonSecret(client: SecretsManagerClient, secretId: string): Promise<Record<string, unknown>> {
  const { SecretString: text } = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
  try {
    const parsed = JSON.parse(text ?? '');
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed;
  } catch {
    // reported below, without the value
  }
  throw new Error(`The secret ${secretId} is not a JSON object`);
}

/** Deleting what points at a secret that is already gone succeeds, as CloudFormation's handlers treat NotFound. */
async function ignoreMissingSecret(operation: Promise<unknown>): Promise<void> {
  try {
    await operation;
  } catch (error) {
    const name = (error as Error).name;
    const message = (error as Error).message;
    if (name === 'ResourceNotFoundException' || /marked for deletion/.test(message)) return;
    throw error;
  }
}
