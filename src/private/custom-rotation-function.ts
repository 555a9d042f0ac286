import * as path from 'node:path';
import { Duration, Stack, aws_iam as iam, aws_lambda as lambda, aws_lambda_nodejs as nodejs, aws_logs as logs } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { acknowledgeFunctionFindings, acknowledgeWildcard } from './nag';

/** What makes a custom strategy's function: the user's entry file and what it needs. */
export interface CustomFunctionSpec {
  readonly entry: string;
  readonly handler: string;
  readonly environment?: Record<string, string>;
  readonly policyStatements?: iam.PolicyStatement[];
  readonly timeout: Duration;
}

/**
 * The rotation function of a custom strategy: the user's entry file, bundled with this library's protocol engine
 * (`cdk-rotating-secrets/runtime`) by NodejsFunction's esbuild, on the runtime and architecture of this library's own
 * functions, with its own log group and a role that may write only there, plus the user's statements.
 */
export function createCustomRotationFunction(
  scope: Construct, id: string, spec: CustomFunctionSpec,
): { fn: lambda.Function; logGroup: logs.LogGroup } {
  const construct = new Construct(scope, id);
  const logGroup = new logs.LogGroup(construct, 'Logs', { retention: logs.RetentionDays.ONE_YEAR });
  const name = path.basename(spec.entry);
  const role = new iam.Role(construct, 'Role', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: `Rotates Secrets Manager secrets (cdk-rotating-secrets, custom: ${name})`,
  });
  role.addToPolicy(new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }));
  for (const statement of spec.policyStatements ?? []) role.addToPolicy(statement);
  const fn = new nodejs.NodejsFunction(construct, 'Resource', {
    description: `Rotates Secrets Manager secrets (cdk-rotating-secrets, custom: ${name})`,
    entry: spec.entry,
    handler: spec.handler,
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    memorySize: 256,
    timeout: spec.timeout,
    role,
    logGroup,
    environment: spec.environment,
    // The engine's AWS SDK comes from the Lambda runtime, as NodejsFunction leaves it by default.
    bundling: { minify: true, sourceMap: false },
  });
  acknowledgeWildcard(role, 'AwsSolutions-IAM5', logGroup.logGroupArn, 'Lambda names its log streams at run time; the statement is limited to this function\'s own log group.');
  acknowledgeFunctionFindings(fn, logGroup, false);
  return { fn, logGroup };
}

/** A readable id for the function of `entry` in the stack: `CustomRotation<File>`, then a number. */
export function customFunctionId(stack: Stack, entry: string): string {
  const file = path.basename(entry).replace(/\.[^.]+$/, '').replace(/[^A-Za-z0-9]/g, '');
  const base = `CustomRotation${file.charAt(0).toUpperCase()}${file.slice(1)}`;
  let id = base;
  for (let n = 2; stack.node.tryFindChild(id) !== undefined; n++) id = `${base}${n}`;
  return id;
}
