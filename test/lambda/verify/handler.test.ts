import {
  CloudWatchLogsClient,
  FilterLogEventsCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  InvalidRequestException,
  ListSecretVersionIdsCommand,
  RotateSecretCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  CURRENT_VERSION,
  LOG_GROUP,
  PREVIOUS_VERSION,
  SECRET_ARN,
  STALE_VERSION,
  createEvent,
  deleteEvent,
  describeOutput,
  failureLine,
  isCompleteEventFor,
  thrownBy,
  updateEvent,
} from './fixtures';
import type { CustomResourceEvent, IsCompleteEvent } from '../../../lambda/verify/events';
import { RUNTIME_FAILURE_FILTER_PATTERN } from '../../../lambda/verify/failure-log';
import { deriveRotationToken } from '../../../lambda/verify/token';
import { isComplete, onEvent } from '../../../lambda/verify/verify-function';

const secretsManager = mockClient(SecretsManagerClient);
const cloudWatchLogs = mockClient(CloudWatchLogsClient);

// The IAM policy the construct writes allows exactly these calls.
const ALLOWED_SECRETS_MANAGER_COMMANDS = [
  'DescribeSecretCommand',
  'ListSecretVersionIdsCommand',
  'RotateSecretCommand',
  'UpdateSecretVersionStageCommand',
];

let logLines: string[];

beforeEach(() => {
  secretsManager.reset();
  cloudWatchLogs.reset();
  cloudWatchLogs.on(FilterLogEventsCommand).resolves({ events: [] });
  logLines = [];
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    logLines.push(...String(chunk).split('\n').filter((line) => line.length > 0));
    return true;
  });
});

afterEach(() => {
  jest.restoreAllMocks();
  // Never a secret value: no GetSecretValue, and only the calls the IAM policy allows.
  expect(secretsManager).not.toHaveReceivedCommand(GetSecretValueCommand);
  for (const call of secretsManager.calls()) {
    expect(ALLOWED_SECRETS_MANAGER_COMMANDS).toContain(call.args[0].constructor.name);
  }
  for (const call of cloudWatchLogs.calls()) {
    expect(call.args[0].constructor.name).toBe('FilterLogEventsCommand');
  }
  // Structured logs: every line is one JSON object with a level and a message.
  for (const line of logLines) {
    const entry = JSON.parse(line);
    expect(entry).toEqual(expect.objectContaining({ level: expect.any(String), message: expect.any(String) }));
  }
});

afterAll(() => {
  secretsManager.restore();
  cloudWatchLogs.restore();
});

function givenLabels(versionIdsToStages: Record<string, string[]>): void {
  secretsManager.on(DescribeSecretCommand).resolves(describeOutput(versionIdsToStages));
}

/** Runs onEvent for a rotating event and returns the isComplete event and the rotation's token. */
async function startRotation(event: CustomResourceEvent = createEvent()): Promise<{ event: IsCompleteEvent; token: string }> {
  givenLabels({ [CURRENT_VERSION]: ['AWSCURRENT'], [PREVIOUS_VERSION]: ['AWSPREVIOUS'] });
  secretsManager.on(RotateSecretCommand).resolves({ ARN: SECRET_ARN });
  const result = await onEvent(event);
  expect(result.Data?.Rotated).toBe('true');
  secretsManager.resetHistory();
  return { event: isCompleteEventFor(event, result), token: result.Data!.RotationToken };
}

/** The same isComplete event, with a start time far enough back that the time limit (600 s) has passed. */
function afterTimeLimit(event: IsCompleteEvent): IsCompleteEvent {
  return { ...event, Data: { ...event.Data, StartedAt: String(Date.now() - 601_000) } };
}

function givenFailureLine(token: string, step: string, error: string): void {
  cloudWatchLogs
    .on(FilterLogEventsCommand, { filterPattern: `{ $.token = "${token}" && $.message = "rotation step failed" }` })
    .resolves({ events: [{ timestamp: Date.now(), message: failureLine(token, step, error) }] });
}

