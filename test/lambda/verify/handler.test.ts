/**
 * The check's handler and CloudFormation's raw custom-resource protocol: one answer per request, PUT to the
 * ResponseURL; stable physical ids; Delete changes nothing it did not leave unfinished (departures.test.ts); malformed requests; the merge of connection fields;
 * several secrets in one request; hand-off to a fresh invocation; the time limits.
 */
import { CHECK_ARN, CHECK_LOG_GROUP, FUNCTION_ARN, LOGICAL_ID, ROTATION_FUNCTION, STACK_ID, entry, properties, request, secretArn } from './fixtures';
import { useCheckHarness } from './harness';
import { CONCURRENT_SECRETS } from '../../../lambda/verify/check-request';
import { verifiedFingerprint } from '../../../lambda/verify/token';
import { VERIFIED_TAG } from '../../../src/private/contract';

const h = useCheckHarness();
const CURRENT = 'c0000000-0000-4000-8000-000000000001';

describe('Create', () => {
  test('rotates the secret with its function and rules, waits, tags it verified, and PUTs one SUCCESS answer', async () => {
    const arn = h.fake.addSecret(secretArn('app/api-key'));

    await h.invoke(request('Create', properties([entry(arn)]), h.server.url));

    const token = h.token('request-create-1', arn);
    expect(h.fake.calls).toEqual(['RotateSecret', 'TagResource']);
    expect(h.fake.secrets.get(arn)!.rotation).toEqual({ functionArn: FUNCTION_ARN, rules: { ScheduleExpression: 'rate(30 days)', Duration: '3h' } });
    expect(h.fake.stages(arn)).toEqual({ [token]: ['AWSCURRENT'], [CURRENT]: ['AWSPREVIOUS'] });
    expect(h.fake.secrets.get(arn)!.tags).toEqual({ [VERIFIED_TAG]: verifiedFingerprint('fingerprint-1', FUNCTION_ARN) });

    const [received] = h.server.received;
    expect(h.server.received).toHaveLength(1);
    expect(received.method).toBe('PUT');
    const physicalId = JSON.parse(received.body).PhysicalResourceId;
    expect(physicalId).toMatch(/^RotationCheck-[0-9a-f]{12}$/);
    expect(received.body).toBe(JSON.stringify({
      Status: 'SUCCESS',
      Reason: 'Checked 1 secrets: 1 rotated and verified, 0 unchanged, 0 left as they are.',
      PhysicalResourceId: physicalId,
      StackId: STACK_ID,
      RequestId: 'request-create-1',
      LogicalResourceId: LOGICAL_ID,
      Data: { Secrets: '1', Verified: '1', Unchanged: '0', Reported: '0' },
    }));
  });

  test('the physical id is the same for every request of the stack and logical id', async () => {
    const arn = h.fake.addSecret(secretArn('app/api-key'));
    await h.invoke(request('Create', properties([entry(arn)]), h.server.url, { requestId: 'first' }));
    await h.invoke(request('Create', properties([entry(arn)]), h.server.url, { requestId: 'second' }));

    const [first, second] = h.answers();
    expect(first.PhysicalResourceId).toBe(second.PhysicalResourceId);
  });
});

