import { DecisionLog, IamDecision, IamDecisionQuery } from './decision-log';
import { EvaluationInput, Evaluator, loadEvaluator, NamedPolicy } from './evaluator';
import { notAuthorizedMessage } from './messages';
import { ADMINISTRATOR_ACCESS, LocalPolicies, PolicyDocument, PolicyProvider } from './policy-providers';
import { Caller, Credentials, PrincipalDirectory } from './principals';
import type { AuthorizationRequest } from './request-context';

/**
 * - `enforce`: every call is authorized; starting fails when the evaluator is not installed.
 * - `auto`: enforce when the evaluator is installed, otherwise serve every call (`status` says which).
 * - `off`: serve every call, as a test about something else may want.
 */
export type IamMode = 'enforce' | 'auto' | 'off';

export interface IamAuthorizerOptions {
  readonly mode: IamMode;
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  /** Simulated time, epoch milliseconds, for `aws:CurrentTime` and the decision log. */
  readonly now: () => number;
}

/** A failed authorization: AWS's message for it. */
export interface Denial {
  readonly message: string;
  readonly decision: IamDecision;
}

/**
 * Authorizes calls as AWS would, against the policies of the simulator's policy providers (the deployer's records,
 * roles a test puts), with the evaluator from simulator/iam/evaluator.ts. Every decision is logged.
 */
export class IamAuthorizer {
  public readonly principals: PrincipalDirectory;
  /** `IAM enforcement: on (...)` or `IAM enforcement: off (why)`. */
  public readonly status: string;
  private readonly evaluator?: Evaluator;
  private readonly local = new LocalPolicies();
  private readonly providers: PolicyProvider[] = [this.local];
  private readonly log = new DecisionLog();

  constructor(private readonly options: IamAuthorizerOptions) {
    this.principals = new PrincipalDirectory(options.partition, options.accountId);
    this.local.putIdentity(this.principals.administrator.identityArn!, [ADMINISTRATOR_ACCESS]);
    if (options.mode === 'off') {
      this.status = 'IAM enforcement: off';
      return;
    }
    const loaded = loadEvaluator();
    if ('unavailable' in loaded) {
      if (options.mode === 'enforce') throw new Error(`IAM enforcement was asked for, but ${loaded.unavailable}`);
      this.status = `IAM enforcement: off (${loaded.unavailable})`;
      return;
    }
    this.evaluator = loaded.evaluator;
    this.status = `IAM enforcement: on (${loaded.evaluator.description})`;
  }

  /** Whether calls are authorized (otherwise every call is served and nothing is logged). */
  public get enforcing(): boolean {
    return this.evaluator !== undefined;
  }

  /** Adds a provider of role and resource policies, e.g. a local CloudFormation deployer's records. */
  public addPolicyProvider(provider: PolicyProvider): void {
    this.providers.push(provider);
  }

  /** Defines (or replaces) the identity policies of an IAM role or user, e.g. a caller of another account. */
  public putIdentity(identityArn: string, policies: readonly NamedPolicy[]): void {
    this.local.putIdentity(identityArn, policies);
  }

  /** Adds a resource-based policy to a secret, key or function (merged with the deployer's). */
  public putResourcePolicy(resourceArn: string, document: PolicyDocument): void {
    this.local.putResourcePolicy(resourceArn, document);
  }

  /** Credentials of a session of `roleArn`, for an SDK client that should act as that role. */
  public credentialsFor(roleArn: string, sessionName = 'simulator-session'): Credentials {
    return this.principals.issue(this.principals.roleSession(roleArn, sessionName));
  }

  /** The decisions made so far, oldest first. */
  public decisions(query: IamDecisionQuery = {}): IamDecision[] {
    return this.log.query(query);
  }

  /** The first of `requests` that AWS would deny `caller`, with AWS's message; undefined when every one is allowed. */
  public deny(caller: Caller, requests: readonly AuthorizationRequest[]): Denial | undefined {
    if (!this.evaluator) return undefined;
    for (const request of requests) {
      const decision = this.decide(this.evaluator, caller, request);
      if (decision.decision === 'ImplicitlyDenied' || decision.decision === 'ExplicitlyDenied') {
        const message = request.deniedMessage
          ?? notAuthorizedMessage(caller, request.action, request.shownResource ?? request.resource, decision.decision, decision.deniedBy ?? 'identity');
        return { message, decision };
      }
    }
    return undefined;
  }

  /** Whether AWS would allow `caller` every one of `requests`. */
  public allows(caller: Caller, requests: readonly AuthorizationRequest[]): boolean {
    return this.deny(caller, requests) === undefined;
  }

  private decide(evaluator: Evaluator, caller: Caller, request: AuthorizationRequest): IamDecision {
    const base = { time: this.options.now(), caller: caller.arn, identity: caller.identityArn, action: request.action, resource: request.resource };
    const policyOf = request.resourcePolicyOf;
    const statements = policyOf === undefined ? [] : this.providers.flatMap((provider) => [...provider.resourcePolicyStatements(policyOf)]);
    if (request.needsKnownResourcePolicy && statements.length === 0) {
      return this.log.record({ ...base, decision: 'NotEvaluated', grants: [], context: request.context, note: `no policy of ${request.resourcePolicyOf} is known to the simulator` });
    }
    const identityPolicies = caller.identityArn === undefined ? [] : this.identityPolicies(caller.identityArn);
    const context = { ...this.globalKeys(caller, request), ...request.context };
    const input: EvaluationInput = {
      principal: caller.arn,
      action: request.action,
      resource: request.resource,
      resourceAccount: request.resource === '*' ? caller.accountId : request.resource.split(':')[4] || caller.accountId,
      context,
      identityPolicies: identityPolicies ?? [],
      ...(statements.length > 0 ? { resourcePolicy: { Version: '2012-10-17', Statement: statements } } : {}),
    };
    const evaluation = evaluator.evaluate(input);
    return this.log.record({
      ...base,
      decision: evaluation.decision,
      grants: evaluation.grants,
      ...(evaluation.deniedBy ? { deniedBy: evaluation.deniedBy } : {}),
      ...(identityPolicies === undefined ? { note: `no policies of ${caller.identityArn} are known to the simulator` } : {}),
      context,
    });
  }

  private identityPolicies(identityArn: string): NamedPolicy[] | undefined {
    for (const provider of this.providers) {
      const policies = provider.identityPolicies(identityArn);
      if (policies) return policies;
    }
    return undefined;
  }

  /** The global condition keys AWS puts in every request context (those the simulator can know). */
  private globalKeys(caller: Caller, request: AuthorizationRequest): Record<string, string | string[]> {
    const now = this.options.now();
    const keys: Record<string, string | string[]> = {
      'aws:RequestedRegion': this.options.region,
      'aws:SecureTransport': 'true',
      'aws:CurrentTime': new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      'aws:EpochTime': String(Math.floor(now / 1000)),
      'aws:ViaAWSService': String(request.calledVia !== undefined),
    };
    if (request.calledVia !== undefined) {
      Object.assign(keys, { 'aws:CalledVia': [request.calledVia], 'aws:CalledViaFirst': request.calledVia, 'aws:CalledViaLast': request.calledVia });
    }
    if (caller.type !== 'Service') {
      Object.assign(keys, { 'aws:PrincipalArn': caller.identityArn!, 'aws:PrincipalAccount': caller.accountId, 'aws:PrincipalType': caller.type });
      if (caller.type === 'User') keys['aws:username'] = caller.identityArn!.split('/').pop()!;
    }
    return keys;
  }
}
