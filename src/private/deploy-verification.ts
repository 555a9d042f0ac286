import {
  CfnResource,
  Duration,
  Lazy,
  Stack,
  aws_iam as iam,
  aws_lambda as lambda,
  aws_logs as logs,
  aws_secretsmanager as secretsmanager,
  custom_resources as cr,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { CHECK_POLL_INTERVAL_SECONDS, CHECK_RESOURCE_TYPE, CHECK_TIMEOUT_SECONDS, encodeCheckProperties } from './contract';
import { acknowledge, acknowledgeFunctionFindings, acknowledgeWildcard, SECRETS_SCOPED_BY_CONDITION } from './nag';
import { RotationFunction, bundleAssetDir, secretsInAccount } from './rotation-function';

const DEFAULT_TIMEOUT = Duration.seconds(CHECK_TIMEOUT_SECONDS.default);
const MIN_TIMEOUT = Duration.seconds(CHECK_TIMEOUT_SECONDS.min);
// CloudFormation waits at most one hour for a custom resource; leave room for the provider itself.
const MAX_TIMEOUT = Duration.seconds(CHECK_TIMEOUT_SECONDS.max);
export const DEFAULT_POLL_INTERVAL = Duration.seconds(CHECK_POLL_INTERVAL_SECONDS.default);
const MIN_POLL_INTERVAL = Duration.seconds(CHECK_POLL_INTERVAL_SECONDS.min);
const MAX_POLL_INTERVAL = Duration.seconds(CHECK_POLL_INTERVAL_SECONDS.max);

export interface VerifyRequest {
  readonly secretArn: string;
  readonly rotation: RotationFunction;
  readonly rotationSchedule: secretsmanager.CfnRotationSchedule;
  /** Changes when anything that affects rotation changes; a change rotates again on update. */
  readonly fingerprint: string;
  readonly timeout?: Duration;
  readonly repairStalePending: boolean;
}

/**
 * The stack's single deploy-time verification provider, shared by all its rotating secrets.
 *
 * Its role may rotate, describe and list versions of exactly the secrets rotated by the stack's rotation
 * functions (condition `secretsmanager:resource/AllowRotationLambdaArn`), invoke those functions (RotateSecret
 * requires it of the caller) and read their log groups (to name the failing step).
 */
export class DeployVerification extends Construct {
  /** The stack's provider for `pollInterval`: one per stack unless secrets ask for different intervals. */
  public static of(scope: Construct, pollInterval: Duration = DEFAULT_POLL_INTERVAL): DeployVerification {
    validateRange('verification.pollInterval', pollInterval, MIN_POLL_INTERVAL, MAX_POLL_INTERVAL);
    const stack = Stack.of(scope);
    const seconds = pollInterval.toSeconds();
    const id = `RotationCheck${seconds === DEFAULT_POLL_INTERVAL.toSeconds() ? '' : seconds}`;
    return (stack.node.tryFindChild(id) as DeployVerification | undefined) ?? new DeployVerification(stack, id, pollInterval);
  }

  private readonly provider: cr.Provider;
  private readonly permissions: iam.PolicyDocument;
  private readonly functions = new Map<RotationFunction, true>();
  private repairGranted = false;

  private constructor(scope: Construct, id: string, pollInterval: Duration) {
    super(scope, id);
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_YEAR });
    // Inline in the role (the role's own Policies property, not a separate resource): it names only the rotation
    // functions and their log groups, so there is no cycle, and the stack keeps room for 160 secrets.
    this.permissions = new iam.PolicyDocument({
      statements: [new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] })],
    });
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Verifies at deploy time that secret rotation works',
      inlinePolicies: { RotationCheck: this.permissions },
    });
    const rotationFunctionArns = Lazy.list({ produce: () => [...this.functions.keys()].map((f) => f.function.functionArn) });
    this.permissions.addStatements(
      new iam.PolicyStatement({
        actions: ['secretsmanager:RotateSecret', 'secretsmanager:DescribeSecret', 'secretsmanager:ListSecretVersionIds'],
        resources: [secretsInAccount(this)],
        conditions: { StringEquals: { 'secretsmanager:resource/AllowRotationLambdaArn': rotationFunctionArns } },
      }),
    );
    this.permissions.addStatements(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: rotationFunctionArns }));
    this.permissions.addStatements(
      new iam.PolicyStatement({
        actions: ['logs:FilterLogEvents'],
        resources: Lazy.list({ produce: () => [...this.functions.keys()].map((f) => f.logGroup.logGroupArn) }),
      }),
    );

    const handler = (name: string, entry: string) =>
      new lambda.Function(this, name, {
        description: 'Verifies at deploy time that secret rotation works (cdk-rotating-secrets)',
        runtime: lambda.Runtime.NODEJS_24_X,
        architecture: lambda.Architecture.ARM_64,
        handler: `index.${entry}`,
        code: lambda.Code.fromAsset(bundleAssetDir('verification')),
        memorySize: 256,
        timeout: Duration.minutes(1),
        role,
        logGroup,
      });
    // The provider framework's functions share two roles (instead of one each): fewer resources per stack.
    // Two, not one: the onEvent role may start the waiter, whose functions use the other role.
    const frameworkRole = (roleId: string) => {
      const frameworkRoleOf = new iam.Role(this, roleId, {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        description: 'Runs the deploy-time rotation check\'s custom-resource provider framework',
      });
      frameworkRoleOf.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }));
      return frameworkRoleOf;
    };
    const frameworkRoles = [frameworkRole('FrameworkOnEventRole'), frameworkRole('FrameworkWaiterRole')];
    const onEvent = handler('OnEvent', 'onEvent');
    const isComplete = handler('IsComplete', 'isComplete');
    this.provider = new cr.Provider(this, 'Provider', {
      onEventHandler: onEvent,
      isCompleteHandler: isComplete,
      frameworkOnEventRole: frameworkRoles[0],
      frameworkCompleteAndTimeoutRole: frameworkRoles[1],
      logGroup,
      queryInterval: pollInterval,
      totalTimeout: Duration.hours(1),
    });
    const logStreams = 'Lambda names its log streams at run time; the statement is limited to the handlers\' own log group.';
    acknowledgeWildcard(role, 'AwsSolutions-IAM5', secretsInAccount(this), SECRETS_SCOPED_BY_CONDITION);
    acknowledgeWildcard(role, 'AwsSolutions-IAM5', logGroup.logGroupArn, logStreams);
    const framework = 'aws-cdk-lib\'s custom-resources Provider framework';
    const frameworkFunctions = ['framework-onEvent', 'framework-isComplete', 'framework-onTimeout'].map((child) => this.provider.node.findChild(child) as lambda.Function);
    for (const fn of [onEvent, isComplete, ...frameworkFunctions]) {
      acknowledgeWildcard(this, 'AwsSolutions-IAM5', `${fn.functionArn}:*`, `The ${framework} may invoke any version of its handler functions (ARN:*); not configurable.`);
      acknowledgeFunctionFindings(fn, logGroup, false);
    }
    for (const frameworkRoleOf of frameworkRoles) acknowledgeWildcard(frameworkRoleOf, 'AwsSolutions-IAM5', logGroup.logGroupArn, logStreams);
    acknowledge(this.provider, 'AwsSolutions-L1', `The ${framework} picks its own functions' runtime (the latest aws-cdk-lib knows at the floor version); not configurable.`);
    acknowledge(this.provider, 'AwsSolutions-SF1', `The ${framework}'s waiter state machine only polls isComplete; every outcome is in CloudFormation's stack events and the handlers' log group.`);
    acknowledge(this.provider, 'AwsSolutions-SF2', `The ${framework}'s waiter state machine does not offer X-Ray tracing; not configurable.`);
    for (const pack of ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321']) {
      acknowledge(this, `${pack}-IAMNoInlinePolicy`, `The ${framework} adds its invoke statements to its roles' inline default policies, and the check's own statements are inline in its role to keep CloudFormation's 500-resource limit within reach of 160 secrets per stack.`);
    }
  }

  /** Attaches the deploy-time check to one rotating secret. */
  public verify(scope: Construct, request: VerifyRequest): CfnResource {
    const timeout = request.timeout ?? DEFAULT_TIMEOUT;
    validateRange('verification.timeout', timeout, MIN_TIMEOUT, MAX_TIMEOUT);
    this.functions.set(request.rotation, true);
    if (request.repairStalePending) this.grantRepair();
    // The L1 resource (not the CustomResource wrapper): one construct fewer per secret, same template.
    const resource = new CfnResource(scope, 'RotationCheck', {
      type: CHECK_RESOURCE_TYPE,
      // Defaults are left out (the handler applies them): every secret carries these bytes.
      properties: {
        ServiceToken: this.provider.serviceToken,
        ...encodeCheckProperties({
          secretArn: request.secretArn,
          rotationFingerprint: request.fingerprint,
          timeoutSeconds: timeout.toSeconds(),
          repairStalePending: request.repairStalePending,
          rotationLogGroup: request.rotation.logGroup.logGroupName,
        }),
      },
    });
    resource.node.addDependency(request.rotationSchedule);
    return resource;
  }

  private grantRepair() {
    if (this.repairGranted) return;
    this.repairGranted = true;
    this.permissions.addStatements(
      new iam.PolicyStatement({
        actions: ['secretsmanager:UpdateSecretVersionStage'],
        resources: [secretsInAccount(this)],
        conditions: {
          StringEquals: {
            'secretsmanager:resource/AllowRotationLambdaArn': Lazy.list({ produce: () => [...this.functions.keys()].map((f) => f.function.functionArn) }),
          },
        },
      }),
    );
  }
}

function validateRange(prop: string, value: Duration, min: Duration, max: Duration): void {
  if (value.isUnresolved()) {
    throw new Error(`\`${prop}\` must be a resolved duration, got a token`);
  }
  if (value.toMilliseconds() < min.toMilliseconds() || value.toMilliseconds() > max.toMilliseconds()) {
    throw new Error(`\`${prop}\` must be between ${min.toHumanString()} and ${max.toHumanString()}, got ${value.toHumanString()}`);
  }
}