describe('onEvent Create', () => {
  test('starts one rotation with a derived token and nothing else, and returns the secret ARN as physical id', async () => {
    givenLabels({ [CURRENT_VERSION]: ['AWSCURRENT'], [PREVIOUS_VERSION]: ['AWSPREVIOUS'] });
    secretsManager.on(RotateSecretCommand).resolves({ ARN: SECRET_ARN });
    const event = createEvent();
    const before = Date.now();

    const result = await onEvent(event);

    const token = deriveRotationToken(event);
    expect(token).toMatch(/^[a-zA-Z0-9-]{32,64}$/);
    expect(secretsManager).toHaveReceivedCommandTimes(RotateSecretCommand, 1);
    // Only SecretId and ClientRequestToken: the schedule resource configured the function and the rules.
    expect(secretsManager.commandCalls(RotateSecretCommand)[0].args[0].input).toEqual({
      SecretId: SECRET_ARN,
      ClientRequestToken: token,
    });
    expect(secretsManager).not.toHaveReceivedCommand(UpdateSecretVersionStageCommand);
    expect(result.PhysicalResourceId).toBe(SECRET_ARN);
    expect(result.Data).toEqual({
      RotationToken: token,
      StartedAt: expect.stringMatching(/^\d+$/),
      Rotated: 'true',
      PreviousVersionId: CURRENT_VERSION,
      RepairedStalePendingVersion: '',
    });
    expect(Number(result.Data!.StartedAt)).toBeGreaterThanOrEqual(before);
  });

  test('AWSPENDING on the AWSCURRENT version (how a finished rotation may leave it) is not stale', async () => {
    givenLabels({ [CURRENT_VERSION]: ['AWSCURRENT', 'AWSPENDING'], [PREVIOUS_VERSION]: ['AWSPREVIOUS'] });
    secretsManager.on(RotateSecretCommand).resolves({ ARN: SECRET_ARN });

    await onEvent(createEvent());

    expect(secretsManager).toHaveReceivedCommandTimes(RotateSecretCommand, 1);
    expect(secretsManager).not.toHaveReceivedCommand(UpdateSecretVersionStageCommand);
  });

  test('a retried event whose rotation already exists does not call RotateSecret again', async () => {
    const event = createEvent();
    const token = deriveRotationToken(event);
    givenLabels({ [CURRENT_VERSION]: ['AWSCURRENT'], [PREVIOUS_VERSION]: ['AWSPREVIOUS'], [token]: ['AWSPENDING'] });

    const result = await onEvent(event);

    expect(secretsManager).not.toHaveReceivedCommand(RotateSecretCommand);
    expect(result.Data).toEqual(expect.objectContaining({
      RotationToken: token,
      Rotated: 'true',
      PreviousVersionId: CURRENT_VERSION,
    }));
  });

  test('a retried event whose rotation already finished keeps the version it replaced as previous', async () => {
    const event = createEvent();
    const token = deriveRotationToken(event);
    givenLabels({ [token]: ['AWSCURRENT'], [CURRENT_VERSION]: ['AWSPREVIOUS'] });

    const result = await onEvent(event);

    expect(secretsManager).not.toHaveReceivedCommand(RotateSecretCommand);
    expect(result.Data?.PreviousVersionId).toBe(CURRENT_VERSION);
    const completion = await isComplete(isCompleteEventFor(event, result));
    expect(completion).toEqual({
      IsComplete: true,
      Data: { NewVersionId: token, PreviousVersionId: CURRENT_VERSION, Verified: 'true' },
    });
  });

  test('a RotateSecret error is reported with the operation and the secret', async () => {
    givenLabels({ [CURRENT_VERSION]: ['AWSCURRENT'] });
    secretsManager.on(RotateSecretCommand).rejects(new InvalidRequestException({
      message: 'A previous rotation isn\'t complete. That rotation will be reattempted.',
      $metadata: {},
    }));

    const error = await thrownBy(() => onEvent(createEvent()));

    expect(error.message).toContain(`RotateSecret on secret ${SECRET_ARN} failed`);
    expect(error.message).toContain('InvalidRequestException: A previous rotation isn\'t complete');
  });

  test('a bad property fails with its name and value before any call', async () => {
    const error = await thrownBy(() => onEvent(createEvent({ TimeoutSeconds: '10m' })));

    expect(error.message).toMatch(/`TimeoutSeconds` must be a whole number from 1 to 3300.*"10m"/);
    expect(secretsManager.calls()).toHaveLength(0);
  });
});