describe('Update', () => {
  test('keeps the physical id CloudFormation sent, and a fingerprint verified before rotates nothing', async () => {
    const arn = h.fake.addSecret(secretArn('app/api-key'), { tags: { [VERIFIED_TAG]: verifiedFingerprint('fingerprint-1', FUNCTION_ARN) } });

    await h.invoke(request('Update', properties([entry(arn)]), h.server.url, { physicalResourceId: 'RotationCheck-0123456789ab' }));

    expect(h.fake.calls).toEqual([]);
    expect(h.answer()).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: 'RotationCheck-0123456789ab',
      Data: { Secrets: '1', Verified: '0', Unchanged: '1', Reported: '0' },
    });
  });

  test('a new fingerprint, or the same one with another function, rotates again', async () => {
    const arn = h.fake.addSecret(secretArn('app/api-key'), { tags: { [VERIFIED_TAG]: verifiedFingerprint('fingerprint-1', FUNCTION_ARN) } });
    const otherFunction = FUNCTION_ARN.replace('app-rotation-function', 'app-rotation-function-2');
    h.fake.registerFunction(otherFunction, '/aws/lambda/app-rotation-function-2', { strategy: 'generic' });
    const functions = [{ arn: otherFunction, logGroup: '/aws/lambda/app-rotation-function-2', timeoutSeconds: 60, kind: 'library' as const }];

    await h.invoke(request('Update', properties([entry(arn, { fingerprint: 'fingerprint-2' })]), h.server.url, { requestId: 'u1' }));
    await h.invoke(request('Update', properties([entry(arn, { fingerprint: 'fingerprint-2' })], functions), h.server.url, { requestId: 'u2' }));

    expect(h.fake.calls.filter((call) => call === 'RotateSecret')).toHaveLength(2);
    expect(h.answers().map((answer) => answer.Data?.Verified)).toEqual(['1', '1']);
    // The newest first, then the one before (a rollback finds it).
    expect(h.fake.secrets.get(arn)!.tags[VERIFIED_TAG]).toBe(`${verifiedFingerprint('fingerprint-2', otherFunction)} ${verifiedFingerprint('fingerprint-2', FUNCTION_ARN)}`);
  });
});

test('Delete answers SUCCESS with the id it was sent and changes nothing of a secret the check left settled', async () => {
  const arn = h.fake.addSecret(secretArn('app/api-key'));

  await h.invoke(request('Delete', properties([entry(arn)]), h.server.url, { physicalResourceId: 'RotationCheck-0123456789ab' }));

  expect(h.fake.calls).toEqual([]);
  expect(h.answer()).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'RotationCheck-0123456789ab' });
});

describe('malformed requests', () => {
  test.each([
    ['an unknown RequestType', { RequestType: 'Upsert' }, '`RequestType` must be Create, Update, Delete, got "Upsert"'],
    ['no StackId', { StackId: undefined }, '`StackId` must be a non-empty string, got nothing'],
    ['properties that are not an object', { ResourceProperties: 'Secrets' }, '`ResourceProperties` must be an object, got "Secrets"'],
  ])('%s: FAILED naming the field, nothing called', async (_case, change, reason) => {
    const arn = h.fake.addSecret(secretArn('app/api-key'));

    await h.invoke({ ...request('Create', properties([entry(arn)]), h.server.url), ...change });

    expect(h.answer()).toMatchObject({ Status: 'FAILED', Reason: reason });
    expect(h.fake.calls).toEqual([]);
  });

  test('a property that breaks the contract: FAILED naming the entry and the property', async () => {
    const props = properties([entry(secretArn('app/api-key'))]);
    (props.RotatedSecrets as Array<Record<string, string>>)[0].TimeoutSeconds = '10m';

    await h.invoke(request('Create', props, h.server.url));

    expect(h.answer()).toMatchObject({ Status: 'FAILED', Reason: 'RotatedSecrets[0]: Property `TimeoutSeconds` must be a whole number from 1 to 3300, got "10m"' });
    expect(h.fake.calls).toEqual([]);
  });

  test('connection fields that would change the credentials, and a secret listed twice, are refused', async () => {
    const arn = secretArn('app/database');
    await h.invoke(request('Create', properties([entry(arn, { connection: { host: 'db', password: 'x' } })]), h.server.url, { requestId: 'a' }));
    await h.invoke(request('Create', properties([entry(arn), entry(arn)]), h.server.url, { requestId: 'b' }));

    expect(h.answers().map((answer) => [answer.Status, answer.Reason])).toEqual([
      ['FAILED', 'RotatedSecrets[0]: Property `ConnectionFields` must not set password: a merge keeps the credentials'],
      ['FAILED', `RotatedSecrets[1] names the same secret as RotatedSecrets[0]: ${arn}`],
    ]);
  });

  test('a continuation whose progress does not match the request is refused', async () => {
    const arn = h.fake.addSecret(secretArn('app/api-key'));
    const continuation = { RotationCheckContinuation: { request: request('Create', properties([entry(arn)]), h.server.url), progress: { startedAt: 0, handOffs: 1, secrets: [] } } };

    await h.invoke(continuation);

    expect(h.answer()).toMatchObject({ Status: 'FAILED', Reason: 'The check\'s continuation holds progress for 0 secrets, but the request has 1' });
  });

  test('without a usable ResponseURL nobody can be answered: the handler throws and logs why', async () => {
    const event = request('Create', properties([entry(secretArn('app/api-key'))]), 'not a url');

    await expect(h.invoke(event)).rejects.toThrow('The event must carry a ResponseURL (an http or https URL) to answer, got "not a url"');
    expect(h.server.received).toHaveLength(0);
    expect(h.logLines.map((line) => JSON.parse(line).message)).toContain('the event cannot be answered');
  });
});

