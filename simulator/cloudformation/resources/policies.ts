import { randomUUID } from 'node:crypto';
import { PolicyDocument, PolicySource, PolicyStatement } from '../policy-registry';
import { DeployEnvironment, ResourceHandler, ResourceRequest, ResourceResult } from './handler';
import { generatedName, randomSuffix } from './physical-names';

const UPPERCASE_ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function sourceOf(request: ResourceRequest): PolicySource {
  return { stackName: request.stack.name, logicalId: request.logicalId, resourceType: request.type };
}

function document(value: unknown, field: string): PolicyDocument {
  const statements = (value as { Statement?: unknown } | undefined)?.Statement;
  if (statements === undefined) throw new Error(`${field} must be a policy document with a Statement, got ${JSON.stringify(value)}`);
  return { ...(value as object), Statement: Array.isArray(statements) ? statements : [statements] } as PolicyDocument;
}

/**
 * A handler for a resource that only records policies: `record` stores the resource's record in the registry and
 * returns its Ref and attributes; an update records again under the same physical id; delete removes it.
 */
type Recorder = (request: ResourceRequest, env: DeployEnvironment, physicalId: string | undefined) => ResourceResult;

function recordingHandler(record: Recorder): ResourceHandler {
  return {
    async create(request, env) {
      return record(request, env, undefined);
    },
    async update(request, env) {
      return record(request, env, request.physicalId);
    },
    async delete(request, env) {
      env.policies.remove(request.physicalId!);
    },
  };
}

export const roleHandler = recordingHandler((request, env, physicalId) => {
  const props = request.properties;
  const roleName = physicalId ?? props.RoleName ?? generatedName(request.stack.name, request.logicalId, { maxLength: 64 });
  const roleArn = `arn:${env.partition}:iam::${env.accountId}:role${props.Path ?? '/'}${roleName}`;
  env.policies.put(roleName, {
    kind: 'role',
    source: sourceOf(request),
    roleName,
    roleArn,
    trustPolicy: document(props.AssumeRolePolicyDocument, 'AssumeRolePolicyDocument'),
    inlinePolicies: (props.Policies ?? []).map((policy: any) => ({ name: policy.PolicyName, document: document(policy.PolicyDocument, 'Policies.PolicyDocument') })),
    managedPolicyArns: props.ManagedPolicyArns ?? [],
  });
  return { physicalId: roleName, attributes: { Arn: roleArn, RoleId: `AROA${randomSuffix(17, UPPERCASE_ALPHANUMERIC)}` } };
});

export const policyHandler = recordingHandler((request, env, physicalId) => {
  const props = request.properties;
  const id = physicalId ?? generatedName(request.stack.name, request.logicalId.slice(0, 5), { maxLength: 128 });
  env.policies.put(id, {
    kind: 'identity-policy',
    source: sourceOf(request),
    policyId: props.PolicyName ?? id,
    document: document(props.PolicyDocument, 'PolicyDocument'),
    roles: props.Roles ?? [],
    users: props.Users ?? [],
    groups: props.Groups ?? [],
  });
  return { physicalId: id, attributes: { Id: id } };
});

export const managedPolicyHandler = recordingHandler((request, env, physicalId) => {
  const props = request.properties;
  const name = props.ManagedPolicyName ?? generatedName(request.stack.name, request.logicalId, { maxLength: 128 });
  const arn = physicalId ?? `arn:${env.partition}:iam::${env.accountId}:policy${props.Path ?? '/'}${name}`;
  env.policies.put(arn, {
    kind: 'identity-policy',
    source: sourceOf(request),
    policyId: arn,
    document: document(props.PolicyDocument, 'PolicyDocument'),
    roles: props.Roles ?? [],
    users: props.Users ?? [],
    groups: props.Groups ?? [],
  });
  return {
    physicalId: arn,
    attributes: { PolicyArn: arn, PolicyId: `ANPA${randomSuffix(17, UPPERCASE_ALPHANUMERIC)}`, DefaultVersionId: 'v1', AttachmentCount: (props.Roles ?? []).length, IsAttachable: true },
  };
});

/** AWS::KMS::Key: Ref is the key id; the key policy is recorded. */
export const kmsKeyHandler = recordingHandler((request, env, physicalId) => {
  const keyId = physicalId ?? randomUUID();
  const arn = `arn:${env.partition}:kms:${env.region}:${env.accountId}:key/${keyId}`;
  env.policies.put(keyId, { kind: 'resource-policy', source: sourceOf(request), resourceArn: arn, document: document(request.properties.KeyPolicy, 'KeyPolicy') });
  return { physicalId: keyId, attributes: { Arn: arn, KeyId: keyId } };
});

/** AWS::SecretsManager::ResourcePolicy: recorded against the secret; Ref is the secret's ARN. */
export const secretResourcePolicyHandler = recordingHandler((request, env) => {
  const secretArn = String(request.properties.SecretId);
  env.policies.put(secretArn, { kind: 'resource-policy', source: sourceOf(request), resourceArn: secretArn, document: document(request.properties.ResourcePolicy, 'ResourcePolicy') });
  return { physicalId: secretArn, attributes: { Id: secretArn } };
});

/**
 * AWS::Lambda::Permission: recorded as a statement of the function's resource policy, with Lambda's conditions
 * (`AWS:SourceArn`, `AWS:SourceAccount`). FunctionName may be a name or an ARN.
 */
export const lambdaPermissionHandler = recordingHandler((request, env, physicalId) => {
  const props = request.properties;
  const id = physicalId ?? generatedName(request.stack.name, request.logicalId, { maxLength: 100 });
  const functionName = String(props.FunctionName);
  const functionArn = functionName.startsWith('arn:') ? functionName : `arn:${env.partition}:lambda:${env.region}:${env.accountId}:function:${functionName}`;
  const principal = String(props.Principal);
  const condition: Record<string, Record<string, unknown>> = {};
  if (props.SourceArn !== undefined) condition.ArnLike = { 'AWS:SourceArn': props.SourceArn };
  if (props.SourceAccount !== undefined) condition.StringEquals = { 'AWS:SourceAccount': props.SourceAccount };
  if (props.PrincipalOrgID !== undefined) condition.StringEquals = { ...condition.StringEquals, 'aws:PrincipalOrgID': props.PrincipalOrgID };
  const statement: PolicyStatement = {
    Sid: id,
    Effect: 'Allow',
    Principal: principal.endsWith('.amazonaws.com') ? { Service: principal } : { AWS: principal },
    Action: props.Action,
    Resource: functionArn,
    ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}),
  };
  env.policies.put(id, { kind: 'resource-policy', source: sourceOf(request), resourceArn: functionArn, document: { Version: '2012-10-17', Statement: [statement] } });
  return { physicalId: id, attributes: {} };
});