describe('stale AWSPENDING before rotating', () => {
  const staleLabels = {
    [CURRENT_VERSION]: ['AWSCURRENT'],
    [PREVIOUS_VERSION]: ['AWSPREVIOUS'],
    [STALE_VERSION]: ['AWSPENDING'],
  };

  test('without repair: fails with the versions, their labels and the remedy, and changes nothing', async () => {
    givenLabels(staleLabels);

    const error = await thrownBy(() => onEvent(createEvent()));

    expect(error.message).toContain(`Secret "app/database" (${SECRET_ARN}) has AWSPENDING on version ${STALE_VERSION}`);
    expect(error.message).toContain(`not the AWSCURRENT version (${CURRENT_VERSION})`);
    expect(error.message).toContain(`${CURRENT_VERSION} [AWSCURRENT]`);
    expect(error.message).toContain(`${STALE_VERSION} [AWSPENDING]`);
    expect(error.message).toContain(`${PREVIOUS_VERSION} [AWSPREVIOUS]`);
    expect(error.message).toContain(
      `aws secretsmanager update-secret-version-stage --secret-id ${SECRET_ARN} --version-stage AWSPENDING --remove-from-version-id ${STALE_VERSION}`,
    );
    expect(error.message).toContain('set repairStalePending');
    expect(secretsManager).not.toHaveReceivedCommand(RotateSecretCommand);
    expect(secretsManager).not.toHaveReceivedCommand(UpdateSecretVersionStageCommand);
  });

  test('a stale version left by an earlier deploy of this resource is named as such', async () => {
    const earlierToken = deriveRotationToken({ ...createEvent(), RequestId: 'an-earlier-request' });
    givenLabels({ [CURRENT_VERSION]: ['AWSCURRENT'], [earlierToken]: ['AWSPENDING'] });

    const error = await thrownBy(() => onEvent(createEvent()));

    expect(error.message).toContain(`AWSPENDING on version ${earlierToken}`);
    expect(error.message).toContain('a rotation started by an earlier deploy of this resource did not finish');
  });

  test('with repair: removes only the AWSPENDING label from that version, then rotates and says so', async () => {
    givenLabels(staleLabels);
    secretsManager.on(UpdateSecretVersionStageCommand).resolves({ ARN: SECRET_ARN });
    secretsManager.on(RotateSecretCommand).resolves({ ARN: SECRET_ARN });

    const result = await onEvent(createEvent({ RepairStalePending: 'true' }));

    expect(secretsManager).toHaveReceivedCommandTimes(UpdateSecretVersionStageCommand, 1);
    expect(secretsManager.commandCalls(UpdateSecretVersionStageCommand)[0].args[0].input).toEqual({
      SecretId: SECRET_ARN,
      VersionStage: 'AWSPENDING',
      RemoveFromVersionId: STALE_VERSION,
    });
    expect(secretsManager).toHaveReceivedCommandTimes(RotateSecretCommand, 1);
    // The repair happens before the rotation starts.
    const order = secretsManager.calls().map((call) => call.args[0].constructor.name);
    expect(order.indexOf('UpdateSecretVersionStageCommand')).toBeLessThan(order.indexOf('RotateSecretCommand'));
    expect(result.Data?.RepairedStalePendingVersion).toBe(STALE_VERSION);
    expect(logLines.some((line) => JSON.parse(line).pendingVersionId === STALE_VERSION)).toBe(true);
  });
});