describe('merging connection fields', () => {
  const original = { engine: 'postgres', host: 'old.internal', port: 5432, username: 'app', password: 'fake-password-original', ssl: false };
  const connection = { host: 'db.internal', port: 5433, dbname: 'orders', ssl: true };

  test('puts one new AWSCURRENT version with the fields, every other field and the password kept, types kept', async () => {
    const arn = h.fake.addSecret(secretArn('app/database'), { value: JSON.stringify(original) });
    const event = request('Create', properties([entry(arn, { connection, verify: false })]), h.server.url);

    await h.invoke(event);

    expect(h.fake.calls).toEqual(['PutSecretValue']);
    const current = Object.entries(h.fake.stages(arn)).find(([, labels]) => labels.includes('AWSCURRENT'))![0];
    expect(JSON.parse(h.fake.value(arn, current)!)).toEqual({ ...original, ...connection });
    expect(h.fake.stages(arn)[CURRENT]).toEqual(['AWSPREVIOUS']);
    expect(h.answer()).toMatchObject({ Status: 'SUCCESS', Data: { Unchanged: '1' } });
    expect(h.answer().Data!.Notes).toContain('merged host, port, dbname, ssl into a new AWSCURRENT version, password unchanged');
  });

  test('a retried request finds the merge done: no second version', async () => {
    const arn = h.fake.addSecret(secretArn('app/database'), { value: JSON.stringify(original) });
    const event = request('Create', properties([entry(arn, { connection, verify: false })]), h.server.url);

    await h.invoke(event);
    await h.invoke(event);

    expect(h.fake.calls).toEqual(['PutSecretValue']);
  });

  test('merges before it rotates, so the rotation works with the new connection', async () => {
    const arn = h.fake.addSecret(secretArn('app/database'), { value: JSON.stringify(original) });

    await h.invoke(request('Create', properties([entry(arn, { connection })]), h.server.url));

    expect(h.fake.calls).toEqual(['PutSecretValue', 'RotateSecret', 'TagResource']);
    expect(h.answer().Data).toMatchObject({ Verified: '1' });
  });

  test('a value that is not a JSON object fails the request, naming the secret and the version, and is left as it is', async () => {
    const arn = h.fake.addSecret(secretArn('app/database'), { value: 'fake-password-plain' });

    await h.invoke(request('Create', properties([entry(arn, { connection })]), h.server.url));

    expect(h.answer()).toMatchObject({
      Status: 'FAILED',
      Reason: `The connection fields (host, port, dbname, ssl) cannot be merged into secret "app/database" (${arn}): its AWSCURRENT value (version ${CURRENT}) is not JSON. Nothing was changed.`,
    });
    expect(h.fake.calls).toEqual([]);
  });
});

