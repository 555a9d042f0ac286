import {
  CreateSecretCommand, DescribeSecretCommand, GetSecretValueCommand, PutSecretValueCommand, RotateSecretCommand, SecretsManagerClient,
  TagResourceCommand,
} from '@aws-sdk/client-secrets-manager';
import { Duration, SecretValue, Stack, aws_ec2 as ec2, aws_kms as kms, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import type { ScenarioContext, ScenarioDatabase } from './environment';
import type { SecretsManagerSimulator } from '../../simulator';
import type { DeployResult, LocalCloudFormation } from '../../simulator/cloudformation';
import type { LocalEngine } from '../../simulator/databases';
import { SECRETS_MANAGER_SERVICE, serviceInvokeRequest } from '../../simulator/iam';
import { DatabaseTarget, ExistingSecretRotation, RotatingSecret, RotationStrategy } from '../../src';
import { STACK_TAG, VERIFIED_TAG } from '../../src/private/contract';

/** A deployed scenario: the simulator, the deployer and what the stack holds. */
export interface ScenarioRun {
  readonly sim: SecretsManagerSimulator;
  readonly cfn: LocalCloudFormation;
  readonly stackName: string;
  readonly deployed: DeployResult;
  /** The physical id of the stack's resource whose construct path contains `pathPart` (and has `type`). */
  physicalId(type: string, pathPart: string | RegExp): string;
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
  /**
   * How long before the deploy `prepare` happens: the simulator's clock starts that much in the past and is
   * advanced to now after it (so what it made is that old). @default 0
   */
  readonly preparedAgoMs?: number;
  /** What exists in the account before the stack deploys (secrets it imports, say), made as the administrator. */
  prepare?(sim: SecretsManagerSimulator, context: ScenarioContext): Promise<void>;
  /** Adds the constructs to the scenario's stack. */
  build(stack: Stack, context: ScenarioContext): void;
  /** Throws, saying what went wrong, when the run did not end as the scenario expects. */
  verify(run: ScenarioRun): Promise<void>;
}

const FOREIGN_ACCOUNT = '210987654321';
const OTHER_FUNCTION = 'other-team-rotation';
/** Another team's secret of the account, made before the probes run (`prepareOtherSecret`). */
export const OTHER_SECRET_NAME = 'other-team/token';

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
        allowedCall(run, 'GenericRotation/Role', (client) => client.send(new GetSecretValueCommand({ SecretId: otherSecret(run) })))),
      probe('the rotation function using the key outside Secrets Manager', async (run) =>
        run.sim.iam.allows(roleSession(run, 'GenericRotation/Role'), [kmsRequest(run, 'Key', { 'kms:EncryptionContext:SecretARN': secretArn(run) })])),
      probe('Secrets Manager using the key for a secret of another account', async (run) =>
        run.sim.iam.allows(roleSession(run, 'GenericRotation/Role'), [kmsRequest(run, 'Key', {
          'kms:ViaService': `secretsmanager.${run.sim.region}.amazonaws.com`,
          'kms:EncryptionContext:SecretARN': `arn:aws:secretsmanager:${run.sim.region}:${FOREIGN_ACCOUNT}:secret:theirs-AbCdEf`,
        })])),
      probe('Secrets Manager invoking the function for another secret of the account', async (run) =>
        serviceInvokeAllowed(run, otherSecret(run))),
      probe('Secrets Manager invoking the function for a secret of another account', async (run) =>
        serviceInvokeAllowed(run, `arn:aws:secretsmanager:${run.sim.region}:${FOREIGN_ACCOUNT}:secret:theirs-AbCdEf`)),
      ...checkProbes(secretArn),
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
  {
    name: 'stale-pending',
    summary: 'an existing secret imported by name, with an AWSPENDING label an abandoned rotation left two hours ago: '
      + 'the check, told to repair it (repairStalePending), finds it abandoned, removes the label and rotates',
    preparedAgoMs: 2 * 3_600_000,
    probes: checkProbes(() => STALE_SECRET),
    prepare: async (sim) => {
      await asAdministrator(sim, async (admin) => {
        await admin.send(new CreateSecretCommand({ Name: STALE_SECRET, SecretString: 'current-token' }));
        await admin.send(new PutSecretValueCommand({ SecretId: STALE_SECRET, SecretString: 'abandoned-token', VersionStages: ['AWSPENDING'] }));
      });
    },
    build: (stack) => {
      new ExistingSecretRotation(stack, 'Token', {
        secret: secretsmanager.Secret.fromSecretNameV2(stack, 'Imported', STALE_SECRET),
        verification: { repairStalePending: true },
      });
    },
    verify: async (run) => {
      await rotatedByCheck(1)(run);
      const removed = run.sim.iam.decisions({ action: 'secretsmanager:UpdateSecretVersionStage', decision: 'Allowed' })
        .some((decision) => decision.identity?.includes('RotationCheck'));
      if (!removed) throw new Error('the check did not remove the stale AWSPENDING label');
    },
  },
  {
    name: 'rolled-back-rotation',
    summary: 'an existing secret imported by name whose first rotation fails (a JSON strategy for a value that is not JSON): '
      + 'the stack rolls back, and the check, deleted by the rollback, removes the AWSPENDING label its rotation left',
    probes: [],
    prepare: async (sim) => {
      await asAdministrator(sim, (admin) => admin.send(new CreateSecretCommand({ Name: STALE_SECRET, SecretString: 'plain-token' })));
    },
    build: (stack) => {
      new ExistingSecretRotation(stack, 'Token', {
        secret: secretsmanager.Secret.fromSecretNameV2(stack, 'Imported', STALE_SECRET),
        strategy: RotationStrategy.randomPassword({ secretStringTemplate: '{}', generateStringKey: 'password' }),
      });
    },
    verify: async (run) => {
      const failure = run.cfn.events(run.stackName).find((event) => event.resourceStatus === 'CREATE_FAILED' && event.resourceType.startsWith('Custom::'));
      if (run.deployed.status !== 'ROLLBACK_COMPLETE' || !/failed in step createSecret/.test(failure?.resourceStatusReason ?? '')) {
        throw new Error(`the stack did not roll back after the check named createSecret (${run.deployed.status}: ${failure?.resourceStatusReason})`);
      }
      await run.sim.waitForIdle();
      const stages = await asAdministrator(run.sim, async (admin) =>
        (await admin.send(new DescribeSecretCommand({ SecretId: STALE_SECRET }))).VersionIdsToStages ?? {});
      if (Object.values(stages).some((labels) => labels.includes('AWSPENDING'))) {
        throw new Error(`the rollback left AWSPENDING on the secret: ${JSON.stringify(stages)}`);
      }
    },
  },
  importedSecretScenario('postgres', 'alternating-users'),
  importedSecretScenario('postgres', 'single-user'),
  importedSecretScenario('mysql', 'single-user'),
  createdUserScenario(),
];

