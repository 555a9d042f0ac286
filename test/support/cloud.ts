import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { App, Stack } from 'aws-cdk-lib';
import { settledStages } from '../../sandbox/settle';
import { SecretsManagerSimulator, SimulatorOptions } from '../../simulator';
import { DeployResult, LocalCloudFormation, StackDescription } from '../../simulator/cloudformation';
import { AssemblyStack, readAssembly } from '../../simulator/cloudformation/assembly';
import type { IamServiceOptions } from '../../simulator/cloudformation/iam-service';
import { createLocalDatabaseHost, DatabaseHost, LocalDatabase } from '../../simulator/databases';

/** The account and Region the simulator answers for: templates synthesized for them resolve to its ARNs. */
export const ENV = { account: '123456789012', region: 'us-east-1' };

/**
 * A local cloud for a test file: the simulator (Secrets Manager, Lambda, Logs), local database servers behind RDS
 * resources, and CloudFormation on them. Apps are synthesized in-process as the CDK CLI would (asset metadata on) and
 * deployed, updated and deleted with CloudFormation's semantics: nothing here takes a step CloudFormation would not.
 * IAM is enforced on the roles and policies the stacks create, unless `simulator.iam` says otherwise.
 */
export class LocalCloud {
  public static async start(options: {
    readonly simulator?: SimulatorOptions;
    readonly databases?: boolean;
    /** An IAM and STS emulator for IAM users and the functions' IAM calls (moto with request authentication on). */
    readonly iam?: IamServiceOptions;
  } = {}): Promise<LocalCloud> {
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'local-cloud-'));
    fs.chmodSync(workDir, 0o755);
    const databases = options.databases === false ? undefined : await createLocalDatabaseHost({ workDir });
    const sim = await SecretsManagerSimulator.start({ iam: 'enforce', lambdaCaBundle: databases?.caBundleFile, ...options.simulator });
    return new LocalCloud(sim, workDir, databases, options.iam);
  }

  public readonly cfn: LocalCloudFormation;
  public readonly client: SecretsManagerClient;
  public readonly logs: CloudWatchLogsClient;
  /** The servers the deployer started for RDS resources, by port. */
  private readonly servers = new Map<number, LocalDatabase>();

  private constructor(
    public readonly sim: SecretsManagerSimulator,
    private readonly workDir: string,
    public readonly databases: DatabaseHost | undefined,
    iam?: IamServiceOptions,
  ) {
    this.cfn = new LocalCloudFormation(sim, { databases: databases && this.recordServers(databases), iam });
    this.client = new SecretsManagerClient(sim.clientConfig());
    this.logs = new CloudWatchLogsClient(sim.clientConfig());
  }

  /** The CA that signs the local database servers' certificates (what Lambda's CA bundle maps to). */
  public get ca(): string {
    return this.databases ? fs.readFileSync(this.databases.caBundleFile, 'utf8') : '';
  }

  /** Synthesizes a one-stack app built by `build` and deploys it (create, or update when the stack exists). */
  public async deploy(stackName: string, build: (stack: Stack) => void): Promise<DeployResult> {
    const { template, assets } = this.synth(stackName, build);
    return this.cfn.deploy({ stackName, template, assets: Object.fromEntries(assets) });
  }

  /** Synthesizes a one-stack app built by `build`, as the CDK CLI would: its template and assets. */
  public synth(stackName: string, build: (stack: Stack) => void): AssemblyStack {
    const outdir = fs.mkdtempSync(path.join(this.workDir, 'assembly-'));
    const app = new App({ outdir, context: { 'aws:cdk:enable-asset-metadata': true } });
    build(new Stack(app, stackName, { env: ENV }));
    app.synth();
    return readAssembly(outdir).find((stack) => stack.stackName === stackName)!;
  }

  public describe(stackName: string): StackDescription {
    const stack = this.cfn.describeStack(stackName);
    if (!stack) throw new Error(`no stack ${stackName}`);
    return stack;
  }

  /** The physical id of a resource whose logical id starts with `prefix` (and has `type`). */
  public physicalId(stackName: string, prefix: string, type = 'AWS::SecretsManager::Secret'): string {
    const found = this.describe(stackName).resources.filter((r) => r.logicalId.startsWith(prefix) && r.type === type);
    if (found.length !== 1 || !found[0].physicalId) throw new Error(`expected one ${type} ${prefix}* in ${stackName}, found ${found.length}`);
    return found[0].physicalId;
  }

  /** The local server behind an RDS instance of a stack (to stop and start it, as `aws rds stop-db-instance` would). */
  public database(stackName: string, prefix: string): LocalDatabase {
    const instance = this.describe(stackName).resources.find((r) => r.logicalId.startsWith(prefix) && r.type === 'AWS::RDS::DBInstance');
    const server = this.servers.get(Number(instance?.attributes?.['Endpoint.Port']));
    if (!server) throw new Error(`no local server for an RDS instance ${prefix}* of ${stackName}`);
    return server;
  }

  /** Whether a log group has an event with `phrase` (CloudWatch Logs' FilterLogEvents, as an operator would search). */
  public async logged(logGroupName: string, phrase: string): Promise<boolean> {
    const { events } = await this.logs.send(new FilterLogEventsCommand({ logGroupName, filterPattern: JSON.stringify(phrase) }));
    return (events ?? []).length > 0;
  }

  public async labels(secretArn: string): Promise<Record<string, string[]>> {
    return (await this.client.send(new DescribeSecretCommand({ SecretId: secretArn }))).VersionIdsToStages ?? {};
  }

  /** The labels once no rotation is under way (see `settledStages`); a minute without that fails the test. */
  public async settledLabels(secretArn: string): Promise<Record<string, string[]>> {
    const { stages, settled } = await settledStages(this.client, secretArn, 60_000);
    if (!settled) throw new Error(`AWSPENDING stayed on a version other than AWSCURRENT for a minute: ${JSON.stringify(stages)}`);
    return stages;
  }

  public async value(secretArn: string, stage = 'AWSCURRENT'): Promise<string> {
    return (await this.client.send(new GetSecretValueCommand({ SecretId: secretArn, VersionStage: stage }))).SecretString!;
  }

  /** Why the stack's last operation failed: the first failed resource's reason. */
  public failureReason(stackName: string): string | undefined {
    return this.cfn.events(stackName).find((event) => event.resourceStatus.endsWith('_FAILED'))?.resourceStatusReason;
  }

  public async stop(): Promise<void> {
    this.client.destroy();
    this.logs.destroy();
    await this.cfn.stop();
    await this.sim.stop();
    await this.databases?.destroyAll();
    fs.rmSync(this.workDir, { recursive: true, force: true });
  }

  private recordServers(host: DatabaseHost): DatabaseHost {
    return {
      caBundleFile: host.caBundleFile,
      unavailableReason: (engine) => host.unavailableReason(engine),
      start: async (options) => {
        const server = await host.start(options);
        this.servers.set(server.port, server);
        return server;
      },
      destroyAll: () => host.destroyAll(),
    };
  }
}