describe('onEvent Update', () => {
  test('a new rotation fingerprint rotates again and keeps the physical id', async () => {
    givenLabels({ [CURRENT_VERSION]: ['AWSCURRENT'], [PREVIOUS_VERSION]: ['AWSPREVIOUS'] });
    secretsManager.on(RotateSecretCommand).resolves({ ARN: SECRET_ARN });
    const event = updateEvent({ RotationFingerprint: 'fingerprint-2' }, { RotationFingerprint: 'fingerprint-1' });

    const result = await onEvent(event);

    expect(secretsManager).toHaveReceivedCommandWith(RotateSecretCommand, {
      SecretId: SECRET_ARN,
      ClientRequestToken: deriveRotationToken(event),
    });
    expect(result.PhysicalResourceId).toBe(SECRET_ARN);
    expect(result.Data?.Rotated).toBe('true');
  });

  test('another secret ARN rotates the new secret', async () => {
    const otherArn = SECRET_ARN.replace('AbCdEf', 'XyZ123');
    givenLabels({ [CURRENT_VERSION]: ['AWSCURRENT'] });
    secretsManager.on(RotateSecretCommand).resolves({ ARN: otherArn });

    const result = await onEvent(updateEvent({ SecretArn: otherArn }));

    expect(secretsManager).toHaveReceivedCommandWith(RotateSecretCommand, { SecretId: otherArn });
    expect(result.PhysicalResourceId).toBe(otherArn);
  });

  test('an unchanged fingerprint only checks the invariant, and isComplete answers at once', async () => {
    givenLabels({ [CURRENT_VERSION]: ['AWSCURRENT', 'AWSPENDING'], [PREVIOUS_VERSION]: ['AWSPREVIOUS'] });
    const event = updateEvent({ TimeoutSeconds: '900' });

    const result = await onEvent(event);

    expect(secretsManager).toHaveReceivedCommandTimes(DescribeSecretCommand, 1);
    expect(secretsManager).not.toHaveReceivedCommand(RotateSecretCommand);
    expect(result).toEqual({
      PhysicalResourceId: SECRET_ARN,
      Data: {
        RotationToken: '',
        StartedAt: expect.stringMatching(/^\d+$/),
        Rotated: 'false',
        PreviousVersionId: PREVIOUS_VERSION,
        RepairedStalePendingVersion: '',
        NewVersionId: CURRENT_VERSION,
        Verified: 'true',
      },
    });

    secretsManager.resetHistory();
    await expect(isComplete(isCompleteEventFor(event, result))).resolves.toEqual({ IsComplete: true });
    expect(secretsManager.calls()).toHaveLength(0);
    expect(cloudWatchLogs.calls()).toHaveLength(0);
  });

  test('an unchanged fingerprint with a stale AWSPENDING fails the same way', async () => {
    givenLabels({ [CURRENT_VERSION]: ['AWSCURRENT'], [STALE_VERSION]: ['AWSPENDING'] });

    const error = await thrownBy(() => onEvent(updateEvent({})));

    expect(error.message).toContain(`has AWSPENDING on version ${STALE_VERSION}`);
    expect(error.message).toContain(`--remove-from-version-id ${STALE_VERSION}`);
    expect(secretsManager).not.toHaveReceivedCommand(UpdateSecretVersionStageCommand);
  });

  test('an unchanged fingerprint with a stale AWSPENDING and repair removes it without rotating', async () => {
    givenLabels({ [CURRENT_VERSION]: ['AWSCURRENT'], [STALE_VERSION]: ['AWSPENDING'] });
    secretsManager.on(UpdateSecretVersionStageCommand).resolves({ ARN: SECRET_ARN });

    const result = await onEvent(updateEvent({ RepairStalePending: 'true' }, { RepairStalePending: 'true' }));

    expect(secretsManager).toHaveReceivedCommandWith(UpdateSecretVersionStageCommand, {
      VersionStage: 'AWSPENDING',
      RemoveFromVersionId: STALE_VERSION,
    });
    expect(secretsManager).not.toHaveReceivedCommand(RotateSecretCommand);
    expect(result.Data?.RepairedStalePendingVersion).toBe(STALE_VERSION);
  });
});

