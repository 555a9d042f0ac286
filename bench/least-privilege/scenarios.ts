import { CreateSecretCommand, DescribeSecretCommand, GetSecretValueCommand, RotateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Duration, Stack, aws_ec2 as ec2, aws_kms as kms, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import type { ScenarioContext } from './environment';
import type { SecretsManagerSimulator } from '../../simulator';
import type { DeployResult, LocalCloudFormation } from '../../simulator/cloudformation';
import type { LocalEngine } from '../../simulator/databases';
import { SECRETS_MANAGER_SERVICE, serviceInvokeRequest } from '../../simulator/iam';
import { DatabaseTarget, ExistingSecretRotation, RotatingSecret, RotationStrategy } from '../../src';

/** A deployed scenario: the simulator, the deployer and what the stack holds. */
export interface ScenarioRun {
  readonly sim: SecretsManagerSimulator;
  readonly cfn: LocalCloudFormation;
  readonly stackName: string;
  readonly deployed: DeployResult;
  /** The physical id of the stack's resource whose construct path contains `pathPart` (and has `type`). */
  physicalId(type: string, pathPart: string): string;
}

/** A caller the construct's conditions must keep out: `allowed` is false while the policies hold. */
export interface Probe {
  readonly wrongCaller: string;
  allowed(run: ScenarioRun): Promise<boolean>;
}

/** What a user does with the constructs, run through the deployer with IAM enforced. */
export interface Scenario {
  readonly name: string;
  readonly summary: string;
  /** A database server the scenario needs (started once for every run). */
  readonly database?: LocalEngine;
  /** Callers the constructs' conditions must keep out. */
  readonly probes: readonly Probe[];
  /** What exists in the account before the stack deploys (secrets it imports, say), made as the administrator. */
  prepare?(sim: SecretsManagerSimulator, context: ScenarioContext): Promise<void>;
  /** Adds the constructs to the scenario's stack. */
  build(stack: Stack, context: ScenarioContext): void;
  /** Throws, saying what went wrong, when the run did not end as the scenario expects. */
  verify(run: ScenarioRun): Promise<void>;
}

const FOREIGN_ACCOUNT = '210987654321';
const OTHER_FUNCTION = 'other-team-rotation';

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'one-secret',
    summary: 'one RotatingSecret under a customer managed key, checked at deploy time',
    build: (stack) => {
      new RotatingSecret(stack, 'ApiKey', { encryptionKey: new kms.Key(stack, 'Key') });
    },
    verify: rotatedByCheck(1),
    probes: [
      probe('the rotation function reading a secret rotated by another function', async (run) =>
        allowedCall(clientAs(run, 'GenericRotation/Role'), (client) => client.send(new GetSecretValueCommand({ SecretId: otherSecret(run) })))),
      probe('the rotation function using the key outside Secrets Manager', async (run) =>
        run.sim.iam.allows(roleSession(run, 'GenericRotation/Role'), [kmsRequest(run, { 'kms:EncryptionContext:SecretARN': secretArn(run) })])),
      probe('Secrets Manager using the key for a secret of another account', async (run) =>
        run.sim.iam.allows(roleSession(run, 'GenericRotation/Role'), [kmsRequest(run, {
          'kms:ViaService': `secretsmanager.${run.sim.region}.amazonaws.com`,
          'kms:EncryptionContext:SecretARN': `arn:aws:secretsmanager:${run.sim.region}:${FOREIGN_ACCOUNT}:secret:theirs-AbCdEf`,
        })])),
      probe('Secrets Manager invoking the function for another secret of the account', async (run) =>
        serviceInvokeAllowed(run, otherSecret(run))),
      probe('Secrets Manager invoking the function for a secret of another account', async (run) =>
        serviceInvokeAllowed(run, `arn:aws:secretsmanager:${run.sim.region}:${FOREIGN_ACCOUNT}:secret:theirs-AbCdEf`)),
      probe('the check describing a secret it was not given', async (run) =>
        allowedCall(clientAs(run, 'RotationCheck/Role'), (client) => client.send(new DescribeSecretCommand({ SecretId: otherSecret(run) })))),
      probe('the check pointing another secret\'s rotation at the stack\'s function', async (run) =>
        allowedCall(clientAs(run, 'RotationCheck/Role'), (client) => client.send(new RotateSecretCommand({
          SecretId: otherSecret(run), RotationLambdaARN: functionArn(run), RotateImmediately: false,
        })))),
    ],
  },
  {
    name: 'shared-function',
    summary: 'two RotatingSecrets sharing one rotation function (its invoke permission cannot name one secret)',
    build: (stack) => {
      new RotatingSecret(stack, 'First');
      new RotatingSecret(stack, 'Second');
    },
    verify: rotatedByCheck(2),
    probes: [
      probe('Secrets Manager invoking the function for a secret of another account', async (run) =>
        serviceInvokeAllowed(run, `arn:aws:secretsmanager:${run.sim.region}:${FOREIGN_ACCOUNT}:secret:theirs-AbCdEf`)),
    ],
  },
  {
    name: 'failing-rotation',
    summary: 'a database secret, rotated by a function in a VPC, whose database does not answer: the check fails the deployment, naming the step from the function\'s logs',
    build: (stack, context) => {
      new RotatingSecret(stack, 'OrdersUser', {
        strategy: RotationStrategy.postgresSingleUser({
          database: DatabaseTarget.fromEndpoint({ host: '127.0.0.1', port: context.closedPort }),
          vpc: new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 1 }),
          username: 'orders',
          ssl: false,
          connectTimeout: Duration.seconds(1),
        }),
        verification: { pollInterval: Duration.seconds(5) },
      });
    },
    verify: async (run) => {
      const failure = run.cfn.events(run.stackName).find((event) => event.resourceStatus === 'CREATE_FAILED' && event.resourceType.startsWith('Custom::'));
      if (!failure) throw new Error(`the check did not fail (stack ${run.deployed.status})`);
      if (!/failed in step setSecret/.test(failure.resourceStatusReason ?? '')) {
        throw new Error(`the check failed without naming setSecret from the logs: ${failure.resourceStatusReason}`);
      }
    },
    probes: [],
  },
  databaseScenario('postgres', 'alternating-users'),
  databaseScenario('postgres', 'single-user'),
  databaseScenario('mysql', 'alternating-users'),
  databaseScenario('mysql', 'single-user'),
];

