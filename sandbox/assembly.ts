import * as fs from 'node:fs';
import * as path from 'node:path';
import { CHECK_PROPERTY_NAMES, CHECK_RESOURCE_TYPE, strategyOfEnvironment } from '../src/private/contract';

/** A Lambda function of the assembly that the sandbox can run: its bundled asset and configuration. */
export interface FunctionModel {
  readonly logicalId: string;
  /** Absolute path of the asset directory in the cloud assembly. */
  readonly assetDir: string;
  readonly handler: string;
  /** Environment variables; values that are intrinsics are kept for the caller to resolve. */
  readonly environment: Record<string, unknown>;
  readonly timeoutSeconds: number;
  /** Logical id of the function's log group, when it has its own. */
  readonly logGroupLogicalId?: string;
}

/** One rotating secret as CloudFormation would deploy it: the secret, its schedule, its function, its check. */
export interface RotatingSecretModel {
  readonly stackName: string;
  readonly secretLogicalId: string;
  readonly secretProperties: Record<string, any>;
  readonly rotationRules: { ScheduleExpression?: string; AutomaticallyAfterDays?: number; Duration?: string };
  readonly rotateImmediately: boolean;
  readonly rotationFunction: FunctionModel;
  /** The deploy-time check (its custom resource) and its handlers, when the secret has one. */
  readonly check?: { readonly properties: Record<string, unknown>; readonly onEvent: FunctionModel; readonly isComplete: FunctionModel };
  /** Strategy name from the rotation function's environment, or `custom` for a function of another origin. */
  readonly strategy: string;
}

type Resources = Record<string, { Type: string; Properties?: Record<string, any>; Metadata?: Record<string, any> }>;

/** Reads every rotating secret (a secret with a RotationSchedule backed by a function with a local asset). */
export function readAssembly(assemblyDir: string): RotatingSecretModel[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(assemblyDir, 'manifest.json'), 'utf8'));
  const models: RotatingSecretModel[] = [];
  for (const [stackName, artifact] of Object.entries<any>(manifest.artifacts ?? {})) {
    if (artifact.type !== 'aws:cloudformation:stack') continue;
    const template = JSON.parse(fs.readFileSync(path.join(assemblyDir, artifact.properties.templateFile), 'utf8'));
    models.push(...readStack(assemblyDir, artifact.displayName ?? stackName, template.Resources ?? {}));
  }
  return models;
}

function readStack(assemblyDir: string, stackName: string, resources: Resources): RotatingSecretModel[] {
  const models: RotatingSecretModel[] = [];
  const checks = Object.values(resources).filter((r) => r.Type === CHECK_RESOURCE_TYPE);
  for (const [id, schedule] of Object.entries(resources)) {
    if (schedule.Type !== 'AWS::SecretsManager::RotationSchedule') continue;
    const props = schedule.Properties ?? {};
    const secretLogicalId = refOf(props.SecretId);
    const functionLogicalId = getAttOf(props.RotationLambdaARN);
    if (!secretLogicalId || resources[secretLogicalId]?.Type !== 'AWS::SecretsManager::Secret') {
      throw new Error(`${stackName}/${id}: the rotation schedule's SecretId is not a secret of this stack`);
    }
    if (!functionLogicalId) {
      throw new Error(`${stackName}/${id}: the rotation schedule has no RotationLambdaARN of this stack (hosted rotation is not supported by the sandbox)`);
    }
    const rotationFunction = readFunction(assemblyDir, stackName, functionLogicalId, resources);
    const check = checks.find((c) => refOf(c.Properties?.[CHECK_PROPERTY_NAMES.secretArn]) === secretLogicalId);
    models.push({
      stackName,
      secretLogicalId,
      secretProperties: resources[secretLogicalId].Properties ?? {},
      rotationRules: props.RotationRules ?? {},
      rotateImmediately: props.RotateImmediatelyOnUpdate !== false,
      rotationFunction,
      check: check && readCheck(assemblyDir, stackName, check.Properties ?? {}, resources),
      strategy: strategyOfEnvironment(rotationFunction.environment) ?? 'custom',
    });
  }
  return models;
}

/** The check's user handlers are named in the provider framework function's environment. */
function readCheck(assemblyDir: string, stackName: string, properties: Record<string, unknown>, resources: Resources) {
  const framework = getAttOf(properties.ServiceToken);
  const variables = (framework && resources[framework]?.Properties?.Environment?.Variables) ?? {};
  const onEvent = getAttOf(variables.USER_ON_EVENT_FUNCTION_ARN);
  const isComplete = getAttOf(variables.USER_IS_COMPLETE_FUNCTION_ARN);
  if (!onEvent || !isComplete) {
    throw new Error(`${stackName}: the rotation check's provider does not name its onEvent and isComplete handlers`);
  }
  return {
    properties,
    onEvent: readFunction(assemblyDir, stackName, onEvent, resources),
    isComplete: readFunction(assemblyDir, stackName, isComplete, resources),
  };
}

function readFunction(assemblyDir: string, stackName: string, logicalId: string, resources: Resources): FunctionModel {
  const resource = resources[logicalId];
  if (resource?.Type !== 'AWS::Lambda::Function') {
    throw new Error(`${stackName}/${logicalId}: not a Lambda function of this stack`);
  }
  const assetPath = resource.Metadata?.['aws:asset:path'];
  if (typeof assetPath !== 'string') {
    throw new Error(`${stackName}/${logicalId}: the function has no local asset (aws:asset:path); synthesize with the CDK CLI so asset metadata is written`);
  }
  const props = resource.Properties ?? {};
  return {
    logicalId,
    assetDir: path.resolve(assemblyDir, assetPath),
    handler: props.Handler ?? 'index.handler',
    environment: props.Environment?.Variables ?? {},
    timeoutSeconds: props.Timeout ?? 3,
    logGroupLogicalId: refOf(props.LoggingConfig?.LogGroup),
  };
}

export function refOf(value: unknown): string | undefined {
  const ref = (value as { Ref?: unknown } | undefined)?.Ref;
  return typeof ref === 'string' ? ref : undefined;
}

function getAttOf(value: unknown): string | undefined {
  const getAtt = (value as { 'Fn::GetAtt'?: unknown } | undefined)?.['Fn::GetAtt'];
  return Array.isArray(getAtt) && getAtt[1] === 'Arn' ? String(getAtt[0]) : undefined;
}