describe('Delete', () => {
  test('leaves the secret alone and keeps the physical id, even with properties that no longer parse', async () => {
    const event = { ...deleteEvent(), ResourceProperties: { SecretArn: 'not-an-arn' } };

    const result = await onEvent(event);

    expect(result).toEqual({ PhysicalResourceId: SECRET_ARN });
    await expect(isComplete(isCompleteEventFor(event, result))).resolves.toEqual({ IsComplete: true });
    expect(secretsManager.calls()).toHaveLength(0);
    expect(cloudWatchLogs.calls()).toHaveLength(0);
  });
});

describe('isComplete after a rotation started', () => {
  test('not yet: the token still holds AWSPENDING and no failure is logged', async () => {
    const { event, token } = await startRotation();
    givenLabels({ [CURRENT_VERSION]: ['AWSCURRENT'], [PREVIOUS_VERSION]: ['AWSPREVIOUS'], [token]: ['AWSPENDING'] });

    await expect(isComplete(event)).resolves.toEqual({ IsComplete: false });

    const search = cloudWatchLogs.commandCalls(FilterLogEventsCommand)[0].args[0].input;
    expect(search.logGroupName).toBe(LOG_GROUP);
    expect(search.filterPattern).toBe(`{ $.token = "${token}" && $.message = "rotation step failed" }`);
    expect(search.startTime).toBeLessThanOrEqual(Number(event.Data!.StartedAt));
    // State inference is only needed once the verification fails.
    expect(secretsManager).not.toHaveReceivedCommand(ListSecretVersionIdsCommand);
  });

  test('complete: the token is AWSCURRENT and the old version AWSPREVIOUS', async () => {
    const { event, token } = await startRotation();
    givenLabels({ [token]: ['AWSCURRENT'], [CURRENT_VERSION]: ['AWSPREVIOUS'] });

    await expect(isComplete(event)).resolves.toEqual({
      IsComplete: true,
      Data: { NewVersionId: token, PreviousVersionId: CURRENT_VERSION, Verified: 'true' },
    });
    expect(cloudWatchLogs.calls()).toHaveLength(0);
  });

  test('complete when AWSPENDING stays on the new AWSCURRENT version', async () => {
    const { event, token } = await startRotation();
    givenLabels({ [token]: ['AWSCURRENT', 'AWSPENDING'], [CURRENT_VERSION]: ['AWSPREVIOUS'] });

    await expect(isComplete(event)).resolves.toEqual(expect.objectContaining({ IsComplete: true }));
  });

  test('complete wins over the time limit', async () => {
    const { event, token } = await startRotation();
    givenLabels({ [token]: ['AWSCURRENT'], [CURRENT_VERSION]: ['AWSPREVIOUS'] });

    await expect(isComplete(afterTimeLimit(event))).resolves.toEqual(expect.objectContaining({ IsComplete: true }));
  });

  test('an update that rotated is verified the same way', async () => {
    const update = updateEvent({ RotationFingerprint: 'fingerprint-2' });
    const { event, token } = await startRotation(update);
    givenLabels({ [token]: ['AWSCURRENT'], [CURRENT_VERSION]: ['AWSPREVIOUS'] });

    await expect(isComplete(event)).resolves.toEqual(expect.objectContaining({ IsComplete: true }));
  });

  test('never changes a label or starts a rotation, whatever it finds', async () => {
    const { event, token } = await startRotation();
    const states: Record<string, string[]>[] = [
      { [CURRENT_VERSION]: ['AWSCURRENT'], [token]: ['AWSPENDING'] },
      { [token]: ['AWSCURRENT'], [CURRENT_VERSION]: ['AWSPREVIOUS'], [STALE_VERSION]: ['AWSPENDING'] },
      { [CURRENT_VERSION]: ['AWSCURRENT'] },
    ];
    givenFailureLine(token, 'setSecret', 'boom');
    for (const state of states) {
      givenLabels(state);
      await isComplete(event).catch(() => undefined);
    }
    expect(secretsManager).not.toHaveReceivedCommand(UpdateSecretVersionStageCommand);
    expect(secretsManager).not.toHaveReceivedCommand(RotateSecretCommand);
  });
});