test('a call the check\'s role may not make fails the request, naming the operation and the secret', async () => {
  const arn = h.fake.addSecret(secretArn('app/api-key'));
  h.fake.denied.add('TagResource');

  await h.invoke(request('Create', properties([entry(arn)]), h.server.url));

  expect(h.answer()).toMatchObject({
    Status: 'FAILED',
    Reason: `TagResource on secret ${arn} failed: AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/check is not authorized to perform: secretsmanager:TagResource`,
  });
});

test('a RotateSecret whose response was lost (the call was applied) is followed to its end, not failed', async () => {
  const arn = h.fake.addSecret(secretArn('app/api-key'));
  h.fake.loseNextRotateResponse = true;

  await h.invoke(request('Create', properties([entry(arn)]), h.server.url));

  expect(h.fake.calls).toEqual(['RotateSecret', 'TagResource']);
  expect(h.answer()).toMatchObject({ Status: 'SUCCESS', Data: { Verified: '1' } });
});

test('a rotation something else interrupts during the deploy (a new value was put) fails with what happened', async () => {
  const arn = h.fake.addSecret(secretArn('app/api-key'));
  h.fake.inBackground(() => h.fake.addVersion(arn, 'd0000000-0000-4000-8000-00000000000d', { value: 'fake-password-manual', stages: [] }));
  h.fake.inBackground(() => {
    // A manual PutSecretValue makes a new AWSCURRENT and drops AWSPENDING.
    const secret = h.fake.secrets.get(arn)!;
    for (const version of secret.versions.values()) version.stages = version.stages.filter((label) => label === 'AWSPREVIOUS');
    secret.versions.get(CURRENT)!.stages = ['AWSPREVIOUS'];
    secret.versions.get('d0000000-0000-4000-8000-00000000000d')!.stages = ['AWSCURRENT'];
  });

  await h.invoke(request('Create', properties([entry(arn)]), h.server.url));

  const token = h.token('request-create-1', arn);
  expect(h.answer()).toMatchObject({ Status: 'FAILED' });
  expect(h.answer().Reason).toMatch(new RegExp(`^Rotation of secret "app/api-key" \\(${arn}\\) was interrupted: version ${token}, started by this deploy, no longer has a staging label, `
    + 'so something else changed the secret during the deploy'));
});