/**
 * A database strategy on the environment's server of `engine`: the user's secret (and, for alternating users, the
 * master's) made before the deploy and imported by name (partial ARNs, which the policies must match by the
 * `-??????` suffix Secrets Manager adds), rotated and verified by the check.
 */
function databaseScenario(engine: LocalEngine, kind: 'single-user' | 'alternating-users'): Scenario {
  const name = `${engine}-${kind}`;
  const alternating = kind === 'alternating-users';
  return {
    name,
    summary: `${engine === 'mysql' ? 'MariaDB' : 'PostgreSQL'} ${kind.replace('-', ' ')}: the user's secret${alternating ? ' and the master\'s' : ''}, `
      + 'imported by name, rotated on a local server and verified by the check',
    database: engine,
    probes: [],
    prepare: async (sim, context) => {
      const database = context.database!;
      await database.resetApp();
      await asAdministrator(sim, async (admin) => {
        const master = alternating
          ? (await admin.send(new CreateSecretCommand({ Name: `${name}/master`, SecretString: JSON.stringify(database.master) }))).ARN
          : undefined;
        const fields = { engine: database.engine, host: database.host, port: database.port, dbname: database.databaseName, ssl: false };
        const value = { ...fields, ...database.app, ...(master ? { masterarn: master } : {}) };
        await admin.send(new CreateSecretCommand({ Name: `${name}/app`, SecretString: JSON.stringify(value) }));
      });
    },
    build: (stack, context) => {
      const database = context.database!;
      const options = {
        database: DatabaseTarget.fromEndpoint({ host: database.host, port: database.port }),
        username: database.app.username,
        dbname: database.databaseName,
        ssl: false,
      };
      const withMaster = () => ({ ...options, masterSecret: secretsmanager.Secret.fromSecretNameV2(stack, 'Master', `${name}/master`) });
      const strategies = {
        'postgres-single-user': () => RotationStrategy.postgresSingleUser(options),
        'postgres-alternating-users': () => RotationStrategy.postgresAlternatingUsers(withMaster()),
        'mysql-single-user': () => RotationStrategy.mysqlSingleUser(options),
        'mysql-alternating-users': () => RotationStrategy.mysqlAlternatingUsers(withMaster()),
      };
      new ExistingSecretRotation(stack, 'Orders', {
        secret: secretsmanager.Secret.fromSecretNameV2(stack, 'App', `${name}/app`),
        strategy: strategies[name as keyof typeof strategies](),
      });
    },
    verify: rotatedByCheck(1),
  };
}

/** The stack deployed, and the check's rotation of each of its `count` secrets succeeded. */
function rotatedByCheck(count: number) {
  return async (run: ScenarioRun) => {
    if (run.deployed.status !== 'CREATE_COMPLETE') {
      const failed = run.cfn.events(run.stackName).find((event) => event.resourceStatus.endsWith('_FAILED'));
      throw new Error(`${run.deployed.status}: ${failed?.logicalResourceId} ${failed?.resourceStatusReason ?? ''}`);
    }
    await run.sim.waitForIdle();
    const rotated = new Set(run.sim.events.filter((e) => e.type === 'RotationSucceeded' && e.trigger === 'RotateSecret').map((e) => e.secretArn));
    if (rotated.size !== count) throw new Error(`${rotated.size} of ${count} secrets were rotated by the check`);
  };
}

