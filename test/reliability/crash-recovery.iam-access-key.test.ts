import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateAccessKeyCommand, DeleteAccessKeyCommand, CreateRoleCommand, CreateUserCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { DeleteSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { App, Stack, aws_iam as iam } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { reportFigures } from './support/figures';
import { LeakAudit } from './support/leaks';
import { valueAt } from './support/secrets';
import { createSecret, functionArn, logGroupOf, startSimulator } from './support/simulator';
import { RotationRun, rotateAndWait } from './support/trials';
import type { SecretsManagerSimulator } from '../../simulator';
import { RotatingSecret, RotationStrategy } from '../../src';
import { ACCESS_KEYS_PROPERTIES, ACCESS_KEYS_RESOURCE_TYPE } from '../../src/private/contract';
import { FaultKind, FaultProxy } from '../support/fault-proxy';
import { KeyValue, keysOf as listKeys, signsAs as keySignsAs } from '../support/iam-keys';
import { MotoCredentials, MotoServer, enableRequestAuthentication, startMoto } from '../support/moto';
import { bundleAssetDir } from '../support/strategies';

/**
 * IAM user access key rotation, as shipped (the bundled function in the simulator's child processes), against moto's
 * IAM and STS with request authentication on: a key authenticates only with its secret, and only while it exists, so
 * GetCallerIdentity proves which user a stored key signs as. Every IAM and STS call goes through a proxy that can
 * crash it; Secrets Manager's calls are crashed by the simulator. moto differs from IAM in two ways the assertions
 * allow for: an inactive key still authenticates there (so deactivation is read from ListAccessKeys), and its policy
 * evaluation matches no Resource but `*` (so the rotation role gets the synthesized actions on `*`; the users they
 * are scoped to are asserted on the synthesized policy).
 */

jest.setTimeout(900_000);

const FUNCTION = functionArn('iam-access-key-rotation');
const SECRET_FIELDS = ['accessKeyId', 'secretAccessKey'];

let moto: MotoServer;
let proxy: FaultProxy;
let admin: IAMClient;
let sim: SecretsManagerSimulator;
let client: SecretsManagerClient;
const secrets: string[] = [];

/** The actions the synthesized rotation role may take on its users. */
function synthesizedKeyActions(): string[] {
  const stack = new Stack(new App(), 'Actions');
  new RotatingSecret(stack, 'Key', { strategy: RotationStrategy.iamUserAccessKey({ user: new iam.User(stack, 'User') }) });
  const statements = Object.values(Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy'))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Array<{ Action: string | string[] }>);
  const actions = statements.flatMap((statement) => [statement.Action].flat()).filter((action) => action.startsWith('iam:'));
  expect(actions.length).toBeGreaterThan(0);
  return actions;
}

/** The rotation function's role in moto, with the synthesized actions, and a session of it as Lambda would open. */
async function rotationRoleSession(adminCredentials: MotoCredentials): Promise<Required<MotoCredentials>> {
  const roleName = 'iam-access-key-rotation';
  const { Arn: adminArn } = await new STSClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials: adminCredentials })
    .send(new GetCallerIdentityCommand({}));
  const { Role: role } = await admin.send(new CreateRoleCommand({
    RoleName: roleName,
    AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: adminArn }, Action: 'sts:AssumeRole' }] }),
  }));
  await admin.send(new PutRolePolicyCommand({
    RoleName: roleName,
    PolicyName: 'access-keys',
    PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: synthesizedKeyActions(), Resource: '*' }] }),
  }));
  const sts = new STSClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials: adminCredentials });
  const { Credentials: session } = await sts.send(new AssumeRoleCommand({ RoleArn: role!.Arn!, RoleSessionName: 'iam-access-key-rotation' }));
  sts.destroy();
  return { accessKeyId: session!.AccessKeyId!, secretAccessKey: session!.SecretAccessKey!, sessionToken: session!.SessionToken! };
}

beforeAll(async () => {
  moto = await startMoto();
  const adminCredentials = await enableRequestAuthentication(moto.endpoint);
  admin = new IAMClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials: adminCredentials, maxAttempts: 1 });
  proxy = await FaultProxy.start(moto.endpoint);
  // The rotation compares IAM's dates with the secret's: the simulator's clock follows real time, as moto's does.
  // (No secret here has a schedule, so nothing rotates on its own.)
  ({ sim, client } = await startSimulator({ maxRotationAttempts: 3, clock: {} }));
  sim.registerFunction(FUNCTION, {
    assetDir: bundleAssetDir('iamAccessKeyRotation'),
    environment: { AWS_MAX_ATTEMPTS: '1', AWS_ENDPOINT_URL_IAM: proxy.endpoint, AWS_ENDPOINT_URL_STS: proxy.endpoint },
    timeoutSeconds: 60,
    credentials: await rotationRoleSession(adminCredentials),
  });
});

