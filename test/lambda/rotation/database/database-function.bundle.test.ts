import { randomUUID } from 'node:crypto';
import { createServer, Server, Socket } from 'node:net';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  RotateSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { randomPassword } from './harness';
import { TEST_SERVERS, TestServer } from './servers';
import { SecretsManagerSimulator } from '../../../../simulator';
import { freePort } from '../../../../simulator/databases/ports';
import { DatabaseStrategyName, rotationFunctionTimeoutSeconds, RotationFunctionConfig } from '../../../../src/private/contract';
import { reportFigures } from '../../../reliability/support/figures';
import { TEST_OPTION_SET_TAGS, bundleAssetDir, rotationEnvironment } from '../../../support/strategies';

/**
 * The bundled database rotation function as Lambda runs it (the simulator's child processes, the real SDK client):
 * the check's probe through Lambda Invoke, createUser through RotateSecret, and the function's timeout against
 * databases that cannot be reached. Judged by logging in with the bare drivers.
 */

const CONNECT_TIMEOUT_SECONDS = 1;
let sim: SecretsManagerSimulator;
let client: SecretsManagerClient;
const servers = new Map<string, TestServer>();
let functionCount = 0;

beforeAll(async () => {
  sim = await SecretsManagerSimulator.start({ maxRotationAttempts: 1 });
  client = new SecretsManagerClient({ ...sim.clientConfig(), maxAttempts: 1 });
  for (const [name, start] of TEST_SERVERS) servers.set(name, await start());
}, 90_000);

afterAll(async () => {
  client?.destroy();
  await sim?.stop();
  for (const server of servers.values()) await server.destroy();
});

/** Registers the bundle for `strategy` with the timeout the constructs give it; returns its ARN and log group. */
function registerFunction(strategy: DatabaseStrategyName, overrides: Partial<RotationFunctionConfig> = {}) {
  const name = `rotate-${strategy}-${++functionCount}`;
  const arn = `arn:aws:lambda:us-east-1:123456789012:function:${name}`;
  const config = { connectTimeoutSeconds: CONNECT_TIMEOUT_SECONDS, ...overrides };
  sim.registerFunction(arn, {
    assetDir: bundleAssetDir('databaseRotation'),
    environment: rotationEnvironment(strategy, config),
    timeoutSeconds: rotationFunctionTimeoutSeconds(strategy, config.connectTimeoutSeconds),
  });
  return { arn, logText: () => sim.logs.events(`/aws/lambda/${name}`).map((event) => event.message).join('\n') };
}

async function createSecret(value: string): Promise<{ arn: string; versionId: string }> {
  const { ARN, VersionId } = await client.send(new CreateSecretCommand({ Name: `bundle/${randomUUID()}`, SecretString: value, Tags: TEST_OPTION_SET_TAGS }));
  return { arn: ARN!, versionId: VersionId! };
}

async function rotate(secretArn: string, functionArn: string): Promise<string> {
  const { VersionId } = await client.send(new RotateSecretCommand({
    SecretId: secretArn, RotationLambdaARN: functionArn, RotationRules: { ScheduleExpression: 'rate(30 days)' },
  }));
  await sim.waitForIdle();
  return VersionId!;
}

function eventsOf(secretArn: string, token: string) {
  return sim.events.filter((event) => event.secretArn === secretArn && event.token === token).map(({ type, step, error }) => ({ type, step, error }));
}

