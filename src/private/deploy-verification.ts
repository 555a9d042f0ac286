import * as path from 'node:path';
import {
  CustomResource,
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
import { acknowledge, acknowledgeFunctionFindings, acknowledgeWildcard, SECRETS_SCOPED_BY_CONDITION } from './nag';
import { RotationFunction, secretsInAccount } from './rotation-function';

/** The bundled verification handlers (`onEvent`, `isComplete`), built from lambda/verify. */
const VERIFY_ASSET_DIR = path.join(__dirname, '..', '..', 'assets', 'lambda', 'verify', 'handler');

const DEFAULT_TIMEOUT = Duration.minutes(10);
const MIN_TIMEOUT = Duration.minutes(1);
// CloudFormation waits at most one hour for a custom resource; leave room for the provider itself.
const MAX_TIMEOUT = Duration.minutes(55);
export const DEFAULT_POLL_INTERVAL = Duration.seconds(10);
const MIN_POLL_INTERVAL = Duration.seconds(5);
const MAX_POLL_INTERVAL = Duration.minutes(5);

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
    const id = `RotatingSecretsDeployVerification${seconds === DEFAULT_POLL_INTERVAL.toSeconds() ? '' : seconds}`;
    return (stack.node.tryFindChild(id) as DeployVerification | undefined) ?? new DeployVerification(stack, id, pollInterval);
  }

  private readonly provider: cr.Provider;
  private readonly role: iam.Role;
  private readonly permissions: iam.ManagedPolicy;
  private readonly functions = new Map<RotationFunction, true>();
  private repairGranted = false;

  private constructor(scope: Construct, id: string, pollInterval: Duration) {
    super(scope, id);
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_YEAR });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Verifies at deploy time that secret rotation works',
    });
    this.permissions = new iam.ManagedPolicy(this, 'Permissions', {
      description: 'Deploy-time rotation check of cdk-rotating-secrets: the stack\'s rotating secrets, their functions and logs',
      roles: [this.role],
      statements: [new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] })],
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
        code: lambda.Code.fromAsset(VERIFY_ASSET_DIR),
        memorySize: 256,
        timeout: Duration.minutes(1),
        role: this.role,
        logGroup,
      });
    const onEvent = handler('OnEvent', 'onEvent');
    const isComplete = handler('IsComplete', 'isComplete');
    this.provider = new cr.Provider(this, 'Provider', {
      onEventHandler: onEvent,
      isCompleteHandler: isComplete,
      queryInterval: pollInterval,
      totalTimeout: Duration.hours(1),
    });
    acknowledgeWildcard(this.permissions, 'AwsSolutions-IAM5', secretsInAccount(this), SECRETS_SCOPED_BY_CONDITION);
    acknowledgeWildcard(this.permissions, 'AwsSolutions-IAM5', logGroup.logGroupArn, 'Lambda names its log streams at run time; the statement is limited to the handlers\' own log group.');
    for (const fn of [onEvent, isComplete]) acknowledgeFunctionFindings(fn, logGroup, false);
    for (const pack of ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321']) {
      acknowledge(this.provider, `${pack}-IAMNoInlinePolicy`, `The ${'aws-cdk-lib'} Provider framework gives its own roles inline default policies; not configurable.`);
      acknowledge(this.provider, `${pack}-LambdaDLQ`, 'The Provider framework\'s functions are invoked synchronously by CloudFormation and its state machine.');
      acknowledge(this.provider, `${pack}-LambdaConcurrency`, 'The Provider framework\'s functions run once per deployment event; not configurable.');
      acknowledge(this.provider, `${pack}-LambdaInsideVPC`, 'The Provider framework\'s functions call only AWS APIs; not configurable here.');
    }
    const framework = 'aws-cdk-lib\'s custom-resources Provider framework';
    acknowledge(this.provider, 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      `The ${framework} gives its functions AWSLambdaBasicExecutionRole (logs only); not configurable.`);
    const versions = `The ${framework} may invoke any version of its handler functions (ARN:*); not configurable.`;
    const frameworkFunctions = ['framework-isComplete', 'framework-onTimeout'].map((child) => this.provider.node.findChild(child) as lambda.Function);
    for (const fn of [onEvent, isComplete, ...frameworkFunctions]) {
      acknowledgeWildcard(this.provider, 'AwsSolutions-IAM5', `${fn.functionArn}:*`, versions);
    }
    acknowledge(this.provider, 'AwsSolutions-L1', `The ${framework} picks its own functions' runtime (the latest aws-cdk-lib knows at the floor version); not configurable.`);
    acknowledge(this.provider, 'AwsSolutions-SF1', `The ${framework}'s waiter state machine only polls isComplete; every outcome is in CloudFormation's stack events and the handler's log group.`);
    acknowledge(this.provider, 'AwsSolutions-SF2', `The ${framework}'s waiter state machine does not offer X-Ray tracing; not configurable.`);
  }

  /** Attaches the deploy-time check to one rotating secret. */
  public verify(scope: Construct, request: VerifyRequest): CustomResource {
    const timeout = request.timeout ?? DEFAULT_TIMEOUT;
    validateRange('verification.timeout', timeout, MIN_TIMEOUT, MAX_TIMEOUT);
    this.functions.set(request.rotation, true);
    if (request.repairStalePending) this.grantRepair();
    const resource = new CustomResource(scope, 'RotationCheck', {
      serviceToken: this.provider.serviceToken,
      resourceType: 'Custom::RotationCheck',
      properties: {
        SecretArn: request.secretArn,
        RotationFingerprint: request.fingerprint,
        TimeoutSeconds: String(timeout.toSeconds()),
        RepairStalePending: String(request.repairStalePending),
        RotationLogGroup: request.rotation.logGroup.logGroupName,
      },
    });
    resource.node.addDependency(request.rotationSchedule, this.permissions);
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