afterAll(async () => {
  client?.destroy();
  admin?.destroy();
  await sim?.stop();
  await proxy?.stop();
  await moto?.stop();
});

interface User {
  readonly userName: string;
  readonly arn: string;
}

async function newUser(): Promise<User> {
  const userName = `partner-${randomUUID().slice(0, 8)}`;
  const { User: user } = await admin.send(new CreateUserCommand({ UserName: userName, Path: '/partners/' }));
  return { userName, arn: user!.Arn! };
}

async function newSecret(user: User): Promise<string> {
  const arn = await createSecret(client, 'iam-key', JSON.stringify({ userName: user.userName }));
  secrets.push(arn);
  return arn;
}

/** The user's keys: id to status. */
function keysOf(user: User): Promise<Record<string, string>> {
  return listKeys(admin, user.userName);
}

async function valueOf(secretArn: string, stage: string): Promise<KeyValue | undefined> {
  const value = await valueAt(client, secretArn, stage);
  return value === undefined ? undefined : JSON.parse(value);
}

/** Who the value's key signs requests as, asked of moto's STS directly (not through the proxy). */
function signsAs(value: KeyValue | undefined): Promise<string> {
  return keySignsAs(moto.endpoint, value);
}

function rotate(secretArn: string, arm?: () => void): Promise<RotationRun> {
  return rotateAndWait(sim, client, secretArn, FUNCTION, arm);
}

describe('three rotations', () => {
  test('after each, AWSCURRENT\'s key signs as the user; the previous key is inactive; the one before is gone', async () => {
    const user = await newUser();
    const secretArn = await newSecret(user);
    const history: string[] = [];
    for (let rotation = 1; rotation <= 3; rotation++) {
      const run = await rotate(secretArn);
      expect(run).toMatchObject({ converged: true, attempts: 1, labelProblems: [] });
      const current = await valueOf(secretArn, 'AWSCURRENT');
      expect(Object.keys(current!).sort()).toEqual(['accessKeyId', 'secretAccessKey', 'userName']);
      expect(await signsAs(current)).toBe(user.arn);
      const keys = await keysOf(user);
      const expected: Record<string, string> = { [current!.accessKeyId!]: 'Active' };
      if (history.length > 0) expected[history[history.length - 1]] = 'Inactive';
      expect(keys).toEqual(expected);
      // AWSPREVIOUS holds the key before (none before the first rotation's).
      expect((await valueOf(secretArn, 'AWSPREVIOUS'))?.accessKeyId).toBe(history[history.length - 1]);
      history.push(current!.accessKeyId!);
    }
    expect(new Set(history).size).toBe(3);
  });

  test('a key the user had before the secret is kept; the key an interrupted first rotation made is not', async () => {
    const user = await newUser();
    const { AccessKey: theirs } = await admin.send(new CreateAccessKeyCommand({ UserName: user.userName }));
    const secretArn = await newSecret(user);
    // The first attempt's key is made, its answer lost: the retry finds both slots taken.
    const run = await rotate(secretArn, () => proxy.arm('dropResponse', 'CreateAccessKey', 1));
    expect(run).toMatchObject({ converged: true, attempts: 2, labelProblems: [] });
    const current = await valueOf(secretArn, 'AWSCURRENT');
    expect(await signsAs(current)).toBe(user.arn);
    expect(await keysOf(user)).toEqual({ [theirs!.AccessKeyId!]: 'Active', [current!.accessKeyId!]: 'Active' });
  });

  test('a user with two keys made before the secret: the first rotation fails, saying so, and deletes neither', async () => {
    const user = await newUser();
    for (let i = 0; i < 2; i++) await admin.send(new CreateAccessKeyCommand({ UserName: user.userName }));
    const before = await keysOf(user);
    const secretArn = await newSecret(user);
    const run = await rotate(secretArn, () => proxy.clear());
    expect(run.converged).toBe(false);
    const failure = run.events.find((event) => event.type === 'RotationFailed');
    expect(failure).toMatchObject({ step: 'createSecret' });
    expect(failure!.error!.message).toMatch(new RegExp(`the user ${user.userName} has 2 access keys \\(…\\w{4}, …\\w{4}\\), made before this secret, and IAM allows 2`));
    expect(await keysOf(user)).toEqual(before);
    expect(await valueOf(secretArn, 'AWSCURRENT')).toEqual({ userName: user.userName });
  });
});