describe('several secrets', () => {
  test('every failing secret is named in the one answer; the others are still verified', async () => {
    const broken = FUNCTION_ARN.replace('app-rotation-function', 'broken-function');
    h.fake.registerFunction(broken, '/aws/lambda/broken-function', { strategy: 'generic', failStep: 'setSecret' });
    const functions = [{ arn: FUNCTION_ARN, logGroup: '/aws/lambda/app-rotation-function', timeoutSeconds: 60, kind: 'library' as const }, { arn: broken, logGroup: '/aws/lambda/broken-function', timeoutSeconds: 60, kind: 'library' as const }];
    const good = h.fake.addSecret(secretArn('app/good'));
    const one = h.fake.addSecret(secretArn('app/one'));
    const two = h.fake.addSecret(secretArn('app/two'));

    await h.invoke(request('Create', properties([entry(one, { functionIndex: 1 }), entry(good), entry(two, { functionIndex: 1 })], functions), h.server.url));

    const answer = h.answer();
    expect(answer.Status).toBe('FAILED');
    expect(answer.Reason).toMatch(/^2 of 3 secrets failed\. \[1\] Rotation of secret "app\/one" .* failed in step setSecret: setSecret failed: the service refused the request\. .* \[2\] Rotation of secret "app\/two" .* failed in step setSecret/);
    expect(h.fake.secrets.get(good)!.tags[VERIFIED_TAG]).toBeDefined();
  });

  test('a secret another entry names as its master rotates and is verified before the other one starts', async () => {
    const master = h.fake.addSecret(secretArn('app/master'), { value: '{"username":"admin","password":"fake-master-password"}' });
    const user = h.fake.addSecret(secretArn('app/user'), { value: '{"username":"app","password":"fake-user-password"}' });
    const order: string[] = [];
    h.fake.onCall = (operation, arn) => order.push(`${operation} ${arn === master ? 'master' : 'user'}`);

    await h.invoke(request('Create', properties([entry(user, { connection: { masterarn: master } }), entry(master)]), h.server.url));

    expect(h.answer()).toMatchObject({ Status: 'SUCCESS', Data: { Verified: '2' } });
    expect(order).toContain('TagResource master');
    expect(order.indexOf('TagResource master')).toBeLessThan(order.indexOf('DescribeSecret user'));
  });

  test('many long failures: the answer names the first ones, fits 4,096 bytes and points to the whole text in the log', async () => {
    h.fake.setBehaviour(FUNCTION_ARN, { strategy: 'generic', failStep: 'createSecret' });
    const arns = Array.from({ length: 20 }, (_, index) => h.fake.addSecret(secretArn(`app/service-with-a-long-name-${String(index).padStart(2, '0')}`)));

    await h.invoke(request('Create', properties(arns.map((arn) => entry(arn))), h.server.url));

    const answer = h.answer();
    expect(answer.Reason).toMatch(/^20 of 20 secrets failed\. \[1\] Rotation of secret "app\/service-with-a-long-name-00"/);
    expect(answer.Reason).toContain(`(cut to fit CloudFormation's 4096 bytes; the whole text is in CloudWatch log group ${CHECK_LOG_GROUP}, search for request-create-1)`);
    const logged = h.logLines.map((line) => JSON.parse(line)).find((line) => line.message === 'answering CloudFormation');
    expect(logged.requestId).toBe('request-create-1');
    for (const arn of arns) expect(logged.reason).toContain(arn);
  });

  test(`works on at most ${CONCURRENT_SECRETS} secrets at once`, async () => {
    const arns = Array.from({ length: CONCURRENT_SECRETS + 4 }, (_, index) => h.fake.addSecret(secretArn(`app/secret-${index}`)));
    const order: string[] = [];
    const started = new Set<string>();
    h.fake.onCall = (operation, arn) => {
      if (operation === 'DescribeSecret' && !started.has(arn)) {
        started.add(arn);
        order.push(`start ${arn}`);
      }
      if (operation === 'TagResource') order.push(`finish ${arn}`);
    };

    await h.invoke(request('Create', properties(arns.map((arn) => entry(arn))), h.server.url));

    const firstFinish = order.findIndex((event) => event.startsWith('finish'));
    expect(order.slice(0, firstFinish).filter((event) => event.startsWith('start'))).toHaveLength(CONCURRENT_SECRETS);
    expect(h.answer().Data).toMatchObject({ Verified: String(arns.length) });
  });
});

