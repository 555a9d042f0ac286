import * as crypto from 'node:crypto';
import * as path from 'node:path';
import {
  ArnFormat,
  Duration,
  FileSystem,
  Lazy,
  Stack,
  aws_iam as iam,
  aws_kms as kms,
  aws_lambda as lambda,
  aws_logs as logs,
} from 'aws-cdk-lib';
import { Construct, IDependable } from 'constructs';
import { acknowledgeWildcard, SECRETS_SCOPED_BY_CONDITION } from './nag';
import { RotationStrategyBinding } from './strategy-binding';

/** The bundled rotation handler, built from lambda/rotation by esbuild at library build time. */
export const ROTATION_ASSET_DIR = path.join(__dirname, '..', '..', 'assets', 'lambda', 'rotation', 'handler');

/**
 * The rotation function of one stack and strategy configuration, shared by every secret that uses it.
 *
 * Its permissions do not grow with the number of secrets: Secrets Manager access is granted on the
 * account's secrets with the condition `secretsmanager:resource/AllowRotationLambdaArn` = this function,
 * which is exactly the set of secrets whose rotation this function is configured for.
 */
export class RotationFunction extends Construct {
  /** The singleton for `binding` in the stack of `scope`, created on first use. */
  public static forStrategy(scope: Construct, binding: RotationStrategyBinding): RotationFunction {
    const stack = Stack.of(scope);
    const key = configurationKey(binding);
    const id = `RotatingSecretsFunction${binding.strategyName.replace(/[^A-Za-z0-9]/g, '')}${key.slice(0, 8)}`;
    const existing = stack.node.tryFindChild(id);
    if (existing) return existing as RotationFunction;
    return new RotationFunction(stack, id, binding, key);
  }

  public readonly function: lambda.Function;
  public readonly logGroup: logs.LogGroup;
  /** Everything a rotation schedule must wait for before Secrets Manager may call this function. */
  public readonly readiness: IDependable[];
  /** Changes whenever the code or configuration of the function changes. */
  public readonly fingerprint: string;

  private readonly secretsPolicy: iam.Policy;
  private readonly keyArns = new Set<string>();
  private readonly secretArns: string[] = [];

  private constructor(scope: Construct, id: string, binding: RotationStrategyBinding, key: string) {
    super(scope, id);
    this.fingerprint = crypto.createHash('sha256').update(key).update(FileSystem.fingerprint(ROTATION_ASSET_DIR)).digest('hex').slice(0, 16);

    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_YEAR });
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Rotates Secrets Manager secrets (${binding.strategyName} strategy)`,
      inlinePolicies: {
        Logs: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
              resources: [this.logGroup.logGroupArn],
            }),
          ],
        }),
      },
    });

    this.function = new lambda.Function(this, 'Resource', {
      description: `Rotates Secrets Manager secrets (cdk-rotating-secrets, ${binding.strategyName} strategy)`,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(ROTATION_ASSET_DIR),
      memorySize: 256,
      timeout: Duration.minutes(1),
      environment: binding.environment,
      role,
      logGroup: this.logGroup,
    });

    // A separate policy (not the role's default one) so it can name the function without a cycle:
    // the function depends on its role, this policy depends on the function.
    this.secretsPolicy = new iam.Policy(this, 'SecretsAccess', {
      roles: [role],
      statements: [
        new iam.PolicyStatement({
          actions: [
            'secretsmanager:DescribeSecret',
            'secretsmanager:GetSecretValue',
            'secretsmanager:PutSecretValue',
            'secretsmanager:UpdateSecretVersionStage',
          ],
          resources: [secretsInAccount(this)],
          conditions: { StringEquals: { 'secretsmanager:resource/AllowRotationLambdaArn': this.function.functionArn } },
        }),
      ],
    });

    acknowledgeWildcard(this.secretsPolicy, 'AwsSolutions-IAM5', secretsInAccount(this), SECRETS_SCOPED_BY_CONDITION);

    const permission = new lambda.CfnPermission(this, 'InvokedBySecretsManager', {
      action: 'lambda:InvokeFunction',
      functionName: this.function.functionArn,
      principal: 'secretsmanager.amazonaws.com',
      sourceAccount: Stack.of(this).account,
      // Confused-deputy protection: the account always, and the secret too when there is only one.
      sourceArn: Lazy.string({ produce: () => (this.secretArns.length === 1 ? this.secretArns[0] : undefined) }),
    });
    this.readiness = [this.secretsPolicy, permission];
  }

  /** Records a secret this function rotates: for the invoke permission and, if encrypted, its KMS key. */
  public addSecret(secretArn: string, encryptionKey?: kms.IKey): void {
    this.secretArns.push(secretArn);
    if (!encryptionKey || this.keyArns.has(encryptionKey.keyArn)) return;
    this.keyArns.add(encryptionKey.keyArn);
    // Only through Secrets Manager, only for secrets: Secrets Manager itself then limits which secrets
    // (the AllowRotationLambdaArn condition above), so the statement stays one per key, not per secret.
    const stack = Stack.of(this);
    this.secretsPolicy.addStatements(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [encryptionKey.keyArn],
        conditions: {
          StringEquals: { 'kms:ViaService': `secretsmanager.${stack.region}.${stack.urlSuffix}` },
          StringLike: { 'kms:EncryptionContext:SecretARN': secretsInAccount(this) },
        },
      }),
    );
  }
}

/** `arn:<partition>:secretsmanager:<region>:<account>:secret:*` of the stack. */
export function secretsInAccount(scope: Construct): string {
  return Stack.of(scope).formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME });
}

function configurationKey(binding: RotationStrategyBinding): string {
  const sorted = Object.keys(binding.environment).sort().map((name) => [name, binding.environment[name]]);
  return crypto.createHash('sha256').update(JSON.stringify([binding.strategyName, sorted])).digest('hex');
}
