import type { PolicyProvider } from '../iam';

/** A policy document with intrinsics resolved. */
export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: PolicyStatement[];
}

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal?: unknown;
  readonly NotPrincipal?: unknown;
  readonly Action?: string | string[];
  readonly NotAction?: string | string[];
  readonly Resource?: string | string[];
  readonly NotResource?: string | string[];
  readonly Condition?: Record<string, Record<string, unknown>>;
}

/** Where a record came from. */
export interface PolicySource {
  readonly stackName: string;
  readonly logicalId: string;
  readonly resourceType: string;
}

/** An IAM role: who may assume it (trust policy) and what its inline and managed policies allow. */
export interface RoleRecord {
  readonly kind: 'role';
  readonly source: PolicySource;
  readonly roleName: string;
  readonly roleArn: string;
  readonly trustPolicy: PolicyDocument;
  readonly inlinePolicies: ReadonlyArray<{ readonly name: string; readonly document: PolicyDocument }>;
  readonly managedPolicyArns: readonly string[];
}

/** An AWS::IAM::Policy or ManagedPolicy and the identities it is attached to. */
export interface IdentityPolicyRecord {
  readonly kind: 'identity-policy';
  readonly source: PolicySource;
  /** The policy's name (AWS::IAM::Policy) or ARN (ManagedPolicy). */
  readonly policyId: string;
  readonly document: PolicyDocument;
  readonly roles: readonly string[];
  readonly users: readonly string[];
  readonly groups: readonly string[];
}

/** A resource-based policy: a secret's resource policy, a KMS key policy, or a Lambda permission's statement. */
export interface ResourcePolicyRecord {
  readonly kind: 'resource-policy';
  readonly source: PolicySource;
  readonly resourceArn: string;
  readonly document: PolicyDocument;
}

export type PolicyRecord = RoleRecord | IdentityPolicyRecord | ResourcePolicyRecord;

/**
 * Every IAM-relevant resource the deployer created, keyed by the physical id of the resource that holds it, so
 * that a later IAM-enforcement layer can evaluate requests. Records follow the stacks: updated and deleted with
 * their resources.
 */
export class PolicyRegistry {
  private readonly byPhysicalId = new Map<string, PolicyRecord>();

  public put(physicalId: string, record: PolicyRecord): void {
    this.byPhysicalId.set(physicalId, record);
  }

  public remove(physicalId: string): void {
    this.byPhysicalId.delete(physicalId);
  }

  public records(): PolicyRecord[] {
    return [...this.byPhysicalId.values()];
  }

  /** A role by name or ARN. */
  public role(nameOrArn: string): RoleRecord | undefined {
    return this.records().find((r): r is RoleRecord => r.kind === 'role' && (r.roleName === nameOrArn || r.roleArn === nameOrArn));
  }

  /** Every policy document that applies to a role: its inline policies, attached managed policies and AWS::IAM::Policy. */
  public identityPolicies(roleNameOrArn: string): PolicyDocument[] {
    return (this.namedIdentityPolicies(roleNameOrArn) ?? []).map((policy) => policy.document);
  }

  /** The policies of a role as IAM names them (a managed policy by the last part of its ARN); undefined for an unknown role. */
  public namedIdentityPolicies(roleNameOrArn: string): Array<{ readonly name: string; readonly document: PolicyDocument }> | undefined {
    const role = this.role(roleNameOrArn);
    if (!role) return undefined;
    const attached = this.records().filter((r): r is IdentityPolicyRecord => r.kind === 'identity-policy'
      && (r.roles.includes(role.roleName) || role.managedPolicyArns.includes(r.policyId)));
    return [
      ...role.inlinePolicies,
      ...attached.map((p) => ({ name: p.policyId.split('/').pop()!, document: p.document })),
      ...role.managedPolicyArns.flatMap((arn) => awsManagedPolicy(arn) ?? []),
    ];
  }

  /** The resource-based policies of a resource (secret, key, function) by ARN. */
  public resourcePolicies(resourceArn: string): PolicyDocument[] {
    return this.records()
      .filter((r): r is ResourcePolicyRecord => r.kind === 'resource-policy' && r.resourceArn === resourceArn)
      .map((r) => r.document);
  }
}

/**
 * AWS managed policies the simulator knows, by the path after `arn:<partition>:iam::aws:policy/`, with the statements
 * AWS publishes for them. A role's other AWS managed policies grant nothing here (and the decision says so).
 */
const AWS_MANAGED_POLICIES: Readonly<Record<string, PolicyDocument>> = {
  // What `lambda.Function` attaches to the role it creates: writing its own logs.
  'service-role/AWSLambdaBasicExecutionRole': {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'], Resource: '*' }],
  },
};

function awsManagedPolicy(arn: string): { readonly name: string; readonly document: PolicyDocument } | undefined {
  const path = /^arn:[a-z-]+:iam::aws:policy\/(.+)$/.exec(arn)?.[1];
  const document = path === undefined ? undefined : AWS_MANAGED_POLICIES[path];
  return document && { name: path!.split('/').pop()!, document };
}

/** The registry as what the simulator's IAM enforcement reads policies from. */
export function policyProviderOf(registry: PolicyRegistry): PolicyProvider {
  return {
    identityPolicies: (identityArn) => registry.namedIdentityPolicies(identityArn),
    resourcePolicyStatements: (resourceArn) => registry.resourcePolicies(resourceArn).flatMap((document) => document.Statement),
  };
}