describe('long waits', () => {
  test('before Lambda\'s timeout, the check hands its progress on to itself; the continuation answers once', async () => {
    h.fake.setBehaviour(FUNCTION_ARN, { strategy: 'generic', runsSeconds: 10 });
    const arn = h.fake.addSecret(secretArn('app/api-key'));
    const event = request('Create', properties([entry(arn)]), h.server.url);

    // 35 s left: 5 s of work after the 30 s kept for the hand-off; the rotation takes 10 s.
    await h.invoke(event, 35_000);

    expect(h.server.received).toHaveLength(0);
    expect(h.fake.asyncInvocations).toHaveLength(1);
    const [{ functionName, payload }] = h.fake.asyncInvocations;
    expect(functionName).toBe(CHECK_ARN);
    type Continued = { RotationCheckContinuation: { request: Record<string, unknown>; progress: { handOffs: number } } };
    const { RotationCheckContinuation: continuation } = payload as Continued;
    expect(continuation.request).toEqual({ ...event, ServiceToken: undefined, ResourceType: undefined, OldResourceProperties: undefined });
    expect(continuation.progress.handOffs).toBe(1);

    await h.invoke(payload);

    expect(h.fake.calls).toEqual(['RotateSecret', 'TagResource']);
    expect(h.answer()).toMatchObject({ Status: 'SUCCESS', RequestId: 'request-create-1', Data: { Verified: '1' } });
  });

  test('a failure decided before the hand-off is in the final answer', async () => {
    const broken = FUNCTION_ARN.replace('app-rotation-function', 'broken-function');
    h.fake.registerFunction(broken, '/aws/lambda/broken-function', { strategy: 'generic', failStep: 'createSecret' });
    const functions = [ROTATION_FUNCTION, { arn: broken, logGroup: '/aws/lambda/broken-function', timeoutSeconds: 60, kind: 'library' as const }];
    const failing = h.fake.addSecret(secretArn('app/failing'));
    const slow = h.fake.addSecret(secretArn('app/slow'));
    h.fake.setBehaviour(FUNCTION_ARN, { strategy: 'generic', runsSeconds: 10 });

    await h.invoke(request('Create', properties([entry(failing, { functionIndex: 1, pollSeconds: 1 }), entry(slow)], functions), h.server.url), 35_000);
    await h.invoke(h.fake.asyncInvocations[0].payload);

    const answer = h.answer();
    expect(answer.Status).toBe('FAILED');
    expect(answer.Reason).toMatch(/^Rotation of secret "app\/failing" .* failed in step createSecret/);
    expect(h.fake.secrets.get(slow)!.tags[VERIFIED_TAG]).toBeDefined();
  });

  test('the continuation\'s payload stays small with many finished secrets: 240 fit Lambda\'s 256 KB for asynchronous invocations', async () => {
    const broken = FUNCTION_ARN.replace('app-rotation-function', 'broken-function');
    const hanging = FUNCTION_ARN.replace('app-rotation-function', 'hanging-function');
    h.fake.registerFunction(broken, '/aws/lambda/broken-function', { strategy: 'generic', failStep: 'createSecret' });
    h.fake.registerFunction(hanging, '/aws/lambda/hanging-function', { strategy: 'generic', hangs: true });
    const functions = [
      { arn: broken, logGroup: '/aws/lambda/broken-function', timeoutSeconds: 60, kind: 'library' as const },
      { arn: hanging, logGroup: '/aws/lambda/hanging-function', timeoutSeconds: 60, kind: 'library' as const },
    ];
    const failing = Array.from({ length: 60 }, (_, index) => entry(h.fake.addSecret(secretArn(`app/service-${index}`)), { pollSeconds: 1 }));
    const waiting = entry(h.fake.addSecret(secretArn('app/waiting')), { functionIndex: 1, timeoutSeconds: 3300 });

    await h.invoke(request('Create', { ...properties([...failing, waiting], functions), ServiceTimeout: '3600' }, h.server.url));

    expect(h.server.received).toHaveLength(0);
    const [{ payload }] = h.fake.asyncInvocations;
    // Per secret, properties and progress together: 240 secrets stay under 200 KB.
    expect(Buffer.byteLength(JSON.stringify(payload)) / 61).toBeLessThan(800);
    type Continued = { RotationCheckContinuation: { progress: { secrets: Array<{ result?: { message?: string } }> } } };
    const { secrets } = (payload as Continued).RotationCheckContinuation.progress;
    expect(secrets.filter((secret) => secret.result !== undefined)).toHaveLength(60);
    for (const secret of secrets) expect((secret.result?.message ?? '').length).toBeLessThanOrEqual(300);
  });

  test('a retried invocation (Lambda retries asynchronous ones) finds the rotation by its token: no second RotateSecret', async () => {
    h.fake.setBehaviour(FUNCTION_ARN, { strategy: 'generic', runsSeconds: 10 });
    const arn = h.fake.addSecret(secretArn('app/api-key'));
    const event = request('Create', properties([entry(arn)]), h.server.url);

    await h.invoke(event, 35_000);
    await h.invoke(event);

    expect(h.fake.calls).toEqual(['RotateSecret', 'TagResource']);
    expect(h.answer()).toMatchObject({ Status: 'SUCCESS', Data: { Verified: '1' } });
  });

  test('a rotation that does not finish within the entry\'s time limit fails with what the state tells', async () => {
    h.fake.setBehaviour(FUNCTION_ARN, { strategy: 'generic', hangs: true });
    const arn = h.fake.addSecret(secretArn('app/api-key'));

    await h.invoke(request('Create', properties([entry(arn, { timeoutSeconds: 60 })]), h.server.url));

    const token = h.token('request-create-1', arn);
    expect(h.answer().Status).toBe('FAILED');
    expect(h.answer().Reason).toContain(`Rotation of secret "app/api-key" (${arn}) did not finish within 60 seconds`);
    expect(h.answer().Reason).toContain(`The pending version ${token} has no value yet, so createSecret did not complete.`);
  });

  test('at the end of the resource\'s ServiceTimeout the check answers, naming what it did not finish', async () => {
    h.fake.setBehaviour(FUNCTION_ARN, { strategy: 'generic', hangs: true });
    const arn = h.fake.addSecret(secretArn('app/api-key'));
    const props = { ...properties([entry(arn)]), ServiceTimeout: '120' };

    await h.invoke(request('Create', props, h.server.url));

    expect(h.fake.asyncInvocations).toHaveLength(0);
    expect(h.answer()).toMatchObject({
      Status: 'FAILED',
      Reason: `The check reached the end of its ServiceTimeout (120 seconds) before it finished secret ${arn}. A rotation it started keeps running; the next deploy waits for it or resumes it.`,
    });
  });

  test('when the check cannot invoke itself, it answers FAILED instead of leaving CloudFormation waiting', async () => {
    h.fake.setBehaviour(FUNCTION_ARN, { strategy: 'generic', runsSeconds: 10 });
    const arn = h.fake.addSecret(secretArn('app/api-key'));
    h.fake.asyncInvokeError = Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' });

    await h.invoke(request('Create', properties([entry(arn)]), h.server.url), 35_000);

    expect(h.answer()).toMatchObject({
      Status: 'FAILED',
      Reason: `The check could not hand its work on to a fresh invocation of itself (Lambda Invoke (asynchronous) of ${CHECK_ARN} failed: TooManyRequestsException: Rate exceeded) `
        + `before it finished secret ${arn}. A rotation it started keeps running; the next deploy waits for it or resumes it.`,
    });
  });

  test('a continuation whose progress is malformed is answered FAILED, not left unanswered', async () => {
    const arn = h.fake.addSecret(secretArn('app/api-key'));
    const continuation = { RotationCheckContinuation: { request: request('Create', properties([entry(arn)]), h.server.url), progress: { startedAt: 0, handOffs: 1, secrets: [null] } } };

    await h.invoke(continuation);

    expect(h.answer().Status).toBe('FAILED');
    expect(h.answer().Reason).toMatch(/^The check failed unexpectedly: TypeError: /);
  });

  test('a function timeout too short to work in is refused instead of handing on forever', async () => {
    const arn = h.fake.addSecret(secretArn('app/api-key'));

    await h.invoke(request('Create', properties([entry(arn)]), h.server.url), 20_000);

    expect(h.answer()).toMatchObject({ Status: 'FAILED', Reason: 'The check function\'s timeout leaves it no time to work: it keeps 30 seconds for handing on, so it needs a timeout of a minute or more.' });
    expect(h.fake.asyncInvocations).toHaveLength(0);
  });
});