/**
 * The secret `stale-pending` and `rolled-back-rotation` import by name: the same name, so that the statements that
 * name it are the same parts, shown by whichever scenario uses them.
 */
const STALE_SECRET = 'billing/token';
/** What the database scenarios import by name (the same names in each: every run has a simulator of its own). */
const APP_SECRET = 'orders/app';
const MASTER_SECRET = 'orders/master';
/** The user `createdUserScenario` has the first rotation create. */
const CREATED_USER = 'orders_reporting';

/**
 * A database strategy on the environment's server of `engine`: the user's secret (and, for alternating users, the
 * master's) made before the deploy and imported by name (partial ARNs, which the policies must match by the
 * `-??????` suffix Secrets Manager adds), rotated and verified by the check.
 */
function importedSecretScenario(engine: LocalEngine, kind: 'single-user' | 'alternating-users'): Scenario {
  const name = `${engine}-${kind}`;
  const alternating = kind === 'alternating-users';
  return {
    name,
    summary: `${serverName(engine)} ${kind.replace('-', ' ')}: the user's secret${alternating ? ' and the master\'s' : ''}, imported by name, rotated`,
    database: engine,
    probes: checkProbes(() => APP_SECRET),
    prepare: async (sim, context) => {
      const database = context.database!;
      await database.resetApp();
      const master = alternating ? await createMasterSecret(sim, database) : undefined;
      const fields = { engine: database.engine, host: database.host, port: database.port, dbname: database.databaseName, ssl: false };
      const value = { ...fields, ...database.app, ...(master ? { masterarn: master } : {}) };
      await asAdministrator(sim, (admin) => admin.send(new CreateSecretCommand({ Name: APP_SECRET, SecretString: JSON.stringify(value) })));
    },
    build: (stack, context) => {
      const database = context.database!;
      const options = { ...connectionOptions(database), username: database.app.username };
      const strategies = {
        'postgres-single-user': () => RotationStrategy.postgresSingleUser(options),
        'postgres-alternating-users': () => RotationStrategy.postgresAlternatingUsers({ ...options, masterSecret: importedMaster(stack) }),
        'mysql-single-user': () => RotationStrategy.mysqlSingleUser(options),
      };
      new ExistingSecretRotation(stack, 'Orders', {
        secret: secretsmanager.Secret.fromSecretNameV2(stack, 'App', APP_SECRET),
        strategy: strategies[name as keyof typeof strategies](),
      });
    },
    verify: rotatedByCheck(1),
  };
}

