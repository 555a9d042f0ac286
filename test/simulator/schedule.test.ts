import {
  CancelRotateSecretCommand, CreateSecretCommand, DeleteSecretCommand, DescribeSecretCommand, PutSecretValueCommand,
  RestoreSecretCommand, RotateSecretCommand, RotationRulesType, SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { FUNCTION_ARN, pendingIsSettled, START, startSimulator, stagesOf, templateRotation, versionWith } from './support';
import { SecretsManagerSimulator } from '../../simulator';
import { parseRotationRules } from '../../simulator/schedule';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

/** The next window (start, end) for a rotation at `base`, as ISO strings. */
function next(rules: Parameters<typeof parseRotationRules>[0], base = START, notBefore = base + 1) {
  const schedule = parseRotationRules(rules);
  const start = schedule.nextWindowStart(base, notBefore);
  return start === undefined ? undefined : [iso(start), iso(start + schedule.windowLength(start))];
}

describe('rotation windows (START is Tuesday 2030-01-01 10:17 UTC)', () => {
  test.each([
    ['AutomaticallyAfterDays 7: midnight seven days later, for the whole day', { automaticallyAfterDays: 7 }, ['2030-01-08T00:00:00.000Z', '2030-01-09T00:00:00.000Z']],
    ['rate(10 days)', { scheduleExpression: 'rate(10 days)' }, ['2030-01-11T00:00:00.000Z', '2030-01-12T00:00:00.000Z']],
    ['rate(1 day) with a 4h window', { scheduleExpression: 'rate(1 day)', duration: '4h' }, ['2030-01-02T00:00:00.000Z', '2030-01-02T04:00:00.000Z']],
    ['rate(6 hours): windows at 0, 6, 12, 18 h, at least 6 h later, one hour long', { scheduleExpression: 'rate(6 hours)' }, ['2030-01-01T18:00:00.000Z', '2030-01-01T19:00:00.000Z']],
    ['rate(48 hours) counts in days', { scheduleExpression: 'rate(48 hours)' }, ['2030-01-03T00:00:00.000Z', '2030-01-04T00:00:00.000Z']],
    ['cron weekly: Sunday 04:00 to the end of the day', { scheduleExpression: 'cron(0 4 ? * SUN *)' }, ['2030-01-06T04:00:00.000Z', '2030-01-07T00:00:00.000Z']],
    ['cron with Duration', { scheduleExpression: 'cron(0 4 ? * SUN *)', duration: '3h' }, ['2030-01-06T04:00:00.000Z', '2030-01-06T07:00:00.000Z']],
    ['cron weekdays', { scheduleExpression: 'cron(0 8 ? * MON-FRI *)' }, ['2030-01-02T08:00:00.000Z', '2030-01-03T00:00:00.000Z']],
    ['cron later the same day', { scheduleExpression: 'cron(0 16 * * ? *)' }, ['2030-01-01T16:00:00.000Z', '2030-01-02T00:00:00.000Z']],
    ['cron several hours a day: one-hour windows', { scheduleExpression: 'cron(0 4/12 * * ? *)' }, ['2030-01-01T16:00:00.000Z', '2030-01-01T17:00:00.000Z']],
    ['cron last day of the month', { scheduleExpression: 'cron(0 17 L * ? *)' }, ['2030-01-31T17:00:00.000Z', '2030-02-01T00:00:00.000Z']],
    ['cron last Friday of the month', { scheduleExpression: 'cron(0 9 ? * 6L *)' }, ['2030-01-25T09:00:00.000Z', '2030-01-26T00:00:00.000Z']],
    ['cron first Sunday of the month', { scheduleExpression: 'cron(0 0 ? * SUN#1 *)' }, ['2030-01-06T00:00:00.000Z', '2030-01-07T00:00:00.000Z']],
    ['cron nearest weekday to the 5th (a Saturday)', { scheduleExpression: 'cron(0 10 5W * ? *)' }, ['2030-01-04T10:00:00.000Z', '2030-01-05T00:00:00.000Z']],
    ['cron days and months lists, later the same day', { scheduleExpression: 'cron(0 12 1,15 JUL,JAN ? *)' }, ['2030-01-01T12:00:00.000Z', '2030-01-02T00:00:00.000Z']],
    ['cron days and months lists, a later day', { scheduleExpression: 'cron(0 9 1,15 JUL,JAN ? *)' }, ['2030-01-15T09:00:00.000Z', '2030-01-16T00:00:00.000Z']],
    ['cron every third month from March', { scheduleExpression: 'cron(0 1 1 3/3 ? *)' }, ['2030-03-01T01:00:00.000Z', '2030-03-02T00:00:00.000Z']],
  ])('%s', (_name, rules, expected) => {
    expect(next(rules)).toEqual(expected);
  });

  test('hourly windows restart each day at midnight', () => {
    // rate(5 hours) opens at 0, 5, 10, 15 and 20 h; from 20:00 the next is 05:00 (01:00 is not a window)
    expect(next({ scheduleExpression: 'rate(5 hours)' }, Date.parse('2030-01-01T20:00:00Z'))).toEqual(['2030-01-02T05:00:00.000Z', '2030-01-02T06:00:00.000Z']);
  });

  test('after a failure the next attempt is the next window, not a whole interval later', () => {
    const failedAt = Date.parse('2030-01-08T00:00:00Z');
    expect(next({ automaticallyAfterDays: 7 }, START, failedAt + 1)).toEqual(['2030-01-09T00:00:00.000Z', '2030-01-10T00:00:00.000Z']);
  });

  test.each([
    [{ automaticallyAfterDays: 2, scheduleExpression: 'rate(2 days)' }, /both rotation frequency and schedule expression/],
    [{ scheduleExpression: 'rate(2 hours)' }, /more often than every 4 hours/],
    [{ scheduleExpression: 'rate(1001 days)' }, /between 1 and 1000 days/],
    [{ scheduleExpression: 'every day' }, /must be rate\(\.\.\.\) or cron\(\.\.\.\)/],
    [{ scheduleExpression: 'cron(30 4 * * ? *)' }, /minutes must be 0/],
    [{ scheduleExpression: 'cron(0 4 * * ? 2030)' }, /year must be \*/],
    [{ scheduleExpression: 'cron(0 4 * * MON *)' }, /exactly one of day-of-month and day-of-week must be \?/],
    [{ scheduleExpression: 'cron(0 25 * * ? *)' }, /"25" is not between 0 and 23/],
    [{ scheduleExpression: 'cron(0 4 ? * SUN *)', duration: '21h' }, /must not extend into the next rotation window or the next UTC day/],
    // windows at 04:00 and 16:00: the second must end by midnight
    [{ scheduleExpression: 'cron(0 4/12 * * ? *)', duration: '9h' }, /at most 8h/],
    [{ scheduleExpression: 'rate(1 day)', duration: '4 hours' }, /Duration must be a number of hours/],
  ])('%j is refused', (rules, message) => {
    expect(() => parseRotationRules(rules)).toThrow(message);
    try {
      parseRotationRules(rules);
    } catch (error) {
      expect((error as { code: string }).code).toBe('InvalidParameterException');
    }
  });
});

describe('scheduled rotations as the clock advances', () => {
  let simulator: SecretsManagerSimulator;
  let client: SecretsManagerClient;
  let failTestSecret = false;

  beforeEach(async () => {
    ({ simulator, client } = await startSimulator({ maxRotationAttempts: 2 }));
    failTestSecret = false;
    simulator.registerFunction(FUNCTION_ARN, templateRotation(client, (event) => {
      if (failTestSecret && event.Step === 'testSecret') throw new Error('the new value does not work');
    }));
  });

  afterEach(async () => {
    client.destroy();
    await simulator.stop();
  });

  async function rotatingSecret(name: string, rules: RotationRulesType) {
    const created = await client.send(new CreateSecretCommand({ Name: name, SecretString: 'initial' }));
    await client.send(new RotateSecretCommand({ SecretId: created.ARN, RotationLambdaARN: FUNCTION_ARN, RotationRules: rules }));
    await simulator.waitForIdle();
    return created.ARN!;
  }

  const succeeded = (arn: string) =>
    simulator.events.filter((e) => e.secretArn === arn && e.type === 'RotationSucceeded' && e.trigger === 'schedule').map((e) => iso(e.time));

  test('rotations of several secrets run at their window starts, in time order', async () => {
    const weekly = await rotatingSecret('weekly', { AutomaticallyAfterDays: 7 });
    const everyThreeDays = await rotatingSecret('every-three-days', { ScheduleExpression: 'rate(3 days)' });

    await simulator.clock.advance(14 * DAY);

    expect(succeeded(weekly)).toEqual(['2030-01-08T00:00:00.000Z', '2030-01-15T00:00:00.000Z']);
    expect(succeeded(everyThreeDays)).toEqual(['2030-01-04T00:00:00.000Z', '2030-01-07T00:00:00.000Z', '2030-01-10T00:00:00.000Z', '2030-01-13T00:00:00.000Z']);
    const times = simulator.events.map((e) => e.time);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(simulator.clock.now()).toBe(START + 14 * DAY);
    const description = await client.send(new DescribeSecretCommand({ SecretId: weekly }));
    expect(iso(description.LastRotatedDate?.getTime())).toBe('2030-01-15T00:00:00.000Z');
    expect(iso(description.NextRotationDate?.getTime())).toBe('2030-01-23T00:00:00.000Z');
  });

  test('a cron schedule with a window rotates at the window start and reports the window end as NextRotationDate', async () => {
    const arn = await rotatingSecret('cron', { ScheduleExpression: 'cron(0 4 ? * SUN *)', Duration: '3h' });
    expect(iso((await client.send(new DescribeSecretCommand({ SecretId: arn }))).NextRotationDate?.getTime())).toBe('2030-01-06T07:00:00.000Z');

    await simulator.clock.advance(13 * DAY);

    expect(succeeded(arn)).toEqual(['2030-01-06T04:00:00.000Z', '2030-01-13T04:00:00.000Z']);
  });

  test('a manual PutSecretValue counts as a rotation: the schedule counts from it', async () => {
    const arn = await rotatingSecret('manual', { AutomaticallyAfterDays: 7 });
    await simulator.clock.advance(3 * DAY);
    await client.send(new PutSecretValueCommand({ SecretId: arn, SecretString: 'changed by hand' }));

    await simulator.clock.advance(Date.parse('2030-01-10T23:00:00Z') - simulator.clock.now());
    expect(succeeded(arn)).toEqual([]);
    await simulator.clock.advance(2 * HOUR);

    expect(succeeded(arn)).toEqual(['2030-01-11T00:00:00.000Z']);
  });

  test('a failed scheduled rotation is re-attempted at the next window with the same token', async () => {
    const arn = await rotatingSecret('flaky', { AutomaticallyAfterDays: 1 });
    failTestSecret = true;

    await simulator.clock.advance(DAY);
    const failed = simulator.events.filter((e) => e.type === 'RotationFailed');
    expect(failed.map((e) => [iso(e.time), e.step, e.final])).toEqual([
      ['2030-01-02T00:00:00.000Z', 'testSecret', false],
      ['2030-01-02T00:00:00.000Z', 'testSecret', true],
    ]);
    const pending = versionWith(await stagesOf(client, arn), 'AWSPENDING');
    expect(pending).toBe(failed[0].token);
    // NextRotationDate is not moved by a failure: it is now in the past
    expect(iso((await client.send(new DescribeSecretCommand({ SecretId: arn }))).NextRotationDate?.getTime())).toBe('2030-01-03T00:00:00.000Z');

    failTestSecret = false;
    await simulator.clock.advance(DAY);

    const last = simulator.events[simulator.events.length - 1];
    expect(last).toMatchObject({ type: 'RotationSucceeded', token: pending, time: Date.parse('2030-01-03T00:00:00Z') });
    expect(versionWith(await stagesOf(client, arn), 'AWSCURRENT')).toBe(pending);
  });

  test('no scheduled rotation after CancelRotateSecret, nor while the secret is scheduled for deletion', async () => {
    const cancelled = await rotatingSecret('cancelled', { AutomaticallyAfterDays: 1 });
    const deleted = await rotatingSecret('deleted', { AutomaticallyAfterDays: 1 });
    await client.send(new CancelRotateSecretCommand({ SecretId: cancelled }));
    await client.send(new DeleteSecretCommand({ SecretId: deleted, RecoveryWindowInDays: 30 }));

    await simulator.clock.advance(5 * DAY);
    expect(succeeded(cancelled)).toEqual([]);
    expect(succeeded(deleted)).toEqual([]);

    await client.send(new RestoreSecretCommand({ SecretId: deleted }));
    await simulator.clock.advance(DAY);
    expect(succeeded(deleted)).toEqual(['2030-01-07T00:00:00.000Z']);
  });

  test('fifty scheduled rotations are driven by one advance; each leaves the labels settled', async () => {
    const arn = await rotatingSecret('daily', { AutomaticallyAfterDays: 1 });
    const currents: string[] = [];
    simulator.onRotationEvent((event) => {
      if (event.type === 'RotationSucceeded') currents.push(event.token);
    });

    await simulator.clock.advance(50 * DAY);

    expect(succeeded(arn)).toHaveLength(50);
    expect(new Set(currents).size).toBe(50);
    const stages = await stagesOf(client, arn);
    expect(pendingIsSettled(stages)).toBe(true);
    expect(versionWith(stages, 'AWSCURRENT')).toBe(currents[49]);
    expect(versionWith(stages, 'AWSPREVIOUS')).toBe(currents[48]);
  });
});