describe.each(TEST_SERVERS)('%s', (name, _start, strategies) => {
  const server = () => servers.get(name)!;

  test.each(strategies)('%s: the probe through Lambda Invoke says which versions the database accepts', async (strategy) => {
    const username = server().newUsername();
    const password = randomPassword();
    await server().createUserDirectly(username, password);
    const secret = await createSecret(server().secretFor(username, password));
    const stalePassword = randomPassword();
    // A stale AWSPENDING whose password the database never received.
    const stale = randomUUID();
    await client.send(new PutSecretValueCommand({
      SecretId: secret.arn, ClientRequestToken: stale, SecretString: server().secretFor(username, stalePassword), VersionStages: ['AWSPENDING'],
    }));
    const fn = registerFunction(strategy);

    const answer = await sim.invokeFunction(fn.arn, { ProbeVersions: { SecretId: secret.arn, VersionIds: [secret.versionId, stale] } });

    expect(answer).toEqual({ ok: true, result: { outcomes: { [secret.versionId]: 'accepted', [stale]: 'refused' }, reasons: { [stale]: expect.any(String) } } });
    expect(fn.logText()).toContain('probe answered');
    for (const secretValue of [password, stalePassword]) expect(fn.logText() + JSON.stringify(answer)).not.toContain(secretValue);
  });

  test.each(strategies)('%s: the first rotation creates the application user that does not exist (createUser)', async (strategy) => {
    const master = await createSecret(server().masterSecretValue);
    const username = server().newUsername();
    const initial = randomPassword();
    const secret = await createSecret(server().secretFor(username, initial, master.arn));
    const fn = registerFunction(strategy, { createUsers: { [secret.arn]: server().spec } });

    const token = await rotate(secret.arn, fn.arn);

    expect(eventsOf(secret.arn, token)).toEqual([{ type: 'RotationStarted' }, { type: 'RotationSucceeded' }]);
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secret.arn }));
    const current = JSON.parse(SecretString!);
    expect(await server().access(current.username, current.password)).toBe('works');
    expect(fn.logText()).toContain('created the user with its privileges');
    for (const secretValue of [initial, current.password, server().masterPassword]) expect(fn.logText()).not.toContain(secretValue);
  });
});

/** A TCP server that accepts connections and never says a word: a database that hangs. */
async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets: Socket[] = [];
  const tcp: Server = createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
  return {
    port: (tcp.address() as { port: number }).port,
    close: () => new Promise((resolve) => {
      for (const socket of sockets) socket.destroy();
      tcp.close(() => resolve());
    }),
  };
}

const UNREACHABLE: ReadonlyArray<[string, () => Promise<{ host: string; port: number; close(): Promise<void> }>]> = [
  ['a closed port (refused at once)', async () => ({ host: '127.0.0.1', port: await freePort(), close: async () => undefined })],
  // Each login waits the whole connect timeout, as for an address whose packets the network drops (which cannot be
  // made without root on every machine).
  ['a server that accepts and never answers', async () => ({ host: '127.0.0.1', ...await silentServer() })],
];

describe.each(['postgres-single-user', 'mysql-single-user'] as const)('%s against a database it cannot reach', (strategy) => {
  test.each(UNREACHABLE)('%s: setSecret fails with the named logins, not with the function\'s timeout', async (target, open) => {
    const endpoint = await open();
    try {
      const engine = strategy.startsWith('postgres') ? 'postgres' : 'mysql';
      const value = (password: string) => JSON.stringify({ engine, host: endpoint.host, port: endpoint.port, username: 'app', password, ssl: false });
      const secret = await createSecret(value(randomPassword()));
      // AWSPREVIOUS too, so setSecret tries all three secrets.
      await client.send(new PutSecretValueCommand({ SecretId: secret.arn, SecretString: value(randomPassword()) }));
      const fn = registerFunction(strategy);
      const started = Date.now();

      const token = await rotate(secret.arn, fn.arn);

      const elapsedSeconds = (Date.now() - started) / 1000;
      const events = eventsOf(secret.arn, token);
      expect(events).toEqual([{ type: 'RotationStarted' }, { type: 'RotationFailed', step: 'setSecret', error: expect.anything() }]);
      const failure = events[1].error!;
      expect(failure.type).not.toBe('Sandbox.Timedout');
      expect(failure.message).toMatch(/Unable to log into database with previous, current, or pending secret \(pending: .+; current: .+; previous: .+\)/);
      reportFigures(`unreachable database ${strategy}, ${target}`, {
        connectTimeoutSeconds: CONNECT_TIMEOUT_SECONDS,
        functionTimeoutSeconds: rotationFunctionTimeoutSeconds(strategy, CONNECT_TIMEOUT_SECONDS),
        rotationSeconds: Number(elapsedSeconds.toFixed(2)),
      });
    } finally {
      await endpoint.close();
    }
  });
});
