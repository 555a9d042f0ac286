import * as crypto from 'node:crypto';
import { Stack, Token, aws_iam as iam, aws_kms as kms, aws_lambda as lambda, aws_logs as logs } from 'aws-cdk-lib';
import { Construct, IDependable } from 'constructs';
import type { RotationFunctionKind } from './contract';
import { PropError } from './errors';
import { acknowledgeWildcard, SECRETS_SCOPED_BY_CONDITION } from './nag';
import { allowSecretsManagerToInvoke, rotatedSecretsStatement, secretKeyStatement, secretsInAccount } from './rotation-function';
import type { RotationFunctionFacts } from './rotation-target';
import type { ForeignStrategyBinding } from './strategy-binding';

/** Lambda's longest timeout: what a step of a function whose timeout the app does not know may take. */
const MAX_LAMBDA_TIMEOUT_SECONDS = 900;
/** Lambda's default timeout, of a `lambda.Function` without `timeout`. */
const DEFAULT_LAMBDA_TIMEOUT_SECONDS = 3;

/**
 * A rotation function this library did not make (`RotationStrategy.fromFunction`), as the stack's rotation uses it:
 * Secrets Manager's invoke permission (confused-deputy conditions), and, when the app knows the function's role, the
 * same conditioned access to the secrets it rotates that this library's functions get. One per stack and function.
 */
export class ForeignRotationFunction extends Construct implements RotationFunctionFacts {
  /** The stack's rotation through `binding.function`, created on first use. */
  public static of(scope: Construct, binding: ForeignStrategyBinding): ForeignRotationFunction {
    const stack = Stack.of(scope);
    const existing = stack.node.children.find((child): child is ForeignRotationFunction =>
      child instanceof ForeignRotationFunction && child.function === binding.function);
    if (existing === undefined) return new ForeignRotationFunction(stack, uniqueId(stack, binding.function), binding);
    if (binding.logGroup !== undefined && binding.logGroup !== existing.logGroup) {
      throw new PropError(`\`logGroup\` of \`fromFunction\` differs from the one another secret of this stack gave for the same function (${binding.function.node.path}): give the same log group, or none`);
    }
    return existing;
  }

  public readonly kind: RotationFunctionKind;
  public readonly function: lambda.IFunction;
  public readonly logGroup?: logs.ILogGroup;
  public readonly readiness: IDependable[];
  public readonly fingerprint: string;
  public readonly timeoutSeconds: number;

  private readonly secretArns: Array<string | undefined> = [];
  private readonly keyArns = new Set<string>();
  private readonly secretsPolicy?: iam.ManagedPolicy;

  private constructor(scope: Construct, id: string, binding: ForeignStrategyBinding) {
    super(scope, id);
    const fn = binding.function;
    checkSameEnvironment(Stack.of(this), fn);
    this.function = fn;
    // The check reads the failure record and probes a function that runs this library's engine, as its own.
    this.kind = binding.runsEngine ? 'library' : 'foreign';
    this.logGroup = binding.logGroup ?? ownLogGroup(this, fn);
    this.timeoutSeconds = timeoutOf(fn);
    // The function's ARN and, for a function of the app, its code (an asset's hash) and handler: a new version of
    // the function is verified again.
    const cfn = fn.node.defaultChild instanceof lambda.CfnFunction ? fn.node.defaultChild : undefined;
    this.fingerprint = crypto.createHash('sha256')
      .update(JSON.stringify(Stack.of(this).resolve([fn.functionArn, cfn?.code ?? null, cfn?.handler ?? null, cfn?.runtime ?? null])))
      .digest('hex').slice(0, 16);

    // Created here, not with fn.addPermission(), which skips a function imported from another environment silently.
    const permission = allowSecretsManagerToInvoke(this, fn.functionArn, this.secretArns);
    if (fn.role !== undefined) {
      this.secretsPolicy = new iam.ManagedPolicy(this, 'Policy', {
        description: `Rotation function ${fn.node.path}: the secrets cdk-rotating-secrets rotates with it`,
        roles: [fn.role],
        statements: [rotatedSecretsStatement(this, fn.functionArn)],
      });
      acknowledgeWildcard(this.secretsPolicy, 'AwsSolutions-IAM5', secretsInAccount(this), SECRETS_SCOPED_BY_CONDITION);
    }
    this.readiness = this.secretsPolicy ? [permission, this.secretsPolicy] : [permission];
  }

  public addSecret(secretArn: string | undefined, encryptionKey?: kms.IKey): void {
    this.secretArns.push(secretArn);
    if (!encryptionKey || !this.secretsPolicy || this.keyArns.has(encryptionKey.keyArn)) return;
    this.keyArns.add(encryptionKey.keyArn);
    this.secretsPolicy.addStatements(secretKeyStatement(this, encryptionKey));
  }
}

/**
 * Secrets Manager invokes a rotation function of the secret's own account and Region, and CloudFormation can add the
 * invoke permission only to a function there: judged when both environments are known.
 */
function checkSameEnvironment(stack: Stack, fn: lambda.IFunction): void {
  const differs = (ours: string, theirs: string) => !Token.isUnresolved(ours) && !Token.isUnresolved(theirs) && ours !== theirs;
  if (!differs(stack.account, fn.env.account) && !differs(stack.region, fn.env.region)) return;
  throw new PropError(`\`fromFunction\`: the function ${fn.node.path} is in account ${fn.env.account}, Region ${fn.env.region}, `
    + `and the secret's stack in account ${stack.account}, Region ${stack.region}: Secrets Manager invokes a rotation function `
    + 'of the secret\'s own account and Region. Deploy the function (or the Serverless Application Repository application) '
    + 'in the secret\'s account and Region, and import it from there.');
}

/**
 * The log group of a function defined in the app: the one its LoggingConfig names, or Lambda's default
 * `/aws/lambda/<name>`. (Not `fn.logGroup`, which would add a log-retention resource to a function without one.)
 * Unknown for an imported function, whose logging configuration the app cannot see.
 */
function ownLogGroup(scope: Construct, fn: lambda.IFunction): logs.ILogGroup | undefined {
  if (!(fn instanceof lambda.Function)) return undefined;
  const cfn = fn.node.defaultChild as lambda.CfnFunction;
  const configured = (cfn.loggingConfig as lambda.CfnFunction.LoggingConfigProperty | undefined)?.logGroup;
  return logs.LogGroup.fromLogGroupName(scope, 'FunctionLogs', configured ?? `/aws/lambda/${fn.functionName}`);
}

/** How long one step may run: the timeout of a function defined in the app, else the longest Lambda allows. */
function timeoutOf(fn: lambda.IFunction): number {
  if (!(fn instanceof lambda.Function)) return MAX_LAMBDA_TIMEOUT_SECONDS;
  if (fn.timeout === undefined) return DEFAULT_LAMBDA_TIMEOUT_SECONDS;
  return fn.timeout.isUnresolved() ? MAX_LAMBDA_TIMEOUT_SECONDS : fn.timeout.toSeconds();
}

/** A readable id: `ForeignRotation<function id>`, then a number for another function with the same id. */
function uniqueId(stack: Stack, fn: lambda.IFunction): string {
  const base = `ForeignRotation${fn.node.id.replace(/[^A-Za-z0-9]/g, '')}`;
  let id = base;
  for (let n = 2; stack.node.tryFindChild(id) !== undefined; n++) id = `${base}${n}`;
  return id;
}
