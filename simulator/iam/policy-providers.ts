import type { NamedPolicy } from './evaluator';

/** A policy document as IAM stores it (intrinsics resolved). */
export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: readonly object[];
}

/**
 * Where the policies of roles and resources come from: the local CloudFormation deployer's records, and the
 * simulator's own (its administrator, roles a test defines).
 */
export interface PolicyProvider {
  /** The identity policies of a role or user (inline and attached), or undefined when this source does not know it. */
  identityPolicies(identityArn: string): NamedPolicy[] | undefined;
  /** The resource-based policy statements of a secret, KMS key or function, or none. */
  resourcePolicyStatements(resourceArn: string): readonly object[];
}

/** The simulator's own identities and resource policies: its administrator, and what a test puts. */
export class LocalPolicies implements PolicyProvider {
  private readonly identities = new Map<string, NamedPolicy[]>();
  private readonly resources = new Map<string, object[]>();

  public putIdentity(identityArn: string, policies: readonly NamedPolicy[]): void {
    this.identities.set(identityArn, [...policies]);
  }

  public putResourcePolicy(resourceArn: string, document: PolicyDocument): void {
    this.resources.set(resourceArn, [...document.Statement]);
  }

  public identityPolicies(identityArn: string): NamedPolicy[] | undefined {
    return this.identities.get(identityArn);
  }

  public resourcePolicyStatements(resourceArn: string): readonly object[] {
    return this.resources.get(resourceArn) ?? [];
  }
}

/** An administrator's policy: everything, on everything (AWS's AdministratorAccess). */
export const ADMINISTRATOR_ACCESS: NamedPolicy = {
  name: 'AdministratorAccess',
  document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
};