function probe(wrongCaller: string, allowed: (run: ScenarioRun) => Promise<boolean>): Probe {
  return { wrongCaller, allowed };
}

/** Whether a call as a wrong caller got through IAM: any answer but AccessDeniedException. */
async function allowedCall(client: SecretsManagerClient, call: (client: SecretsManagerClient) => Promise<unknown>): Promise<boolean> {
  try {
    await call(client);
    return true;
  } catch (error) {
    if ((error as Error).name === 'AccessDeniedException') return false;
    // Another answer (a missing secret, a rotation in progress) means IAM let the call through.
    if ((error as { $metadata?: unknown }).$metadata !== undefined) return true;
    throw error;
  } finally {
    client.destroy();
  }
}

/** An SDK client acting as a session of the stack's role whose construct path contains `rolePath`. */
function clientAs(run: ScenarioRun, rolePath: string): SecretsManagerClient {
  const role = roleArn(run, rolePath);
  return new SecretsManagerClient({ ...run.sim.clientConfig(), credentials: run.sim.iam.credentialsFor(role, 'probe'), maxAttempts: 1 });
}

function roleArn(run: ScenarioRun, rolePath: string): string {
  return `arn:aws:iam::${run.sim.accountId}:role/${run.physicalId('AWS::IAM::Role', rolePath)}`;
}

function roleSession(run: ScenarioRun, rolePath: string) {
  return run.sim.iam.principals.roleSession(roleArn(run, rolePath), 'probe');
}

function functionArn(run: ScenarioRun): string {
  return `arn:aws:lambda:${run.sim.region}:${run.sim.accountId}:function:${run.physicalId('AWS::Lambda::Function', 'GenericRotation/Resource')}`;
}

function secretArn(run: ScenarioRun): string {
  return run.physicalId('AWS::SecretsManager::Secret', 'ApiKey');
}

function serviceInvokeAllowed(run: ScenarioRun, sourceSecretArn: string): boolean {
  return run.sim.iam.allows(run.sim.iam.principals.service(SECRETS_MANAGER_SERVICE), [serviceInvokeRequest(sourceSecretArn, functionArn(run))]);
}

/** kms:Decrypt of the scenario's key by the rotation role, with the given request context. */
function kmsRequest(run: ScenarioRun, context: Record<string, string>) {
  const keyArn = `arn:aws:kms:${run.sim.region}:${run.sim.accountId}:key/${run.physicalId('AWS::KMS::Key', 'Key')}`;
  return { action: 'kms:Decrypt', resource: keyArn, context: { 'kms:CallerAccount': run.sim.accountId, ...context }, resourcePolicyOf: keyArn };
}

const otherSecrets = new WeakMap<ScenarioRun, string>();

/**
 * Another secret of the account, rotated by another team's function (whose resource policy lets Secrets Manager
 * invoke it). Created by the administrator on first use; its ARN is known at once (CreateSecret answers it).
 */
function otherSecret(run: ScenarioRun): string {
  const known = otherSecrets.get(run);
  if (!known) throw new Error('call prepareOtherSecret(run) before the probes');
  return known;
}

export async function prepareOtherSecret(run: ScenarioRun): Promise<void> {
  const functionArnOfOther = `arn:aws:lambda:${run.sim.region}:${run.sim.accountId}:function:${OTHER_FUNCTION}`;
  run.sim.registerFunction(functionArnOfOther, { handler: () => undefined });
  run.sim.iam.putResourcePolicy(functionArnOfOther, {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: SECRETS_MANAGER_SERVICE }, Action: 'lambda:InvokeFunction', Resource: functionArnOfOther }],
  });
  const arn = await asAdministrator(run.sim, async (admin) => {
    const { ARN } = await admin.send(new CreateSecretCommand({ Name: 'other-team/token', SecretString: 'other-team-value' }));
    await admin.send(new RotateSecretCommand({ SecretId: ARN, RotationLambdaARN: functionArnOfOther, RotateImmediately: false }));
    return ARN!;
  });
  await run.sim.waitForIdle();
  otherSecrets.set(run, arn);
}

/** Calls Secrets Manager as the simulator's administrator (the default credentials). */
async function asAdministrator<T>(sim: SecretsManagerSimulator, calls: (admin: SecretsManagerClient) => Promise<T>): Promise<T> {
  const admin = new SecretsManagerClient({ ...sim.clientConfig(), maxAttempts: 1 });
  try {
    return await calls(admin);
  } finally {
    admin.destroy();
  }
}
