import { randomUUID } from 'node:crypto';
import { DescribeSecretCommand, CancelRotateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { InvokeResult, SecretsManagerSimulator } from '../../simulator';
import { AppUser, DatabaseServer, mariaDbServer, postgresServer, randomPassword } from './support/databases';
import { reportFigures } from './support/figures';
import { LeakAudit } from './support/leaks';
import { stagesOf } from './support/secrets';
import {
  createSecret, DATABASE_ASSET, functionArn, GENERIC_ASSET, logGroupOf, parkedRotation, startSimulator, VERIFY_ASSET,
} from './support/simulator';
import { CHECK_PROPERTY_NAMES, CHECK_RESOURCE_TYPE, encodeCheckProperties } from '../../src/private/contract';
import { ResponseServer, startResponseServer } from '../lambda/verify/response-server';
import { rotationEnvironment } from '../support/strategies';

/**
 * Bad input to the shipped functions (the bundled assets, through the simulator): malformed rotation events,
 * events for secrets or versions that are not rotating, malformed secret values, and malformed custom-resource
 * requests for the deploy-time check. Each must be rejected with a message that names the field or check at fault
 * (the check answers FAILED through the ResponseURL), and
 * write nothing: no PutSecretValue, UpdateSecretVersionStage or RotateSecret, the labels unchanged, and the
 * database user's password unchanged.
 */

// Trials are bounded, but a loaded CI machine may need more than the default 60 s for one test.
jest.setTimeout(180_000);

const GENERIC = functionArn('generic');
const GENERIC_JSON = functionArn('generic-json');
const POSTGRES_SINGLE = functionArn('postgres-single-user');
const POSTGRES_ALTERNATING = functionArn('postgres-alternating-users');
const MYSQL_SINGLE = functionArn('mysql-single-user');
const MYSQL_ALTERNATING = functionArn('mysql-alternating-users');
const CHECK = functionArn('rotation-check');
const FUNCTIONS = [GENERIC, GENERIC_JSON, POSTGRES_SINGLE, POSTGRES_ALTERNATING, MYSQL_SINGLE, MYSQL_ALTERNATING, CHECK];
const WRITES = ['PutSecretValue', 'UpdateSecretVersionStage', 'RotateSecret'];

let sim: SecretsManagerSimulator;
let client: SecretsManagerClient;
let postgres: DatabaseServer;
let mysql: DatabaseServer;
let postgresMaster: string;
let responses: ResponseServer;
const secrets: string[] = [];
const audit = new LeakAudit();
const tally = { tried: 0, rejected: 0, rejectedNamingTheField: 0, wroteNothing: 0 };

beforeAll(async () => {
  ({ sim, client } = await startSimulator({ maxRotationAttempts: 1 }));
  responses = await startResponseServer();
  postgres = await postgresServer();
  mysql = await mariaDbServer();
  postgresMaster = await secret(postgres.masterSecretValue());
  sim.registerFunction(GENERIC, { assetDir: GENERIC_ASSET, environment: rotationEnvironment('generic'), timeoutSeconds: 30 });
  sim.registerFunction(GENERIC_JSON, { assetDir: GENERIC_ASSET, environment: rotationEnvironment('generic', { generateStringKey: 'password' }), timeoutSeconds: 30 });
  for (const [arn, strategy] of [
    [POSTGRES_SINGLE, 'postgres-single-user'], [POSTGRES_ALTERNATING, 'postgres-alternating-users'],
    [MYSQL_SINGLE, 'mysql-single-user'], [MYSQL_ALTERNATING, 'mysql-alternating-users'],
  ] as const) {
    sim.registerFunction(arn, { assetDir: DATABASE_ASSET, environment: rotationEnvironment(strategy), timeoutSeconds: 30 });
  }
  sim.registerFunction(CHECK, { assetDir: VERIFY_ASSET, timeoutSeconds: 60 });
}, 60_000);

afterAll(async () => {
  client?.destroy();
  await sim?.stop();
  await responses?.close();
  await postgres?.destroy();
  await mysql?.destroy();
});

async function secret(value: string): Promise<string> {
  const arn = await createSecret(client, 'bad-input', value);
  secrets.push(arn);
  return arn;
}

/** A secret in rotation: its AWSPENDING placeholder `token` waits for createSecret. */
async function rotating(value: string) {
  const arn = await secret(value);
  return { arn, token: await parkedRotation(sim, client, arn) };
}

/** A secret in rotation whose AWSPENDING version already holds `pending`, as createSecret would leave it. */
async function withPending(current: string, pending: string) {
  const { arn, token } = await rotating(current);
  await client.send(new PutSecretValueCommand({ SecretId: arn, ClientRequestToken: token, SecretString: pending, VersionStages: ['AWSPENDING'] }));
  return { arn, token };
}

function step(Step: unknown, arn: string, token: string) {
  return { Step, SecretId: arn, ClientRequestToken: token, RotationToken: randomUUID() };
}

/** A database user's secret with some fields replaced (or removed, with undefined). */
function edited(user: AppUser, changes: Record<string, unknown>): string {
  return JSON.stringify({ ...JSON.parse(user.secretValue), ...changes });
}

/** A fake database secret (no server behind it): checks that fail before any login. */
function fakeDatabaseSecret(changes: Record<string, unknown> = {}): string {
  return JSON.stringify({ engine: 'postgres', host: '127.0.0.1', port: 1, username: 'app', password: randomPassword(), ssl: false, ...changes });
}

interface Prepared {
  readonly functionArn: string;
  readonly event: unknown;
  /** The secret whose labels must stay as they are. */
  readonly secretArn?: string;
  /** Checks the database was not changed either. */
  readonly unchanged?: () => Promise<void>;
}

interface BadInput {
  readonly name: string;
  /** What the error must say: the field, or the check, at fault. */
  readonly names: RegExp;
  prepare(): Promise<Prepared>;
}

/** The user can still log in with its password, and its password alone: setSecret changed nothing. */
function sameLogin(server: () => DatabaseServer, user: AppUser) {
  return async () => expect(await server().access(user.username, user.password)).toBe('works');
}

const ROTATION_EVENTS: BadInput[] = [
  {
    name: 'an unknown Step',
    names: /unknown step; expected one of createSecret, setSecret, testSecret, finishSecret/,
    prepare: async () => {
      const { arn, token } = await rotating('value-of-an-api-key-0001');
      return { functionArn: GENERIC, event: step('rotateSecret', arn, token), secretArn: arn };
    },
  },
  {
    name: 'an unknown Step with a token that is already AWSCURRENT',
    names: /unknown step; expected one of createSecret, setSecret, testSecret, finishSecret/,
    prepare: async () => {
      const { arn } = await rotating('value-of-an-api-key-0009');
      const { VersionIdsToStages: stages } = await client.send(new DescribeSecretCommand({ SecretId: arn }));
      const current = Object.entries(stages ?? {}).find(([, labels]) => labels.includes('AWSCURRENT'))![0];
      return { functionArn: GENERIC, event: step('deleteEverything', arn, current), secretArn: arn };
    },
  },
  {
    name: 'no Step',
    names: /`Step` must be a string, got undefined/,
    prepare: async () => {
      const { arn, token } = await rotating('value-of-an-api-key-0002');
      return { functionArn: GENERIC, event: step(undefined, arn, token), secretArn: arn };
    },
  },
  {
    name: 'a Step that is a number',
    names: /`Step` must be a string, got number/,
    prepare: async () => {
      const { arn, token } = await rotating('value-of-an-api-key-0003');
      return { functionArn: GENERIC, event: step(2, arn, token), secretArn: arn };
    },
  },
  {
    name: 'no ClientRequestToken',
    names: /`ClientRequestToken` must be 32 to 64 characters of \[a-zA-Z0-9-\], got undefined/,
    prepare: async () => {
      const { arn } = await rotating('value-of-an-api-key-0004');
      return { functionArn: GENERIC, event: { Step: 'createSecret', SecretId: arn }, secretArn: arn };
    },
  },
  {
    name: 'a ClientRequestToken too short',
    names: /`ClientRequestToken` must be 32 to 64 characters .*got a string of 8 characters/,
    prepare: async () => {
      const { arn } = await rotating('value-of-an-api-key-0005');
      return { functionArn: GENERIC, event: step('createSecret', arn, '12345678'), secretArn: arn };
    },
  },
  {
    name: 'a ClientRequestToken with path characters',
    names: /`ClientRequestToken` must be 32 to 64 characters of \[a-zA-Z0-9-\]/,
    prepare: async () => {
      const { arn } = await rotating('value-of-an-api-key-0006');
      return { functionArn: GENERIC, event: step('createSecret', arn, '../../../../etc/passwd-000000000000000'), secretArn: arn };
    },
  },
  {
    name: 'no SecretId',
    names: /`SecretId` must be a non-empty string, got undefined/,
    prepare: async () => {
      const { arn, token } = await rotating('value-of-an-api-key-0007');
      return { functionArn: GENERIC, event: { Step: 'createSecret', ClientRequestToken: token }, secretArn: arn };
    },
  },
  {
    name: 'an empty RotationToken',
    names: /`RotationToken` must be a non-empty string when present/,
    prepare: async () => {
      const { arn, token } = await rotating('value-of-an-api-key-0008');
      return { functionArn: GENERIC, event: { ...step('createSecret', arn, token), RotationToken: '' }, secretArn: arn };
    },
  },
  {
    name: 'an event that is not an object',
    names: /invalid rotation event: expected an object, got string/,
    prepare: async () => {
      return { functionArn: GENERIC, event: 'createSecret' };
    },
  },
  {
    name: 'a secret that does not exist',
    names: /createSecret failed for secret \S+ \(token [\w-]+\): ResourceNotFoundException/,
    prepare: async () => {
      const missing = `arn:aws:secretsmanager:us-east-1:123456789012:secret:missing-${randomUUID()}-AbCdEf`;
      return { functionArn: GENERIC, event: step('createSecret', missing, randomUUID()) };
    },
  },
  {
    name: 'a secret whose rotation was never enabled',
    names: /rotation is not enabled for this secret/,
    prepare: async () => {
      const arn = await secret('value-of-an-api-key-0009');
      const [current] = Object.keys(await stagesOf(client, arn));
      return { functionArn: GENERIC, event: step('createSecret', arn, current), secretArn: arn };
    },
  },
  {
    name: 'a secret whose rotation was cancelled',
    names: /rotation is not enabled for this secret/,
    prepare: async () => {
      const { arn, token } = await rotating('value-of-an-api-key-0010');
      await client.send(new CancelRotateSecretCommand({ SecretId: arn }));
      return { functionArn: GENERIC, event: step('createSecret', arn, token), secretArn: arn };
    },
  },
  {
    name: 'a token that is no version of the secret',
    names: /the token is not a version of this secret/,
    prepare: async () => {
      const { arn } = await rotating('value-of-an-api-key-0011');
      return { functionArn: GENERIC, event: step('setSecret', arn, randomUUID()), secretArn: arn };
    },
  },
  {
    name: 'a token whose version is AWSPREVIOUS, not AWSPENDING',
    names: /the token's version is not AWSPENDING \(its stages: \[AWSPREVIOUS\]\)/,
    prepare: async () => {
      const arn = await secret('value-of-an-api-key-0012');
      const [first] = Object.keys(await stagesOf(client, arn));
      await client.send(new PutSecretValueCommand({ SecretId: arn, SecretString: 'value-of-an-api-key-0013' }));
      await parkedRotation(sim, client, arn);
      return { functionArn: GENERIC, event: step('finishSecret', arn, first), secretArn: arn };
    },
  },
];

const SECRET_VALUES: BadInput[] = [
  ...[
    ['not JSON', `password=${randomPassword()}`, /the AWSCURRENT secret is not valid JSON/],
    ['a JSON array', JSON.stringify([randomPassword()]), /the AWSCURRENT secret is not a JSON object/],
    ['no `host`', fakeDatabaseSecret({ host: undefined }), /the AWSCURRENT secret: `host` is missing/],
    ['no `username`', fakeDatabaseSecret({ username: undefined }), /the AWSCURRENT secret: `username` is missing/],
    ['no `password`', fakeDatabaseSecret({ password: undefined }), /the AWSCURRENT secret: `password` is missing/],
    ['no `engine`', fakeDatabaseSecret({ engine: undefined }), /the AWSCURRENT secret: `engine` is missing/],
    ['a `username` that is a number', fakeDatabaseSecret({ username: 42 }), /`username` must be a non-empty string, got a number/],
    ['an empty `password`', fakeDatabaseSecret({ password: '' }), /`password` must be a non-empty string, got an empty string/],
    ['a `port` that is not a number', fakeDatabaseSecret({ port: 'five-four-three-two' }), /`port` must be a whole number from 1 to 65535/],
    ['a `port` out of range', fakeDatabaseSecret({ port: 70000 }), /`port` must be a whole number from 1 to 65535/],
    ['an `ssl` that is neither true nor false', fakeDatabaseSecret({ ssl: 'yes' }), /`ssl` must be true, false, "true" or "false"/],
    ['an unknown `engine`', fakeDatabaseSecret({ engine: 'oracle' }), /`engine` must be one of postgres, aurora-postgresql for a PostgreSQL rotation strategy/],
    ['a MySQL secret given to the PostgreSQL strategy', fakeDatabaseSecret({ engine: 'mysql' }), /`engine` must be one of postgres, aurora-postgresql/],
  ].map(([what, value, names]): BadInput => ({
    name: `postgres-single-user createSecret: AWSCURRENT with ${what}`,
    names: names as RegExp,
    prepare: async () => {
      const { arn, token } = await rotating(value as string);
      return { functionArn: POSTGRES_SINGLE, event: step('createSecret', arn, token), secretArn: arn };
    },
  })),
  {
    name: 'postgres-alternating-users createSecret: AWSCURRENT without `masterarn`',
    names: /`masterarn` is missing/,
    prepare: async () => {
      const { arn, token } = await rotating(fakeDatabaseSecret());
      return { functionArn: POSTGRES_ALTERNATING, event: step('createSecret', arn, token), secretArn: arn };
    },
  },
  {
    name: 'mysql-alternating-users createSecret: a `username` whose clone is too long for MySQL',
    names: /`username` is too long to alternate: .*MySQL \(engine mysql\) allows at most 32/,
    prepare: async () => {
      const { arn, token } = await rotating(fakeDatabaseSecret({ engine: 'mysql', username: 'u'.repeat(27), masterarn: postgresMaster }));
      return { functionArn: MYSQL_ALTERNATING, event: step('createSecret', arn, token), secretArn: arn };
    },
  },
  {
    name: 'generic (GENERATE_STRING_KEY) createSecret: AWSCURRENT not JSON',
    names: /the current value is not a JSON object, so its `password` field cannot be replaced/,
    prepare: async () => {
      const { arn, token } = await rotating(`not json ${randomPassword()}`);
      return { functionArn: GENERIC_JSON, event: step('createSecret', arn, token), secretArn: arn };
    },
  },
  {
    name: 'generic (GENERATE_STRING_KEY) testSecret: AWSPENDING without the key',
    names: /the pending value's `password` field is not a non-empty string/,
    prepare: async () => {
      const { arn, token } = await withPending(JSON.stringify({ password: randomPassword() }), JSON.stringify({ secret: randomPassword() }));
      return { functionArn: GENERIC_JSON, event: step('testSecret', arn, token), secretArn: arn };
    },
  },
  {
    name: 'generic (GENERATE_STRING_KEY) testSecret: AWSPENDING not JSON',
    names: /the pending value is not a JSON object/,
    prepare: async () => {
      const { arn, token } = await withPending(JSON.stringify({ password: randomPassword() }), randomPassword());
      return { functionArn: GENERIC_JSON, event: step('testSecret', arn, token), secretArn: arn };
    },
  },
  ...[
    ['`host`', { host: 'db.example.com' }, /the AWSPENDING secret's `host` differs from the AWSCURRENT secret's/],
    ['`port`', { port: 5433 }, /the AWSPENDING secret's `port` differs from the AWSCURRENT secret's/],
    ['`username`', { username: 'postgres' }, /the AWSPENDING secret's `username` differs from the AWSCURRENT secret's/],
  ].map(([field, change, names]): BadInput => ({
    name: `postgres-single-user setSecret: AWSPENDING with another ${field} than AWSCURRENT`,
    names: names as RegExp,
    prepare: async () => {
      const user = await postgres.createUser();
      const { arn, token } = await withPending(user.secretValue, edited(user, { ...change as object, password: randomPassword() }));
      return { functionArn: POSTGRES_SINGLE, event: step('setSecret', arn, token), secretArn: arn, unchanged: sameLogin(() => postgres, user) };
    },
  })),
  {
    name: 'postgres-single-user setSecret: AWSPENDING not JSON',
    names: /the AWSPENDING secret is not valid JSON/,
    prepare: async () => {
      const user = await postgres.createUser();
      const { arn, token } = await withPending(user.secretValue, `{"password": "${randomPassword()}"`);
      return { functionArn: POSTGRES_SINGLE, event: step('setSecret', arn, token), secretArn: arn, unchanged: sameLogin(() => postgres, user) };
    },
  },
  {
    name: 'mysql-single-user setSecret: AWSPENDING for another host',
    names: /the AWSPENDING secret's `host` differs from the AWSCURRENT secret's/,
    prepare: async () => {
      const user = await mysql.createUser();
      const { arn, token } = await withPending(user.secretValue, edited(user, { host: 'localhost', password: randomPassword() }));
      return { functionArn: MYSQL_SINGLE, event: step('setSecret', arn, token), secretArn: arn, unchanged: sameLogin(() => mysql, user) };
    },
  },
  {
    name: 'postgres-alternating-users setSecret: AWSPENDING names a user other than the alternate',
    names: /the AWSPENDING secret's `username` is not the alternate of the AWSCURRENT secret's/,
    prepare: async () => {
      const user = await postgres.createUser({ masterarn: postgresMaster });
      const { arn, token } = await withPending(user.secretValue, edited(user, { username: 'postgres', password: randomPassword() }));
      return { functionArn: POSTGRES_ALTERNATING, event: step('setSecret', arn, token), secretArn: arn, unchanged: sameLogin(() => postgres, user) };
    },
  },
  {
    name: 'postgres-alternating-users setSecret: a master secret without `password`',
    names: /the master secret named by `masterarn`: `password` is missing/,
    prepare: async () => {
      const master = await secret(JSON.stringify({ username: postgres.master.username }));
      const user = await postgres.createUser({ masterarn: master });
      const { arn, token } = await withPending(user.secretValue, edited(user, { username: `${user.username}_clone`, password: randomPassword() }));
      return { functionArn: POSTGRES_ALTERNATING, event: step('setSecret', arn, token), secretArn: arn, unchanged: sameLogin(() => postgres, user) };
    },
  },
  {
    name: 'postgres-alternating-users setSecret: a master secret for another host',
    names: /the master secret named by `masterarn`: its `host` differs from the AWSCURRENT secret's/,
    prepare: async () => {
      const master = await secret(JSON.stringify({ ...postgres.master, host: 'other-db.example.com' }));
      const user = await postgres.createUser({ masterarn: master });
      const { arn, token } = await withPending(user.secretValue, edited(user, { username: `${user.username}_clone`, password: randomPassword() }));
      return { functionArn: POSTGRES_ALTERNATING, event: step('setSecret', arn, token), secretArn: arn, unchanged: sameLogin(() => postgres, user) };
    },
  },
];

/** A Create request to the deploy-time check, for a secret in rotation, with some properties of its entry replaced (or removed). */
async function checkEvent(changes: Record<string, unknown>): Promise<Prepared & { event: Record<string, unknown> }> {
  const { arn } = await rotating(`value-of-an-api-key-${randomUUID()}`);
  const encoded = encodeCheckProperties({
    functions: [{ arn: GENERIC, logGroup: logGroupOf(GENERIC), timeoutSeconds: 30, kind: 'library' }],
    secrets: [{ secretArn: arn, fingerprint: 'fingerprint-1', functionIndex: 0, scheduleExpression: 'rate(30 days)', timeoutSeconds: 60, pollSeconds: 5, repairStalePending: false, verify: true }],
  });
  const entries = encoded[CHECK_PROPERTY_NAMES.secrets].map((entry) => ({ ...entry, ...changes }));
  const properties = { ServiceToken: CHECK, ...encoded, [CHECK_PROPERTY_NAMES.secrets]: entries };
  const event = {
    RequestType: 'Create',
    ResponseURL: responses.url,
    StackId: `arn:aws:cloudformation:us-east-1:123456789012:stack/App/${randomUUID()}`,
    RequestId: randomUUID(),
    LogicalResourceId: 'RotationCheck',
    ResourceType: CHECK_RESOURCE_TYPE,
    ResourceProperties: properties,
  };
  return { functionArn: CHECK, event, secretArn: arn };
}

/** The check answers bad input through the ResponseURL: FAILED, with a reason that names the field. */
const CHECK_EVENTS: BadInput[] = [
  ...[
    ['no ResourceProperties', { ResourceProperties: undefined }, /^`ResourceProperties` must be an object, got nothing$/],
    ['no SecretArn', { SecretArn: undefined }, /^RotatedSecrets\[0\]: Property `SecretArn` is required, but is not set$/],
    ['a SecretArn that is a name', { SecretArn: 'prod/api-key' }, /^RotatedSecrets\[0\]: Property `SecretArn` must be a Secrets Manager secret ARN, got "prod\/api-key"$/],
    ['a SecretArn of another service', { SecretArn: 'arn:aws:s3:::my-bucket' }, /^RotatedSecrets\[0\]: Property `SecretArn` must be a Secrets Manager secret ARN/],
    ['no Fingerprint', { Fingerprint: undefined }, /^RotatedSecrets\[0\]: Property `Fingerprint` is required/],
    ['a TimeoutSeconds that is not a number', { TimeoutSeconds: 'ten minutes' }, /^RotatedSecrets\[0\]: Property `TimeoutSeconds` must be a whole number from 1 to 3300, got "ten minutes"$/],
    ['a TimeoutSeconds of 0', { TimeoutSeconds: '0' }, /^RotatedSecrets\[0\]: Property `TimeoutSeconds` must be a whole number from 1 to 3300, got "0"$/],
    ['a TimeoutSeconds that is a JSON number', { TimeoutSeconds: 600 }, /^RotatedSecrets\[0\]: Property `TimeoutSeconds` must be a string, got number$/],
    ['a RepairStalePending that is not "true" or "false"', { RepairStalePending: 'yes' }, /^RotatedSecrets\[0\]: Property `RepairStalePending` must be "true" or "false", got "yes"$/],
    ['a FunctionIndex that is not one of the functions', { FunctionIndex: '3' }, /^RotatedSecrets\[0\]: Property `FunctionIndex` must name one of the 1 functions, got 3$/],
    ['ConnectionFields that set the password', { ConnectionFields: '{"password":"x"}' }, /^RotatedSecrets\[0\]: Property `ConnectionFields` must not set password/],
  ].map(([what, changes, names]): BadInput => ({
    name: `check: ${what}`,
    names: names as RegExp,
    prepare: async () => {
      const { ResourceProperties, ...rest } = changes as Record<string, unknown>;
      const prepared = await checkEvent(rest);
      return 'ResourceProperties' in (changes as object) ? { ...prepared, event: { ...prepared.event, ResourceProperties } } : prepared;
    },
  })),
  {
    name: 'check: a well-formed SecretArn of no secret',
    names: /^DescribeSecret on secret \S+ failed: ResourceNotFoundException/,
    prepare: async () => {
      const { secretArn, ...prepared } = await checkEvent({ SecretArn: `arn:aws:secretsmanager:us-east-1:123456789012:secret:missing-${randomUUID()}-AbCdEf` });
      return { ...prepared, secretArn };
    },
  },
  {
    name: 'check: an unknown RequestType',
    names: /^`RequestType` must be Create, Update, Delete, got "Bogus"$/,
    prepare: async () => {
      const prepared = await checkEvent({});
      return { ...prepared, event: { ...prepared.event, RequestType: 'Bogus' } };
    },
  },
  {
    name: 'check (Update): new properties invalid',
    names: /Property `TimeoutSeconds` must be a whole number/,
    prepare: async () => {
      const prepared = await checkEvent({ TimeoutSeconds: '-5' });
      const { event } = prepared;
      return { ...prepared, event: { ...event, RequestType: 'Update', PhysicalResourceId: 'RotationCheck-0123456789ab', OldResourceProperties: event.ResourceProperties } };
    },
  },
  {
    name: 'check: a continuation without its progress',
    names: /^The check's continuation must carry its progress \(startedAt and secrets\), got nothing$/,
    prepare: async () => {
      const prepared = await checkEvent({});
      return { ...prepared, event: { RotationCheckContinuation: { request: prepared.event } } };
    },
  },
  {
    name: 'check: no ResponseURL (nobody to answer: the invocation fails)',
    names: /^The event must carry a ResponseURL \(an http or https URL\) to answer, got nothing$/,
    prepare: async () => {
      const prepared = await checkEvent({});
      return { ...prepared, event: { ...prepared.event, ResponseURL: undefined } };
    },
  },
];

/**
 * How the function rejected the input: a rotation function fails its invocation; the check answers FAILED through
 * the ResponseURL (and fails its invocation only when there is no ResponseURL). Undefined when it accepted it.
 */
function rejection(result: InvokeResult, answersBefore: number): string | undefined {
  if (!result.ok) return result.errorMessage;
  const answer = responses.received[answersBefore];
  if (answer === undefined) return undefined;
  audit.addText('check answer', answer.body);
  const parsed = JSON.parse(answer.body) as { Status: string; Reason: string };
  return parsed.Status === 'FAILED' ? parsed.Reason : undefined;
}

describe.each([
  ['rotation events', ROTATION_EVENTS],
  ['secret values', SECRET_VALUES],
  ['deploy-time check events', CHECK_EVENTS],
] as const)('%s', (_kind, cases) => {
  test.each(cases.map((input) => [input.name, input] as const))('%s: rejected, naming it, and nothing written', async (_name, input) => {
    tally.tried += 1;
    const prepared = await input.prepare();
    const before = prepared.secretArn ? await stagesOf(client, prepared.secretArn) : undefined;
    const mark = sim.apiCallMark();
    const answersBefore = responses.received.length;

    const result = await sim.invokeFunction(prepared.functionArn, prepared.event);
    audit.addInvokeResult(input.name, result);

    const reason = rejection(result, answersBefore);
    expect(reason).toBeDefined();
    if (reason === undefined) return;
    tally.rejected += 1;
    expect(reason).toMatch(input.names);
    tally.rejectedNamingTheField += 1;
    expect(sim.apiCallLog({ since: mark }).map((call) => call.operation).filter((operation) => WRITES.includes(operation))).toEqual([]);
    if (prepared.secretArn) expect(await stagesOf(client, prepared.secretArn)).toEqual(before);
    await prepared.unchanged?.();
    tally.wroteNothing += 1;
  });
});

test('figures, and no secret value in any log line or error of these invocations', async () => {
  await audit.addStoredValues(client, secrets);
  // The malformed values wrap a random password in text of the test's own, which messages may well contain.
  for (const wrapper of ['password=', '{"password": "', 'not json ']) audit.addPublic(wrapper);
  audit.addSecret(postgres.master.password);
  audit.addSecret(mysql.master.password);
  audit.addSimulatorOutput(sim, FUNCTIONS.map(logGroupOf));
  const leaks = audit.hits();
  reportFigures('bad input', { ...tally, secretsAudited: audit.secretCount, textsAudited: audit.textCount, leakHits: leaks.length });
  expect(tally.rejected).toBe(tally.tried);
  expect(leaks).toEqual([]);
});