/**
 * The example's application user: a RotatingSecret under a customer managed key (so tagged for the check, which
 * merges the connection fields into it first, through that key) whose user and clone the first rotation creates
 * (`createUser`), alternating users on MariaDB, with a master secret of the stack under a key of its own (the
 * rotation function decrypts it only through Secrets Manager, only for that secret). Each run starts without the user.
 */
function createdUserScenario(): Scenario {
  const reportingUser = (run: ScenarioRun) => run.physicalId('AWS::SecretsManager::Secret', 'ReportingUser');
  const master = (run: ScenarioRun) => run.physicalId('AWS::SecretsManager::Secret', 'Master');
  const viaSecretsManager = (run: ScenarioRun) => ({ 'kms:ViaService': `secretsmanager.${run.sim.region}.amazonaws.com` });
  return {
    name: 'mysql-alternating-users',
    summary: `${serverName('mysql')} alternating users: an encrypted RotatingSecret whose user and clone the first rotation creates (createUser), `
      + 'with an encrypted master secret of the stack',
    database: 'mysql',
    probes: [
      ...checkProbes(reportingUser),
      probe('the check using the secret\'s key outside Secrets Manager', async (run) =>
        run.sim.iam.allows(roleSession(run, 'RotationCheck/Role'), [kmsRequest(run, 'Key', { 'kms:EncryptionContext:SecretARN': reportingUser(run) })])),
      probe('the rotation function using the master\'s key outside Secrets Manager', async (run) =>
        run.sim.iam.allows(roleSession(run, ROTATION_ROLE_PATH), [kmsRequest(run, 'MasterKey', { 'kms:EncryptionContext:SecretARN': master(run) })])),
      probe('Secrets Manager using the master\'s key for another secret of the account', async (run) =>
        run.sim.iam.allows(roleSession(run, ROTATION_ROLE_PATH), [kmsRequest(run, 'MasterKey', {
          ...viaSecretsManager(run), 'kms:EncryptionContext:SecretARN': otherSecret(run),
        })])),
    ],
    prepare: async (_, context) => {
      for (const user of [CREATED_USER, `${CREATED_USER}_clone`]) await context.database!.dropUser(user);
    },
    build: (stack, context) => {
      const database = context.database!;
      // The scenario server's master login, known when the stack is built: a throwaway server of this run.
      const masterSecret = new secretsmanager.Secret(stack, 'Master', {
        encryptionKey: new kms.Key(stack, 'MasterKey'),
        secretObjectValue: {
          username: SecretValue.unsafePlainText(database.master.username),
          password: SecretValue.unsafePlainText(database.master.password),
        },
      });
      new RotatingSecret(stack, 'ReportingUser', {
        encryptionKey: new kms.Key(stack, 'Key'),
        strategy: RotationStrategy.mysqlAlternatingUsers({
          ...connectionOptions(database),
          username: CREATED_USER,
          masterSecret,
          createUser: { grants: [{ privileges: ['SELECT'], on: `${database.databaseName}.*` }] },
        }),
      });
    },
    verify: rotatedByCheck(1),
  };
}

function serverName(engine: LocalEngine): string {
  return engine === 'mysql' ? 'MariaDB' : 'PostgreSQL';
}

function connectionOptions(database: ScenarioDatabase) {
  return { database: DatabaseTarget.fromEndpoint({ host: database.host, port: database.port }), dbname: database.databaseName, ssl: false };
}

function importedMaster(stack: Stack): secretsmanager.ISecret {
  return secretsmanager.Secret.fromSecretNameV2(stack, 'Master', MASTER_SECRET);
}