/** CloudFormation's side of `Custom::RotatedAccessKeys`: a request, and the answer PUT to its ResponseURL. */
async function accessKeysRequest(requestType: 'Create' | 'Delete', secretArn: string, user: User, retain = false): Promise<{ Status: string; Reason: string }> {
  const answers: string[] = [];
  const server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      answers.push(body);
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const result = await sim.invokeFunction(FUNCTION, {
      RequestType: requestType,
      ResponseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/answer`,
      StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/keys/1',
      RequestId: randomUUID(),
      LogicalResourceId: 'PartnerKeyAccessKeys',
      ResourceType: ACCESS_KEYS_RESOURCE_TYPE,
      ...(requestType === 'Delete' ? { PhysicalResourceId: `${secretArn}|${user.userName}` } : {}),
      ResourceProperties: {
        ServiceToken: FUNCTION,
        [ACCESS_KEYS_PROPERTIES.secretArn]: secretArn,
        [ACCESS_KEYS_PROPERTIES.userName]: user.userName,
        [ACCESS_KEYS_PROPERTIES.retainKeys]: String(retain),
      },
    });
    expect(result.ok).toBe(true);
    expect(answers).toHaveLength(1);
    return JSON.parse(answers[0]);
  } finally {
    server.close();
  }
}

describe('when CloudFormation deletes the secret (Custom::RotatedAccessKeys)', () => {
  test('the keys the secret holds are deleted, so that IAM can delete the user; a key it does not hold is kept', async () => {
    const user = await newUser();
    const secretArn = await newSecret(user);
    expect(await accessKeysRequest('Create', secretArn, user)).toMatchObject({ Status: 'SUCCESS' });
    for (let i = 0; i < 2; i++) expect((await rotate(secretArn)).converged).toBe(true);
    // A key the user got elsewhere, after the secret's two: the secret never held it.
    await admin.send(new DeleteAccessKeyCommand({ UserName: user.userName, AccessKeyId: (await valueOf(secretArn, 'AWSPREVIOUS'))!.accessKeyId! }));
    const { AccessKey: theirs } = await admin.send(new CreateAccessKeyCommand({ UserName: user.userName }));
    const answer = await accessKeysRequest('Delete', secretArn, user);
    expect(answer).toEqual(expect.objectContaining({ Status: 'SUCCESS', Reason: `deleted 1 access key(s) of ${user.userName} that the secret held; kept 1 it did not hold` }));
    expect(await keysOf(user)).toEqual({ [theirs!.AccessKeyId!]: 'Active' });
  });

  test('a retained secret keeps its keys; a secret this function never rotated, or one that is gone, has none to delete', async () => {
    const user = await newUser();
    const secretArn = await newSecret(user);
    expect((await rotate(secretArn)).converged).toBe(true);
    const keys = await keysOf(user);
    expect(await accessKeysRequest('Delete', secretArn, user, true)).toMatchObject({ Status: 'SUCCESS', Reason: `kept the keys of ${user.userName}: the stack keeps the secret` });
    expect(await keysOf(user)).toEqual(keys);

    const neverRotated = await newSecret(user);
    expect(await accessKeysRequest('Delete', neverRotated, user)).toMatchObject({ Status: 'SUCCESS', Reason: `deleted 0 access key(s) of ${user.userName} that the secret held; kept 1 it did not hold` });
    await client.send(new DeleteSecretCommand({ SecretId: neverRotated, ForceDeleteWithoutRecovery: true }));
    secrets.splice(secrets.indexOf(neverRotated), 1);
    expect(await accessKeysRequest('Delete', neverRotated, user)).toMatchObject({ Status: 'SUCCESS', Reason: 'no key to delete: this function never rotated the secret, or it is gone' });
    expect(await keysOf(user)).toEqual(keys);
  });
});

/** A rotation's calls, each a place to crash. */
interface Boundary {
  readonly service: 'Secrets Manager' | 'IAM/STS';
  readonly operation: string;
  readonly nth: number;
}

const PHASES = [
  { name: 'the first rotation (no key yet)', setupRotations: 0 },
  { name: 'a rotation with both slots taken (current and previous keys)', setupRotations: 2 },
] as const;

const trials = { boundaries: 0, secretsManagerBoundaries: 0, iamBoundaries: 0, converged: 0, failedAttemptsSeen: 0, violations: [] as string[] };

describe.each(PHASES)('a crash at every call of $name', (phase) => {
  test('each rotation converges on Secrets Manager\'s retry, the user always keeps a working key, and the next rotation finds a free slot', async () => {
    const prepare = async () => {
      const user = await newUser();
      const secretArn = await newSecret(user);
      for (let i = 0; i < phase.setupRotations; i++) expect((await rotate(secretArn)).converged).toBe(true);
      return { user, secretArn };
    };

    // A clean rotation enumerates the calls.
    const clean = await prepare();
    const cleanRun = await rotate(clean.secretArn, () => proxy.clear());
    expect(cleanRun.converged).toBe(true);
    const boundaries: Boundary[] = [
      ...cleanRun.apiCalls.map((call) => ({ service: 'Secrets Manager' as const, operation: call.operation, nth: call.nth })),
      ...proxy.calls.map((call) => ({ service: 'IAM/STS' as const, operation: call.action, nth: call.nth })),
    ];
    const iamOperations = new Set(boundaries.filter((boundary) => boundary.service === 'IAM/STS').map((boundary) => boundary.operation));
    expect(iamOperations).toEqual(new Set(phase.setupRotations === 0
      ? ['ListAccessKeys', 'CreateAccessKey', 'GetUser', 'GetCallerIdentity']
      : ['ListAccessKeys', 'DeleteAccessKey', 'CreateAccessKey', 'GetUser', 'GetCallerIdentity', 'UpdateAccessKey']));

    trials.secretsManagerBoundaries += boundaries.filter((boundary) => boundary.service === 'Secrets Manager').length;
    trials.iamBoundaries += boundaries.filter((boundary) => boundary.service === 'IAM/STS').length;
    for (const boundary of boundaries) {
      for (const kind of ['failCall', 'dropResponse'] as FaultKind[]) {
        trials.boundaries += 1;
        const where = `${phase.name}, ${kind} at ${boundary.service} ${boundary.operation} #${boundary.nth}`;
        const { user, secretArn } = await prepare();
        const before = await valueOf(secretArn, 'AWSCURRENT');
        const run = await rotate(secretArn, () => {
          sim.faults.clear();
          proxy.clear();
          if (boundary.service === 'IAM/STS') proxy.arm(kind, boundary.operation, boundary.nth);
          else if (kind === 'failCall') sim.faults.failCall(boundary.operation, { nth: boundary.nth });
          else sim.faults.dropResponse(boundary.operation, { nth: boundary.nth });
        });
        sim.faults.clear();
        proxy.clear();
        const problems: string[] = [...run.labelProblems];
        if (run.failedAttempts > 0) trials.failedAttemptsSeen += 1;
        if (run.converged) trials.converged += 1;
        else problems.push(`did not converge in ${run.attempts} attempts`);
        const current = await valueOf(secretArn, 'AWSCURRENT');
        if (await signsAs(current) !== user.arn) problems.push(`AWSCURRENT's key signs as ${await signsAs(current)}`);
        let keys = await keysOf(user);
        if (Object.keys(keys).length > 2) problems.push(`the user has ${Object.keys(keys).length} keys`);
        // The key clients used when the rotation began is never deleted during it.
        if (before?.accessKeyId !== undefined && keys[before.accessKeyId] === undefined) problems.push('the key AWSCURRENT held before the rotation was deleted');

        // The next rotation needs a free slot: it makes one, whatever the crash left.
        const next = await rotate(secretArn);
        if (!next.converged) problems.push(`the next rotation did not converge: ${next.events.find((event) => event.error)?.error?.message}`);
        const after = await valueOf(secretArn, 'AWSCURRENT');
        keys = await keysOf(user);
        const expected = { [after!.accessKeyId!]: 'Active', ...(current?.accessKeyId ? { [current.accessKeyId]: 'Inactive' } : {}) };
        if (JSON.stringify(Object.entries(keys).sort()) !== JSON.stringify(Object.entries(expected).sort())) {
          problems.push(`after the next rotation the user's keys are ${JSON.stringify(Object.values(keys))}, expected the new key active and the one before inactive`);
        }
        if (await signsAs(after) !== user.arn) problems.push('after the next rotation, AWSCURRENT\'s key does not sign as the user');
        for (const problem of problems) trials.violations.push(`${where}: ${problem}`);
      }
    }
  });
});

test('the trials kept every invariant, and no key\'s secret or id reached a log line or an error', async () => {
  const audit = new LeakAudit();
  await audit.addStoredValues(client, secrets, SECRET_FIELDS);
  audit.addSimulatorOutput(sim, [logGroupOf(FUNCTION)]);
  const leaks = audit.hits();
  reportFigures('crash-recovery iam-access-key', {
    secretsManagerBoundaries: trials.secretsManagerBoundaries,
    iamAndStsBoundaries: trials.iamBoundaries,
    trials: trials.boundaries,
    converged: trials.converged,
    failedAttemptsSeen: trials.failedAttemptsSeen,
    violations: trials.violations.length,
    secretsAudited: audit.secretCount,
    textsAudited: audit.textCount,
    leakHits: leaks.length,
  });
  expect(trials.violations).toEqual([]);
  expect(trials.boundaries).toBeGreaterThan(40);
  expect(trials.converged).toBe(trials.boundaries);
  expect(audit.secretCount).toBeGreaterThan(100);
  expect(leaks).toEqual([]);
});
