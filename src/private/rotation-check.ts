import * as crypto from 'node:crypto';
import {
  Aws,
  CfnResource,
  Duration,
  Lazy,
  Stack,
  aws_iam as iam,
  aws_lambda as lambda,
  aws_logs as logs,
  aws_secretsmanager as secretsmanager,
} from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import {
  CHECK_POLL_INTERVAL_SECONDS,
  CHECK_PROPERTY_NAMES,
  CHECK_RESOURCE_TYPE,
  CHECK_TIMEOUT_SECONDS,
  CheckedSecret,
  MAX_SERVICE_TIMEOUT_SECONDS,
  STACK_TAG,
  VERIFIED_TAG,
  encodeCheckProperties,
} from './contract';
import { PropError } from './errors';
import { acknowledge, acknowledgeFunctionFindings, acknowledgeWildcard } from './nag';
import { bundleAssetDir, secretsInAccount } from './rotation-function';
import type { RotationTarget } from './rotation-target';

/** What one secret asks of the stack's check. */
export interface CheckRequest {
  /** ARN of the secret: complete, or partial (imported by name). */
  readonly secretArn: string;
  /**
   * How the check's permissions name the secret: `tagged` when it carries the stack's tag (the constructs tag the
   * secrets of the app they rotate), else the ARN to put in policies (a partial ARN ends in `-??????`).
   */
  readonly scope: 'tagged' | { readonly policyArn: string };
  readonly rotation: RotationTarget;
  readonly schedule: { readonly expression: string; readonly duration?: string };
  /** Everything that affects rotation (the strategy's configuration, the code, the schedule): a change rotates again. */
  readonly fingerprint: () => string;
  readonly timeout?: Duration;
  readonly pollInterval?: Duration;
  readonly repairStalePending: boolean;
  /** Rotate and verify; false only merges `connection`. */
  readonly verify: boolean;
  /** Fields merged into the secret's JSON value (database secrets), keeping the password; known at synth. */
  readonly connection?: () => Record<string, unknown>;
}

/** What the secrets of one scope (tagged, or named by ARN) ask of the check's permissions beyond reading and rotating. */
interface SecretNeeds {
  /** Removing a stale AWSPENDING label (repairStalePending). */
  repair: boolean;
  /** Merging connection fields into the secret's value. */
  merge: boolean;
}

/** CloudFormation waits this long beyond the longest entry, for the check's own calls and its answer. */
const SERVICE_TIMEOUT_MARGIN_SECONDS = 240;

/**
 * The stack's deploy-time check: one custom resource listing every rotated secret of the stack, answered by one
 * function through CloudFormation's raw custom-resource protocol. It settles a stale AWSPENDING, merges connection
 * fields, configures rotation and runs the first rotation, waits for it and checks the staging labels, then tags
 * the secret with the fingerprint it verified. It runs before every rotation schedule of the stack (each depends
 * on it), so nothing else calls RotateSecret first.
 *
 * Five resources per stack, whatever the number of secrets: the function, its role, its log group, the policy that
 * lets it hand a long wait on to a fresh invocation of itself, and the custom resource.
 */
export class RotationCheck extends Construct {
  /** The stack's check, created on first use. */
  public static of(scope: Construct): RotationCheck {
    const stack = Stack.of(scope);
    const id = 'RotationCheck';
    return (stack.node.tryFindChild(id) as RotationCheck | undefined) ?? new RotationCheck(stack, id);
  }

