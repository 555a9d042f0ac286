import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  GetSecretValueCommand,
  RotateSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { FunctionModel, RotatingSecretModel, refOf } from './assembly';
import { provisionDatabaseUser } from './databases';
import type { SecretsManagerSimulator } from '../simulator';

/** A rotating secret as the sandbox deployed it into the simulator. */
export interface DeployedSecret {
  readonly model: RotatingSecretModel;
  readonly arn: string;
  readonly rotationFunctionArn: string;
  readonly rotationLogGroup: string;
}

/** A secret the sandbox cannot rotate on this machine, and why (e.g. no database server is reachable). */
export class SkippedSecret extends Error {}

/**
 * Deploys what CloudFormation would: the secret with its generated value, the rotation function from its
 * bundled asset, and the rotation configuration (RotateSecret with the schedule's rules).
 */
export class SandboxDeployer {
  private readonly functionArns = new Map<string, string>();

  constructor(
    private readonly sim: SecretsManagerSimulator,
    private readonly client: SecretsManagerClient,
  ) {}

  public async deploy(model: RotatingSecretModel): Promise<DeployedSecret> {
    const arn = await this.createSecret(model);
    if (model.strategy !== 'generic' && model.strategy !== 'custom') {
      const { SecretString: value } = await this.client.send(new GetSecretValueCommand({ SecretId: arn }));
      const reason = await provisionDatabaseUser(value!);
      if (reason) throw new SkippedSecret(reason);
    }
    const rotationFunctionArn = this.registerFunction(model.stackName, model.rotationFunction);
    await this.client.send(new RotateSecretCommand({
      SecretId: arn,
      RotationLambdaARN: rotationFunctionArn,
      RotationRules: model.rotationRules,
      RotateImmediately: model.rotateImmediately,
    }));
    await this.sim.waitForIdle();
    return { model, arn, rotationFunctionArn, rotationLogGroup: logGroupOf(rotationFunctionArn) };
  }

  /** Registers a function of the assembly (once) and returns its simulated ARN. */
  public registerFunction(stackName: string, fn: FunctionModel): string {
    const key = `${stackName}/${fn.logicalId}`;
    const existing = this.functionArns.get(key);
    if (existing) return existing;
    const arn = `arn:aws:lambda:${this.sim.region}:${this.sim.accountId}:function:${stackName}-${fn.logicalId}`.slice(0, 140);
    this.sim.registerFunction(arn, {
      assetDir: fn.assetDir,
      handler: fn.handler,
      environment: this.resolveEnvironment(key, fn.environment),
      timeoutSeconds: fn.timeoutSeconds,
    });
    this.functionArns.set(key, arn);
    return arn;
  }

  private async createSecret(model: RotatingSecretModel): Promise<string> {
    const props = model.secretProperties;
    const created = await this.client.send(new CreateSecretCommand({
      Name: props.Name ?? `${model.stackName}-${model.secretLogicalId}`,
      Description: props.Description,
      SecretString: props.SecretString ?? (await this.generate(props.GenerateSecretString ?? {})),
      Tags: props.Tags,
    }));
    return created.ARN!;
  }

  /** CloudFormation's GenerateSecretString: GetRandomPassword, then the template with the generated key. */
  private async generate(options: Record<string, any>): Promise<string> {
    const { SecretStringTemplate: template, GenerateStringKey: key, ...passwordOptions } = options;
    const { RandomPassword: password } = await this.client.send(new GetRandomPasswordCommand(passwordOptions));
    if (template === undefined) return password!;
    return JSON.stringify({ ...JSON.parse(template), [key]: password });
  }

  private resolveEnvironment(where: string, environment: Record<string, unknown>): Record<string, string> {
    const resolved: Record<string, string> = {};
    for (const [name, value] of Object.entries(environment)) {
      if (typeof value === 'string') {
        resolved[name] = value;
      } else {
        throw new Error(`${where}: environment variable ${name} is ${JSON.stringify(value)}, which the sandbox cannot resolve`);
      }
    }
    return resolved;
  }

  public async describe(arn: string) {
    return this.client.send(new DescribeSecretCommand({ SecretId: arn }));
  }
}

/** The simulator writes a function's output to `/aws/lambda/<function name>`, as Lambda does by default. */
export function logGroupOf(functionArn: string): string {
  return `/aws/lambda/${functionArn.split(':').pop()}`;
}

/** Resolves the check's properties as CloudFormation would: Refs to the secret and the log group. */
export function resolveCheckProperties(secret: DeployedSecret): Record<string, string> {
  const resolved: Record<string, string> = {};
  for (const [name, value] of Object.entries(secret.model.check?.properties ?? {})) {
    if (name === 'ServiceToken') continue;
    if (typeof value === 'string') {
      resolved[name] = value;
    } else if (refOf(value) === secret.model.secretLogicalId) {
      resolved[name] = secret.arn;
    } else if (refOf(value) !== undefined && refOf(value) === secret.model.rotationFunction.logGroupLogicalId) {
      resolved[name] = secret.rotationLogGroup;
    } else {
      throw new Error(`${secret.model.stackName}/${secret.model.secretLogicalId}: check property ${name} is ${JSON.stringify(value)}, which the sandbox cannot resolve`);
    }
  }
  return resolved;
}
