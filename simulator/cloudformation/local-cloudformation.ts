import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SecretsManagerSimulator } from '../simulator';
import { readAssembly, stacksToDeploy } from './assembly';
import { CustomResourceGateway } from './custom-resources/gateway';
import type { DatabaseHost } from './database-host';
import { StackEvent, StackEventLog, StackStatus } from './events';
import { dependencyGraph } from './graph';
import { IamService, IamServiceOptions } from './iam-service';
import { evaluateConditions, ResolutionError } from './intrinsics';
import { OperationContext, setStackStatus, StackPlan } from './operations/context';
import { createStack } from './operations/create';
import { deleteStack } from './operations/delete';
import { rollBack, updateStack } from './operations/update';
import { DEFAULT_SSM_PARAMETERS, resolveParameters } from './parameters';
import { PolicyRegistry, policyProviderOf } from './policy-registry';
import { ResourceState, StackState } from './stack';
import { Template, TemplateError, validateTemplate } from './template';

export interface LocalCloudFormationOptions {
  /** Starts the local servers behind AWS::RDS::DBInstance and DBCluster. @default - RDS resources are not simulated */
  readonly databases?: DatabaseHost;
  /** An IAM and STS emulator (moto with request authentication on) for AWS::IAM::User and the functions' IAM calls. @default - IAM users are not simulated */
  readonly iam?: IamServiceOptions;
  /**
   * Skip a resource this machine cannot simulate (an RDS engine the database host cannot serve, a Python function,
   * ...) and every resource that depends on it, recording why, instead of failing it.
   * @default false
   */
  readonly skipUnsimulated?: boolean;
  /** SSM parameters for `AWS::SSM::Parameter::Value<...>` parameters and `{{resolve:ssm:...}}`. @default - CDK's bootstrap version, 30 */
  readonly ssmParameters?: Readonly<Record<string, string>>;
  /** Called with every stack event as it happens. */
  readonly onEvent?: (event: StackEvent) => void;
}

/** A cloud assembly's stack (and, first, the stacks it depends on), or a template with its assets. */
export type DeployInput =
  | { readonly assemblyDir: string; readonly stackName: string; readonly parameters?: Readonly<Record<string, string>> }
  | {
    readonly stackName: string;
    readonly template: object;
    /** Function code directories by the S3 key the template's Code.S3Key names. */
    readonly assets?: Readonly<Record<string, string>>;
    readonly parameters?: Readonly<Record<string, string>>;
  };

export interface DeployResult {
  readonly stackName: string;
  readonly status: StackStatus;
  readonly statusReason?: string;
  /** The template and parameters were those deployed already: nothing happened ("No updates are to be performed."). */
  readonly noChanges?: boolean;
}

/** The states from which UpdateStack proceeds. */
const UPDATABLE: ReadonlySet<StackStatus> = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE']);

export interface ResourceDescription {
  readonly logicalId: string;
  readonly physicalId?: string;
  readonly type: string;
  readonly status: string;
  readonly statusReason?: string;
  /** Fn::GetAtt values; `****` for a custom resource that answered NoEcho. */
  readonly attributes: Readonly<Record<string, unknown>>;
  /** Why the resource is recorded but not simulated (callers report it as skipped). */
  readonly notSimulated?: string;
}

export interface StackDescription {
  readonly stackName: string;
  readonly stackId: string;
  readonly status: StackStatus;
  readonly statusReason?: string;
  readonly outputs: Readonly<Record<string, unknown>>;
  /** Export name to value. */
  readonly exports: Readonly<Record<string, unknown>>;
  readonly resources: readonly ResourceDescription[];
}

/**
 * A local CloudFormation on the simulator: creates, updates and deletes stacks with CloudFormation's semantics
 * (dependency order with concurrency, rollback, replacement, cleanup, stack events), backed by the simulator's
 * Secrets Manager, Lambda and CloudWatch Logs, the custom-resource protocol and local database servers.
 * Operations resolve with the final status and throw only for bad input (what CloudFormation's API refuses).
 */