describe('isComplete: a step failure found in the log group', () => {
  test.each([
    ['createSecret', 'Key is missing from secret JSON: password'],
    ['setSecret', 'Unable to log into database with previous, current, or pending secret'],
    ['testSecret', 'Unable to log into database with pending secret'],
    ['finishSecret', 'UpdateSecretVersionStage failed: AccessDeniedException'],
  ])('%s: names the step, its error, the versions, the log group and the remedy', async (step, logged) => {
    const { event, token } = await startRotation();
    givenLabels({ [CURRENT_VERSION]: ['AWSCURRENT'], [PREVIOUS_VERSION]: ['AWSPREVIOUS'], [token]: ['AWSPENDING'] });
    givenFailureLine(token, step, logged);

    const error = await thrownBy(() => isComplete(event));

    expect(error.message).toContain(`Rotation of secret "app/database" (${SECRET_ARN}) failed in step ${step}: ${logged}`);
    expect(error.message).toContain(`${CURRENT_VERSION} [AWSCURRENT]`);
    expect(error.message).toContain(`${token} [AWSPENDING] (this rotation)`);
    expect(error.message).toContain(`AWSCURRENT is still on version ${CURRENT_VERSION}, the value from before this rotation`);
    expect(error.message).toContain(`CloudWatch log group ${LOG_GROUP}, search for ${token}`);
    expect(error.message).toContain(`--remove-from-version-id ${token}`);
    // One line, and no stack frames for CloudFormation to append to it.
    expect(error.message).not.toContain('\n');
    expect(error.stack).toBe(`VerificationError: ${error.message}`);
    // It failed at once, without waiting for the time limit or inferring from state.
    expect(secretsManager).not.toHaveReceivedCommand(ListSecretVersionIdsCommand);
  });

  test('a failure line behind Lambda\'s text prefix is still read', async () => {
    const { event, token } = await startRotation();
    givenLabels({ [CURRENT_VERSION]: ['AWSCURRENT'], [token]: ['AWSPENDING'] });
    cloudWatchLogs.on(FilterLogEventsCommand).resolves({
      events: [{
        timestamp: Date.now(),
        message: `2026-11-25T10:00:00.000Z\t0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0\tERROR\t${failureLine(token, 'testSecret', 'login refused')}`,
      }],
    });

    const error = await thrownBy(() => isComplete(event));

    expect(error.message).toContain('failed in step testSecret: login refused.');
  });
});