  /** The custom resource: every rotation schedule of the stack depends on it. */
  public readonly resource: CfnResource;
  private readonly permissions: iam.PolicyDocument;
  private readonly requests: CheckRequest[] = [];
  private readonly functions: RotationTarget[] = [];
  private readonly imported = new Set<string>();
  private readonly keys = new Set<string>();
  /** What the secrets of each scope ask beyond reading and rotating; undefined until one of them is checked. */
  private taggedNeeds?: SecretNeeds;
  private importedNeeds?: SecretNeeds;
  private keyStatementAdded = false;

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_YEAR });
    // Inline in the role: it names the rotation functions and their log groups only, so there is no cycle.
    this.permissions = new iam.PolicyDocument({
      statements: [new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] })],
    });
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Verifies at deploy time that secret rotation works (cdk-rotating-secrets)',
      inlinePolicies: { RotationCheck: this.permissions },
    });
    const functionArns = Lazy.list({ produce: () => this.functions.map((rotation) => rotation.function.functionArn) });
    this.permissions.addStatements(
      // RotateSecret requires the caller to be allowed to invoke the rotation function; resuming and probing invoke it.
      new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: functionArns }),
      // Every function of this library has a log group; a foreign function's may be unknown.
      new iam.PolicyStatement({
        actions: ['logs:FilterLogEvents'],
        resources: Lazy.list({ produce: () => this.functions.flatMap((rotation) => (rotation.logGroup ? [rotation.logGroup.logGroupArn] : [])) }),
      }),
      // A rollback that takes a secret out of the check settles the rotation the check started (lambda/verify/departures):
      // allowed on the secrets whose rotation one of the stack's functions runs, since by then the rollback may have
      // reverted the secret's tags.
      new iam.PolicyStatement({
        actions: ['secretsmanager:DescribeSecret', 'secretsmanager:UpdateSecretVersionStage'],
        resources: [secretsInAccount(this)],
        conditions: { StringEquals: { 'secretsmanager:resource/AllowRotationLambdaArn': functionArns } },
      }),
    );

    const handler = new lambda.Function(this, 'Resource', {
      description: 'Verifies at deploy time that secret rotation works (cdk-rotating-secrets)',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(bundleAssetDir('verification')),
      memorySize: 256,
      // Long waits are handed on to a fresh invocation before this runs out.
      timeout: Duration.minutes(15),
      role,
      logGroup,
    });
    // A separate policy names the function without a cycle (the function depends on its role, this on both).
    const selfInvoke = new iam.Policy(this, 'InvokeSelf', {
      roles: [role],
      statements: [new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [handler.functionArn] })],
    });

    this.resource = new CfnResource(this, 'Check', {
      type: CHECK_RESOURCE_TYPE,
      properties: {
        ServiceToken: handler.functionArn,
        [CHECK_PROPERTY_NAMES.serviceTimeout]: Lazy.number({ produce: () => this.serviceTimeoutSeconds() }),
        ...lazyProperties(() => this.encoded()),
      },
    });
    this.resource.node.addDependency(selfInvoke, role);

    acknowledgeWildcard(role, 'AwsSolutions-IAM5', secretsInAccount(this), SECRETS_SCOPED_BY_TAG);
    acknowledgeWildcard(role, 'AwsSolutions-IAM5', logGroup.logGroupArn, 'Lambda names its log streams at run time; the statement is limited to the check\'s own log group.');
    acknowledgeFunctionFindings(handler, logGroup, false);
    for (const pack of ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321']) {
      acknowledge(role, `${pack}-IAMNoInlinePolicy`, 'The check\'s statements are inline in its role: one resource per stack fewer, and they name only this stack\'s rotation functions, their log groups and the secrets tagged with this stack\'s id.');
      acknowledge(selfInvoke, `${pack}-IAMNoInlinePolicy`, 'The check may invoke only itself (to go on with a long wait); a policy of its own because the function\'s ARN is known only after its role.');
    }
  }

  /** Adds one secret to the check; the secret's rotation schedule must depend on `this.resource`. */
  public check(request: CheckRequest): void {
    for (const [prop, value, range] of [
      ['verification.timeout', request.timeout, CHECK_TIMEOUT_SECONDS],
      ['verification.pollInterval', request.pollInterval, CHECK_POLL_INTERVAL_SECONDS],
    ] as const) {
      if (value !== undefined) validateWholeSeconds(prop, value, range.min, range.max);
    }
    this.requests.push(request);
    if (!this.functions.includes(request.rotation)) this.functions.push(request.rotation);
    this.resource.node.addDependency(...request.rotation.readiness);
    const needs = request.scope === 'tagged' ? this.allowTagged() : this.allowImported(request.scope.policyArn);
    needs.repair ||= request.repairStalePending;
    needs.merge ||= request.connection !== undefined;
  }

  /** Lets the check merge into secrets encrypted with a customer key, only through Secrets Manager. */
  public allowKey(keyArn: string): void {
    this.keys.add(keyArn);
    if (this.keyStatementAdded) return;
    this.keyStatementAdded = true;
    const stack = Stack.of(this);
    this.permissions.addStatements(new iam.PolicyStatement({
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: Lazy.list({ produce: () => [...this.keys] }),
      conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${stack.region}.${stack.urlSuffix}` } },
    }));
  }

  /** The statements for the secrets that carry the stack's tag, added with the first of them. */
  private allowTagged(): SecretNeeds {
    if (this.taggedNeeds) return this.taggedNeeds;
    this.taggedNeeds = { repair: false, merge: false };
    this.permissions.addStatements(...this.secretStatements([secretsInAccount(this)], this.taggedNeeds, {
      StringEquals: { [`secretsmanager:ResourceTag/${STACK_TAG}`]: Aws.STACK_ID },
    }));
    return this.taggedNeeds;
  }

  /** The statements for the secrets named by ARN (those the stack cannot tag), added with the first of them. */
  private allowImported(policyArn: string): SecretNeeds {
    this.imported.add(policyArn);
    if (this.importedNeeds) return this.importedNeeds;
    this.importedNeeds = { repair: false, merge: false };
    this.permissions.addStatements(...this.secretStatements(Lazy.list({ produce: () => [...this.imported] }), this.importedNeeds));
    return this.importedNeeds;
  }

  private encoded() {
    const functionIndex = (rotation: RotationTarget) => this.functions.indexOf(rotation);
    const secrets: CheckedSecret[] = this.requests.map((request) => ({
      secretArn: request.secretArn,
      fingerprint: request.fingerprint(),
      functionIndex: functionIndex(request.rotation),
      scheduleExpression: request.schedule.expression,
      duration: request.schedule.duration,
      timeoutSeconds: request.timeout?.toSeconds() ?? CHECK_TIMEOUT_SECONDS.default,
      pollSeconds: request.pollInterval?.toSeconds() ?? CHECK_POLL_INTERVAL_SECONDS.default,
      repairStalePending: request.repairStalePending,
      verify: request.verify,
      connection: request.connection?.() as CheckedSecret['connection'],
    }));
    const functions = this.functions.map((rotation) => ({
      arn: rotation.function.functionArn,
      logGroup: rotation.logGroup?.logGroupName,
      timeoutSeconds: rotation.timeoutSeconds,
      kind: rotation.kind,
    }));
    return encodeCheckProperties({ functions, secrets }, (value) => Stack.of(this).toJsonString(value)) as Record<string, unknown[]>;
  }

  private serviceTimeoutSeconds(): number {
    const longest = Math.max(CHECK_TIMEOUT_SECONDS.default, ...this.requests.map((request) => request.timeout?.toSeconds() ?? 0));
    return Math.min(MAX_SERVICE_TIMEOUT_SECONDS, longest + SERVICE_TIMEOUT_MARGIN_SECONDS);
  }

  /**
   * What the check may do to secrets in `resources` (under `conditions`): read their labels and versions, configure
   * rotation with one of this stack's rotation functions only, tag them with the fingerprint it verified; remove a
   * stale label and merge connection fields only when one of these secrets asks for it (`needs`).
   */
  private secretStatements(
    resources: string[],
    needs: SecretNeeds,
    conditions?: { readonly StringEquals: Record<string, unknown> },
  ): iam.PolicyStatement[] {
    const functionArns = Lazy.list({ produce: () => this.functions.map((rotation) => rotation.function.functionArn) });
    const actions = Lazy.list({
      produce: () => [
        'secretsmanager:DescribeSecret',
        'secretsmanager:ListSecretVersionIds',
        ...(needs.repair ? ['secretsmanager:UpdateSecretVersionStage'] : []),
        ...(needs.merge ? ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'] : []),
      ],
    });
    return [
      new iam.PolicyStatement({ actions, resources, conditions }),
      new iam.PolicyStatement({
        actions: ['secretsmanager:RotateSecret'],
        resources,
        conditions: { ...conditions, StringEquals: { ...conditions?.StringEquals, 'secretsmanager:RotationLambdaARN': functionArns } },
      }),
      new iam.PolicyStatement({
        actions: ['secretsmanager:TagResource'],
        resources,
        conditions: { ...conditions, 'ForAllValues:StringEquals': { 'aws:TagKeys': [VERIFIED_TAG] } },
      }),
    ];
  }
}

/** The encoded properties, each rendered only when the stack is synthesized (secrets are added after the check). */
function lazyProperties(encoded: () => Record<string, unknown[]>): Record<string, unknown> {
  const names = [CHECK_PROPERTY_NAMES.functions, CHECK_PROPERTY_NAMES.secrets];
  return Object.fromEntries(names.map((name) => [name, Lazy.any({ produce: () => encoded()[name] })]));
}

export const SECRETS_SCOPED_BY_TAG =
  'The resource is the account\'s secrets in this Region, narrowed by the condition secretsmanager:ResourceTag/cdk-rotating-secrets:stack to the secrets this stack rotates (or by secretsmanager:resource/AllowRotationLambdaArn to those whose rotation this stack\'s functions run); a list of secret ARNs would grow with every secret and exceed IAM\'s policy size limit.';

/**
 * A short hash of everything that affects rotation: a change rotates again on update. Tokens count as the template
 * references they resolve to: their synth-time placeholders are numbered in construction order, so an unrelated
 * construct added earlier in the app would otherwise change the hash and rotate again.
 */
export function fingerprint(scope: IConstruct, ...parts: unknown[]): string {
  return crypto.createHash('sha256').update(JSON.stringify(Stack.of(scope).resolve(parts))).digest('hex').slice(0, 16);
}

/** A duration as a person reads it; a fraction of a second as seconds (`toHumanString` drops it). */
export function durationText(value: Duration): string {
  const seconds = value.toMilliseconds() / 1000;
  return Number.isInteger(seconds) ? value.toHumanString() : `${seconds} seconds`;
}

function validateWholeSeconds(prop: string, value: Duration, min: number, max: number): void {
  if (value.isUnresolved()) throw new PropError(`\`${prop}\` must be a resolved duration, got a token`);
  const seconds = value.toSeconds({ integral: false });
  if (!Number.isInteger(seconds) || seconds < min || seconds > max) {
    throw new PropError(`\`${prop}\` must be a whole number of seconds from ${Duration.seconds(min).toHumanString()} to ${Duration.seconds(max).toHumanString()}, got ${durationText(value)}`);
  }
}

/** Secrets that the stack's constructs rotate carry this tag, so the check's permissions can name them. */
export function tagForCheck(secret: secretsmanager.CfnSecret): void {
  secret.tags.setTag(STACK_TAG, Aws.STACK_ID);
}