export class LocalCloudFormation {
  /** Every IAM policy, trust policy, key policy, secret resource policy and Lambda permission deployed. */
  public readonly policies = new PolicyRegistry();
  private readonly stacks = new Map<string, StackState>();
  private readonly deleted = new Map<string, StackState>();
  private readonly eventLog: StackEventLog;
  private readonly secretsManager: SecretsManagerClient;
  private readonly ssmParameters: Readonly<Record<string, string>>;
  private readonly workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'local-cloudformation-'));
  private gateway?: Promise<CustomResourceGateway>;
  private readonly iam?: IamService;
  /** The exports each stack imported, which keep the exporting stack from being deleted. */
  private readonly imports = new Map<string, Set<string>>();

  constructor(
    private readonly sim: SecretsManagerSimulator,
    private readonly options: LocalCloudFormationOptions = {},
  ) {
    this.eventLog = new StackEventLog(() => sim.clock.now());
    this.iam = options.iam && new IamService(options.iam);
    // What the stacks deploy is what the simulator authorizes calls against.
    sim.iam.addPolicyProvider(policyProviderOf(this.policies));
    if (options.onEvent) this.eventLog.onEvent(options.onEvent);
    this.secretsManager = new SecretsManagerClient(sim.clientConfig());
    this.ssmParameters = { ...DEFAULT_SSM_PARAMETERS, ...options.ssmParameters };
  }

  /** Creates the stack, or updates it when it exists; for an assembly, the stacks it depends on go first. */
  public async deploy(input: DeployInput): Promise<DeployResult> {
    if ('assemblyDir' in input) {
      let result: DeployResult | undefined;
      for (const stack of stacksToDeploy(readAssembly(input.assemblyDir), input.stackName)) {
        const isTarget = stack.stackName === input.stackName || stack.artifactId === input.stackName;
        result = await this.deployTemplate(stack.stackName, stack.template, stack.assets, isTarget ? input.parameters ?? {} : {});
        if (!result.status.endsWith('_COMPLETE') || result.status.includes('ROLLBACK')) return result;
      }
      return result!;
    }
    return this.deployTemplate(input.stackName, input.template, new Map(Object.entries(input.assets ?? {})), input.parameters ?? {});
  }

  /** Deletes a stack (a stack that does not exist is a success, as DeleteStack's). */
  public async delete(stackName: string): Promise<DeployResult> {
    const stack = this.stacks.get(stackName);
    if (!stack) return { stackName, status: 'DELETE_COMPLETE' };
    this.refuseWhileInProgress(stack);
    const importers = this.importersOf(stack);
    if (importers.length > 0) {
      throw new TemplateError(`Export ${importers[0].exportName} cannot be deleted as it is in use by ${importers[0].stackName}`);
    }
    const plan = this.plan(stack, stack.template, stack.parameters);
    await deleteStack(await this.context(stack), stack, plan.graph);
    if (stack.status === 'DELETE_COMPLETE') {
      this.stacks.delete(stackName);
      this.deleted.set(stackName, stack);
      this.imports.delete(stackName);
    }
    return resultOf(stack);
  }

  /** The stack's status, outputs and resources; a deleted stack's last state (DELETE_COMPLETE). */
  public describeStack(stackName: string): StackDescription | undefined {
    const stack = this.stacks.get(stackName) ?? this.deleted.get(stackName);
    if (!stack) return undefined;
    return {
      stackName: stack.name,
      stackId: stack.id,
      status: stack.status,
      ...(stack.statusReason ? { statusReason: stack.statusReason } : {}),
      outputs: Object.fromEntries([...stack.outputs].map(([name, output]) => [name, output.value])),
      exports: Object.fromEntries([...stack.outputs.values()].filter((o) => o.exportName !== undefined).map((o) => [o.exportName, o.value])),
      resources: [...stack.resources.values()].map(describeResource),
    };
  }

  /** A stack's events, oldest first (also for a deleted stack, by name or id). */
  public events(stack: string): StackEvent[] {
    return this.eventLog.of(stack);
  }

  public onEvent(listener: (event: StackEvent) => void): void {
    this.eventLog.onEvent(listener);
  }

  /** Stops the ResponseURL server and removes inline function code. Stacks are left as they are. */
  public async stop(): Promise<void> {
    this.secretsManager.destroy();
    this.iam?.stop();
    await (await this.gateway)?.stop();
    fs.rmSync(this.workDir, { recursive: true, force: true });
  }

  private async deployTemplate(
    stackName: string,
    templateInput: object,
    assets: ReadonlyMap<string, string>,
    parameters: Readonly<Record<string, string>>,
  ): Promise<DeployResult> {
    if (!/^[A-Za-z][A-Za-z0-9-]{0,127}$/.test(stackName)) {
      throw new TemplateError(`\`stackName\` must start with a letter and hold only letters, digits and hyphens (at most 128), got ${JSON.stringify(stackName)}`);
    }
    const template = validateTemplate(templateInput);
    const existing = this.stacks.get(stackName);
    if (existing?.status === 'ROLLBACK_COMPLETE') {
      // As `cdk deploy` does: a stack whose creation rolled back cannot be updated; it is deleted and created again.
      await this.delete(stackName);
    } else if (existing) {
      return this.updateTemplate(existing, template, assets, parameters);
    }
    const stack: StackState = {
      name: stackName,
      id: `arn:aws:cloudformation:${this.sim.region}:${this.sim.accountId}:stack/${stackName}/${randomUUID()}`,
      status: 'CREATE_IN_PROGRESS',
      template,
      parameters: {},
      conditions: {},
      resources: new Map(),
      outputs: new Map(),
      assets,
    };
    const plan = this.plan(stack, template, resolveParameters(template, parameters, this.ssmParameters));
    stack.parameters = plan.parameters;
    stack.conditions = plan.conditions;
    this.stacks.set(stackName, stack);
    await createStack(await this.context(stack), stack, plan);
    return resultOf(stack);
  }

  private async updateTemplate(
    stack: StackState,
    template: Template,
    assets: ReadonlyMap<string, string>,
    parameters: Readonly<Record<string, string>>,
  ): Promise<DeployResult> {
    if (!UPDATABLE.has(stack.status)) throw new TemplateError(`Stack ${stack.name} is in ${stack.status} state and can not be updated.`);
    const after = this.plan(stack, template, resolveParameters(template, parameters, this.ssmParameters));
    const before = this.plan(stack, stack.template, stack.parameters);
    for (const [logicalId, resource] of stack.resources) {
      const type = template.Resources[logicalId]?.Type;
      if (after.graph.has(logicalId) && type !== resource.type) {
        throw new TemplateError(`Update of resource type is not permitted. The new template modifies resource type of the following resources: [${logicalId}]`);
      }
    }
    if (JSON.stringify([template, after.parameters]) === JSON.stringify([stack.template, stack.parameters])) {
      return { ...resultOf(stack), noChanges: true };
    }
    stack.assets = assets;
    await updateStack(await this.context(stack), stack, before, after);
    return resultOf(stack);
  }

  /**
   * Continues a rollback that failed (UPDATE_ROLLBACK_FAILED): the steps not yet rolled back are retried, and the
   * resources in `resourcesToSkip` (which must have failed to roll back) are marked UPDATE_COMPLETE without
   * being rolled back, as CloudFormation's ContinueUpdateRollback does.
   */
  public async continueUpdateRollback(stackName: string, options: { readonly resourcesToSkip?: readonly string[] } = {}): Promise<DeployResult> {
    const stack = this.stacks.get(stackName);
    if (!stack) throw new TemplateError(`Stack with id ${stackName} does not exist`);
    if (stack.status !== 'UPDATE_ROLLBACK_FAILED') {
      throw new TemplateError(`Stack ${stackName} is in ${stack.status} state and can not continue an update rollback (it must be UPDATE_ROLLBACK_FAILED)`);
    }
    const failed = stack.pendingRollback!.failed;
    const skip = new Set(options.resourcesToSkip ?? []);
    for (const logicalId of skip) {
      if (!failed.has(logicalId)) {
        throw new TemplateError(`\`resourcesToSkip\` may name only resources in UPDATE_FAILED state, got ${logicalId} (failed: ${[...failed].join(', ') || 'none'})`);
      }
    }
    const context = await this.context(stack);
    setStackStatus(context, stack, 'UPDATE_ROLLBACK_IN_PROGRESS', 'User Initiated');
    await rollBack(context, stack, skip);
    return resultOf(stack);
  }

  /** Parameters, conditions and dependency graph of `template` for `stack`: template errors throw here. */
  private plan(stack: StackState, template: Template, parameters: Record<string, unknown>): StackPlan {
    const conditions = evaluateConditions(template.Conditions ?? {}, {
      pseudoParameters: this.pseudoParameters(stack),
      parameters,
      mappings: template.Mappings ?? {},
      ref: () => undefined,
      getAtt: () => undefined,
      importValue: () => undefined,
    });
    const graph = dependencyGraph(template, conditions, new Set(Object.keys(parameters)));
    return { template, graph, parameters, conditions };
  }

  private refuseWhileInProgress(stack: StackState): void {
    if (stack.status.endsWith('_IN_PROGRESS')) throw new TemplateError(`Stack ${stack.name} is in ${stack.status} state and can not be updated.`);
  }

  /** Stacks that import one of `stack`'s exports. */
  private importersOf(stack: StackState): Array<{ exportName: string; stackName: string }> {
    const exported = new Set([...stack.outputs.values()].map((output) => output.exportName).filter((name) => name !== undefined));
    const found: Array<{ exportName: string; stackName: string }> = [];
    for (const [importer, names] of this.imports) {
      if (importer === stack.name) continue;
      for (const name of names) {
        if (exported.has(name)) found.push({ exportName: name, stackName: importer });
      }
    }
    return found;
  }

  private pseudoParameters(stack: StackState): Record<string, unknown> {
    return {
      'AWS::AccountId': this.sim.accountId,
      'AWS::Region': this.sim.region,
      'AWS::Partition': 'aws',
      'AWS::URLSuffix': 'amazonaws.com',
      'AWS::StackName': stack.name,
      'AWS::StackId': stack.id,
      'AWS::NotificationARNs': [],
    };
  }

  /** The context of an operation on `stack`. */
  private async context(stack: StackState): Promise<OperationContext> {
    this.gateway ??= CustomResourceGateway.start();
    const customResources = await this.gateway;
    return {
      env: {
        sim: this.sim,
        secretsManager: this.secretsManager,
        region: this.sim.region,
        accountId: this.sim.accountId,
        partition: 'aws',
        policies: this.policies,
        customResources,
        ...(this.options.databases ? { databases: this.options.databases } : {}),
        ...(this.iam ? { iam: this.iam } : {}),
        functionCodeDirectory: (stackName, logicalId, code, runtime) => this.functionCodeDirectory(stackName, logicalId, code, runtime),
        findResource: (physicalId, type) => this.findResource(physicalId, type),
      },
      events: this.eventLog,
      dynamicReferences: { secretsManager: this.secretsManager, ssmParameters: this.ssmParameters },
      skipUnsimulated: this.options.skipUnsimulated ?? false,
      pseudoParameters: (of) => this.pseudoParameters(of),
      importValue: (name) => {
        const exporter = this.exporterOf(name);
        if (exporter === undefined) throw new ResolutionError(`No export named ${name} found.`);
        if (!this.imports.has(stack.name)) this.imports.set(stack.name, new Set());
        this.imports.get(stack.name)!.add(name);
        return [...this.stacks.get(exporter)!.outputs.values()].find((output) => output.exportName === name)!.value;
      },
      exporterOf: (name) => this.exporterOf(name),
    };
  }

  private exporterOf(exportName: string): string | undefined {
    return [...this.stacks.values()].find((stack) => [...stack.outputs.values()].some((output) => output.exportName === exportName))?.name;
  }

  private functionCodeDirectory(stackName: string, logicalId: string, code: Record<string, any>, runtime: string | undefined): string {
    if (typeof code.ZipFile === 'string') {
      const dir = path.join(this.workDir, `${stackName}-${logicalId}-${randomUUID().slice(0, 8)}`);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, runtime?.startsWith('nodejs') === false ? 'index.py' : 'index.js'), code.ZipFile);
      return dir;
    }
    if (typeof code.S3Key === 'string') {
      const dir = this.stacks.get(stackName)?.assets.get(code.S3Key);
      if (dir === undefined) throw new Error(`Code.S3Key ${code.S3Key} is not an asset of the deployment`);
      if (!fs.statSync(dir).isDirectory()) throw new Error(`Code.S3Key ${code.S3Key} is a file asset (${path.basename(dir)}); only directory assets are simulated`);
      return dir;
    }
    throw new Error('Code must have ZipFile or an S3Key of the deployment\'s assets');
  }

  private findResource(physicalId: string, type?: string): ResourceState | undefined {
    for (const stack of this.stacks.values()) {
      for (const resource of stack.resources.values()) {
        if (resource.physicalId === physicalId && (type === undefined || resource.type === type)) return resource;
      }
    }
    return undefined;
  }
}

function resultOf(stack: StackState): DeployResult {
  return { stackName: stack.name, status: stack.status, ...(stack.statusReason ? { statusReason: stack.statusReason } : {}) };
}

function describeResource(resource: ResourceState): ResourceDescription {
  return {
    logicalId: resource.logicalId,
    ...(resource.physicalId !== undefined ? { physicalId: resource.physicalId } : {}),
    type: resource.type,
    status: resource.status,
    ...(resource.statusReason ? { statusReason: resource.statusReason } : {}),
    attributes: resource.noEcho ? Object.fromEntries(Object.keys(resource.attributes).map((key) => [key, '****'])) : resource.attributes,
    ...(resource.notSimulated ? { notSimulated: resource.notSimulated } : {}),
  };
}