describe('isComplete: the time limit passed with no failure line (state inference)', () => {
  async function timedOut(kmsKeyIds: string[] | undefined): Promise<{ message: string; token: string }> {
    const { event, token } = await startRotation();
    givenLabels({ [CURRENT_VERSION]: ['AWSCURRENT'], [PREVIOUS_VERSION]: ['AWSPREVIOUS'], [token]: ['AWSPENDING'] });
    secretsManager.on(ListSecretVersionIdsCommand).resolves({
      Versions: [
        { VersionId: CURRENT_VERSION, VersionStages: ['AWSCURRENT'], KmsKeyIds: ['DefaultEncryptionKey'] },
        { VersionId: token, VersionStages: ['AWSPENDING'], ...(kmsKeyIds ? { KmsKeyIds: kmsKeyIds } : {}) },
      ],
    });
    const error = await thrownBy(() => isComplete(afterTimeLimit(event)));
    return { message: error.message, token };
  }

  test('pending version without a value: createSecret did not complete', async () => {
    const { message, token } = await timedOut([]);

    expect(message).toContain('did not finish within 600 seconds');
    expect(message).toContain(`The pending version ${token} has no value yet, so createSecret did not complete.`);
    expect(message).toContain(`AWSCURRENT is still on version ${CURRENT_VERSION}`);
    expect(message).toContain(`CloudWatch log group ${LOG_GROUP}`);
    expect(message).toContain(`${token} [AWSPENDING] (this rotation)`);
  });

  test('pending version with a value: setSecret, testSecret or finishSecret did not complete', async () => {
    const { message } = await timedOut(['DefaultEncryptionKey']);

    expect(message).toContain('has a value but is not AWSCURRENT, so setSecret, testSecret or finishSecret did not complete.');
  });

  test('nothing known about the value: any of the four steps', async () => {
    const { message } = await timedOut(undefined);

    expect(message).toContain('one of createSecret, setSecret, testSecret or finishSecret did not complete.');
  });

  test('a Lambda timeout in the log group is quoted as a hint', async () => {
    cloudWatchLogs.on(FilterLogEventsCommand, { filterPattern: RUNTIME_FAILURE_FILTER_PATTERN }).resolves({
      events: [{
        timestamp: Date.now(),
        message: '2026-11-25T10:00:30.000Z 0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0 Task timed out after 30.03 seconds',
      }],
    });

    const { message } = await timedOut(undefined);

    expect(message).toContain('"Task timed out after 30.03 seconds"');
    expect(message).toContain('cannot reach the Secrets Manager endpoint or the database');
  });

  test('no log group: the rotation function has not run', async () => {
    cloudWatchLogs.on(FilterLogEventsCommand).rejects(new ResourceNotFoundException({
      message: 'The specified log group does not exist.',
      $metadata: {},
    }));

    const { message } = await timedOut(undefined);

    expect(message).toContain(`Log group ${LOG_GROUP} does not exist, so the rotation function has not run`);
  });

  test('an unreadable log group is said, and the step is still inferred', async () => {
    cloudWatchLogs.on(FilterLogEventsCommand).rejects(Object.assign(
      new Error('User is not authorized to perform: logs:FilterLogEvents'),
      { name: 'AccessDeniedException' },
    ));

    const { message } = await timedOut([]);

    expect(message).toContain(`Log group ${LOG_GROUP} could not be searched (AccessDeniedException: User is not authorized`);
    expect(message).toContain('createSecret did not complete');
  });

  test('the pending version is looked up across ListSecretVersionIds pages', async () => {
    const { event, token } = await startRotation();
    givenLabels({ [CURRENT_VERSION]: ['AWSCURRENT'], [token]: ['AWSPENDING'] });
    secretsManager
      .on(ListSecretVersionIdsCommand)
      .resolvesOnce({ Versions: [{ VersionId: CURRENT_VERSION, KmsKeyIds: ['DefaultEncryptionKey'] }], NextToken: 'page-2' })
      .resolvesOnce({ Versions: [{ VersionId: token, KmsKeyIds: [] }] });

    const error = await thrownBy(() => isComplete(afterTimeLimit(event)));

    expect(secretsManager.commandCalls(ListSecretVersionIdsCommand)[1].args[0].input.NextToken).toBe('page-2');
    expect(error.message).toContain('createSecret did not complete');
  });

  test('a failing ListSecretVersionIds leaves the value unknown instead of hiding the failure', async () => {
    const { event, token } = await startRotation();
    givenLabels({ [CURRENT_VERSION]: ['AWSCURRENT'], [token]: ['AWSPENDING'] });
    secretsManager.on(ListSecretVersionIdsCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));

    const error = await thrownBy(() => isComplete(afterTimeLimit(event)));

    expect(error.message).toContain('one of createSecret, setSecret, testSecret or finishSecret did not complete.');
  });

  test('before the time limit an unreadable log group only delays the answer', async () => {
    const { event, token } = await startRotation();
    givenLabels({ [CURRENT_VERSION]: ['AWSCURRENT'], [token]: ['AWSPENDING'] });
    cloudWatchLogs.on(FilterLogEventsCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));

    await expect(isComplete(event)).resolves.toEqual({ IsComplete: false });
  });
});