async function createMasterSecret(sim: SecretsManagerSimulator, database: ScenarioDatabase): Promise<string> {
  const master = new CreateSecretCommand({ Name: MASTER_SECRET, SecretString: JSON.stringify(database.master) });
  const { ARN } = await asAdministrator(sim, (admin) => admin.send(master));
  return ARN!;
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

/**
 * Whether a call made as a session of the stack's role at `rolePath` got through IAM: every authorization of that
 * role for it allowed. Judged by the decisions, not the answer: the call may still fail for another reason (Secrets
 * Manager refusing to invoke a function, say), which is not the caller's permissions.
 */
async function allowedCall(run: ScenarioRun, rolePath: string, call: (client: SecretsManagerClient) => Promise<unknown>): Promise<boolean> {
  const role = roleArn(run, rolePath);
  const client = new SecretsManagerClient({ ...run.sim.clientConfig(), credentials: run.sim.iam.credentialsFor(role, 'probe'), maxAttempts: 1 });
  const before = run.sim.iam.decisions().length;
  try {
    await call(client);
  } catch (error) {
    if ((error as { $metadata?: unknown }).$metadata === undefined) throw error;
  } finally {
    client.destroy();
  }
  const decisions = run.sim.iam.decisions().slice(before).filter((decision) => decision.identity === role);
  if (decisions.length === 0) throw new Error(`no authorization of ${rolePath} was made for the probe's call`);
  return decisions.every((decision) => decision.decision === 'Allowed');
}

/**
 * Wrong calls of the stack's check: on another secret of the account (describing it, pointing its rotation at the
 * stack's function, tagging it as verified), and on a secret it rotates (`secretOf`): configuring its rotation with a
 * function that is not one of the stack's rotation functions (the check itself, which it may invoke), and tagging
 * it with another tag than the verified one (the stack's tag, which scopes its permissions).
 */
function checkProbes(secretOf: (run: ScenarioRun) => string): Probe[] {
  return [
    probe('the check describing a secret it was not given', (run) =>
      allowedCall(run, 'RotationCheck/Role', (client) => client.send(new DescribeSecretCommand({ SecretId: otherSecret(run) })))),
    probe('the check pointing another secret\'s rotation at the stack\'s function', (run) =>
      allowedCall(run, 'RotationCheck/Role', (client) => client.send(new RotateSecretCommand({
        SecretId: otherSecret(run), RotationLambdaARN: functionArn(run), RotateImmediately: false,
      })))),
    probe('the check tagging a secret it was not given as verified', (run) =>
      allowedCall(run, 'RotationCheck/Role', (client) => client.send(new TagResourceCommand({
        SecretId: otherSecret(run), Tags: [{ Key: VERIFIED_TAG, Value: 'forged' }],
      })))),
    probe('the check configuring its secret\'s rotation with a function that is not the stack\'s (the check itself)', (run) =>
      allowedCall(run, 'RotationCheck/Role', (client) => client.send(new RotateSecretCommand({
        SecretId: secretOf(run), RotationLambdaARN: checkFunctionArn(run), RotateImmediately: false,
      })))),
    probe('the check tagging its secret with another tag than the verified one', (run) =>
      allowedCall(run, 'RotationCheck/Role', (client) => client.send(new TagResourceCommand({
        SecretId: secretOf(run), Tags: [{ Key: STACK_TAG, Value: 'another-stack' }],
      })))),
  ];
}

function roleArn(run: ScenarioRun, rolePath: string | RegExp): string {
  return `arn:aws:iam::${run.sim.accountId}:role/${run.physicalId('AWS::IAM::Role', rolePath)}`;
}

function roleSession(run: ScenarioRun, rolePath: string | RegExp) {
  return run.sim.iam.principals.roleSession(roleArn(run, rolePath), 'probe');
}

function checkFunctionArn(run: ScenarioRun): string {
  return `arn:aws:lambda:${run.sim.region}:${run.sim.accountId}:function:${run.physicalId('AWS::Lambda::Function', 'RotationCheck/Resource')}`;
}

/** The role of the stack's rotation function (`GenericRotation`, `MysqlAlternatingUsersRotation`, ...), the first if several. */
const ROTATION_ROLE_PATH = /\/[A-Za-z]+Rotation\d*\/Role\/Resource$/;
/** The stack's rotation function, the first if several. */
const ROTATION_FUNCTION_PATH = /\/[A-Za-z]+Rotation\d*\/Resource\/Resource$/;

function functionArn(run: ScenarioRun): string {
  return `arn:aws:lambda:${run.sim.region}:${run.sim.accountId}:function:${run.physicalId('AWS::Lambda::Function', ROTATION_FUNCTION_PATH)}`;
}

function secretArn(run: ScenarioRun): string {
  return run.physicalId('AWS::SecretsManager::Secret', 'ApiKey');
}

function serviceInvokeAllowed(run: ScenarioRun, sourceSecretArn: string): boolean {
  return run.sim.iam.allows(run.sim.iam.principals.service(SECRETS_MANAGER_SERVICE), [serviceInvokeRequest(sourceSecretArn, functionArn(run))]);
}

/** kms:Decrypt of the stack's key at `keyPath` (its construct id), with the given request context. */
function kmsRequest(run: ScenarioRun, keyPath: string, context: Record<string, string>) {
  const keyArn = `arn:aws:kms:${run.sim.region}:${run.sim.accountId}:key/${run.physicalId('AWS::KMS::Key', `${keyPath}/Resource`)}`;
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
    const { ARN } = await admin.send(new CreateSecretCommand({ Name: OTHER_SECRET_NAME, SecretString: 'other-team-value' }));
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
