import { CfnResource, Duration, Lazy, Stack, aws_iam as iam, aws_lambda as lambda, aws_logs as logs } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ACCESS_KEYS_PROPERTIES, ACCESS_KEYS_RESOURCE_TYPE } from './contract';
import { acknowledgeFunctionFindings, acknowledgeWildcard } from './nag';
import { bundleAssetDir } from './rotation-function';

/** What the rotation does to a user's keys, and nothing else: no other user, no policy, no login profile. */
const ACCESS_KEY_ACTIONS = ['iam:GetUser', 'iam:ListAccessKeys', 'iam:CreateAccessKey', 'iam:UpdateAccessKey', 'iam:DeleteAccessKey'];

/**
 * A step waits up to 31 s for IAM to know a new key everywhere (testSecret); a minute leaves room for the other calls.
 */
const TIMEOUT = Duration.minutes(1);

/**
 * The stack's rotation function of IAM user access keys (`RotationStrategy.iamUserAccessKey`), shipped bundled:
 * one per stack, whose role may manage the keys of exactly the users its secrets name. Secrets Manager's permissions
 * come as for any function (`ForeignRotationFunction`), since it is made here rather than by `RotationFunction`.
 */
export class IamAccessKeyRotationFunction extends Construct {
  /** The stack's function, created on first use, allowed to manage the keys of `user`. */
  public static forUser(scope: Construct, user: iam.IUser): IamAccessKeyRotationFunction {
    const stack = Stack.of(scope);
    const made = stack.node.tryFindChild(ID);
    const rotation = made instanceof IamAccessKeyRotationFunction ? made : new IamAccessKeyRotationFunction(stack, ID);
    rotation.allowUser(user);
    return rotation;
  }

  public readonly function: lambda.Function;
  public readonly logGroup: logs.LogGroup;
  private readonly usersStatement: iam.PolicyStatement;
  private readonly users = new Set<string>();

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_YEAR });
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Rotates IAM user access keys held in Secrets Manager secrets (cdk-rotating-secrets)',
    });
    this.usersStatement = new iam.PolicyStatement({ actions: ACCESS_KEY_ACTIONS });
    // Customer managed, not inline, as for this library's other functions.
    const policy = new iam.ManagedPolicy(this, 'Policy', {
      description: 'Rotation function of cdk-rotating-secrets (IAM user access keys): its users\' keys and its logs',
      roles: [role],
      statements: [
        new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [this.logGroup.logGroupArn] }),
        this.usersStatement,
      ],
    });
    this.function = new lambda.Function(this, 'Resource', {
      description: 'Rotates IAM user access keys held in Secrets Manager secrets (cdk-rotating-secrets)',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(bundleAssetDir('iamAccessKeyRotation')),
      memorySize: 256,
      timeout: TIMEOUT,
      role,
      logGroup: this.logGroup,
    });
    // Whatever waits for the function (the deploy-time check, the schedule) waits for its permissions too.
    this.function.node.addDependency(policy);
    acknowledgeWildcard(policy, 'AwsSolutions-IAM5', this.logGroup.logGroupArn, 'Lambda names its log streams at run time; the statement is limited to this function\'s own log group.');
    acknowledgeFunctionFindings(this.function, this.logGroup, false, 'Calls only the Secrets Manager, CloudWatch Logs, IAM and STS APIs.');
  }

  /**
   * The secret's `Custom::RotatedAccessKeys`, served by this function: when CloudFormation deletes it, the keys the
   * secret holds are deleted, unless the stack keeps the secret.
   */
  public keysOf(scope: Construct, secretArn: string, user: iam.IUser, retained: () => boolean): CfnResource {
    return new CfnResource(scope, 'AccessKeys', {
      type: ACCESS_KEYS_RESOURCE_TYPE,
      properties: {
        ServiceToken: this.function.functionArn,
        [ACCESS_KEYS_PROPERTIES.secretArn]: secretArn,
        [ACCESS_KEYS_PROPERTIES.userName]: user.userName,
        [ACCESS_KEYS_PROPERTIES.retainKeys]: Lazy.string({ produce: () => String(retained()) }),
      },
    });
  }

  private allowUser(user: iam.IUser): void {
    const arn = Stack.of(this).resolve(user.userArn);
    const key = JSON.stringify(arn);
    if (this.users.has(key)) return;
    this.users.add(key);
    this.usersStatement.addResources(user.userArn);
  }
}

const ID = 'IamAccessKeyRotation';