describe('isComplete: labels wrong after the rotation', () => {
  test('AWSPENDING left on another version after the token became AWSCURRENT', async () => {
    const { event, token } = await startRotation();
    givenLabels({ [token]: ['AWSCURRENT'], [CURRENT_VERSION]: ['AWSPREVIOUS'], [STALE_VERSION]: ['AWSPENDING'] });

    const error = await thrownBy(() => isComplete(event));

    expect(error.message).toContain(`moved AWSCURRENT to the new version ${token}, but the staging labels are inconsistent`);
    expect(error.message).toContain(`AWSPENDING is on version ${STALE_VERSION}, not on the AWSCURRENT version`);
    expect(error.message).toContain(`--remove-from-version-id ${STALE_VERSION}`);
    expect(error.message).toContain(`CloudWatch log group ${LOG_GROUP}`);
  });

  test('the old AWSCURRENT version did not become AWSPREVIOUS', async () => {
    const { event, token } = await startRotation();
    givenLabels({ [token]: ['AWSCURRENT'], [PREVIOUS_VERSION]: ['AWSPREVIOUS'] });

    const error = await thrownBy(() => isComplete(event));

    expect(error.message).toContain(
      `AWSPREVIOUS is on version ${PREVIOUS_VERSION}, but it belongs on version ${CURRENT_VERSION}`,
    );
  });

  test('the rotation\'s version lost its label: interrupted', async () => {
    const { event, token } = await startRotation();
    givenLabels({ [STALE_VERSION]: ['AWSCURRENT'], [CURRENT_VERSION]: ['AWSPREVIOUS'] });

    const error = await thrownBy(() => isComplete(event));

    expect(error.message).toContain(`version ${token}, started by this deploy, no longer has a staging label`);
    expect(error.message).toContain(`AWSCURRENT is on version ${STALE_VERSION}.`);
  });

  test('Data from onEvent with a malformed token is rejected by name', async () => {
    const { event } = await startRotation();

    const error = await thrownBy(() => isComplete({ ...event, Data: { ...event.Data, RotationToken: 'short' } }));

    expect(error.message).toContain('Data.RotationToken from onEvent must be a rotation token, got "short"');
    expect(secretsManager.calls()).toHaveLength(0);
  });

  test('the secret is named from its ARN when DescribeSecret leaves the name out', async () => {
    const { event, token } = await startRotation();
    secretsManager.on(DescribeSecretCommand).resolves({ VersionIdsToStages: { [CURRENT_VERSION]: ['AWSCURRENT'], [token]: ['AWSPENDING'] } });
    givenFailureLine(token, 'setSecret', 'refused');

    const error = await thrownBy(() => isComplete(event));

    expect(error.message).toContain(`Rotation of secret "app/database" (${SECRET_ARN}) failed in step setSecret`);
  });

  test('Data from onEvent without a start time is rejected by name', async () => {
    const { event } = await startRotation();

    const error = await thrownBy(() => isComplete({ ...event, Data: { ...event.Data, StartedAt: undefined } }));

    expect(error.message).toContain('Data.StartedAt from onEvent must be epoch milliseconds');
  });
});
