import { LocalCloud } from '../support/cloud';
import {
  acceptedLabels, checkLogGroup, deployer, FLAVOURS, loginsByLabel, stackName, stackStatuses, until, versionOf,
} from '../support/scenario-apps';

/**
 * The deploy-time check when a deploy overlaps a rotation Secrets Manager is running (issue findings 2 and 4, and a
 * slow configuration test), on a generic secret and on the single-user master secret of a PostgreSQL instance of the
 * stack. A rotation is held before one of its steps (as a slow function would keep it there) while the deploy runs;
 * the test lets it go on only once the check has seen it, so the order of events is CloudFormation's and Secrets
 * Manager's, never a sleep's.
 */

jest.setTimeout(900_000);

const DAY = 86_400_000;
const WAITING = 'a rotation may be running: waiting for it';

let cloud: LocalCloud;
beforeAll(async () => (cloud = await LocalCloud.start()));
afterAll(() => cloud.stop());

/** Rotations of a secret that succeeded, in order, as `trigger token`. */
function succeeded(arn: string): string[] {
  return cloud.sim.events.filter((e) => e.secretArn === arn && e.type === 'RotationSucceeded').map((e) => `${e.trigger} ${e.token}`);
}

describe.each(FLAVOURS)('%s', (_name, flavour) => {
  test('a slow configuration test passes; finding 2: a deploy during it waits for it and never takes its label, even with repairStalePending', async () => {
    const name = stackName('ConfigurationTest', flavour);
    const app = deployer(cloud, name, flavour);
    const hold = cloud.sim.holdRotations({ trigger: 'configuration-test', step: 'testSecret' });
    try {
      // The schedule (RotateImmediately=false) does not wait for its configuration test: the stack completes first.
      expect((await app({ rotate: true })).status).toBe('CREATE_COMPLETE');
      const arn = flavour.secretArn(cloud, name);
      const configurationTest = await hold.reached;
      expect(configurationTest.secretArn).toBe(arn);
      expect(versionOf(await cloud.labels(arn), 'AWSPENDING')).toBe(configurationTest.token);

      const update = app({ rotate: true, passwordLength: 40, verification: { repairStalePending: true } });
      await until('the check to wait for the configuration test', () => cloud.logged(checkLogGroup(cloud, name), WAITING));
      expect(versionOf(await cloud.labels(arn), 'AWSPENDING')).toBe(configurationTest.token);
      hold.release();
      expect((await update).status).toBe('UPDATE_COMPLETE');

      // The configuration test finished, then the check's rotation.
      expect(succeeded(arn).slice(-2)).toEqual([`configuration-test ${configurationTest.token}`, expect.stringMatching(/^RotateSecret /)]);
      expect(versionOf(await cloud.settledLabels(arn), 'AWSPENDING')).toBeUndefined();
      if (flavour.singleUser) expect((await loginsByLabel(cloud, flavour, arn)).AWSCURRENT).toBe('accepted');
      else expect(await cloud.value(arn)).toMatch(/^[A-Za-z0-9]{40}$/);
    } finally {
      hold.release();
    }
    expect(stackStatuses(cloud, name).filter((status) => status.endsWith('FAILED'))).toEqual([]);
    expect((await cloud.cfn.delete(name)).status).toBe('DELETE_COMPLETE');
  });

  test('finding 4: a deploy during a scheduled rotation held between setSecret and finishSecret passes; the rotation keeps its label and finishes', async () => {
    const name = stackName('ScheduledRotation', flavour);
    const app = deployer(cloud, name, flavour);
    expect((await app({ rotate: true })).status).toBe('CREATE_COMPLETE');
    const arn = flavour.secretArn(cloud, name);
    await cloud.settledLabels(arn);

    const hold = cloud.sim.holdRotations({ trigger: 'schedule', step: 'finishSecret', secretArn: arn });
    // The 30-day schedule comes due; advance resolves once the scheduled rotation has ended.
    const scheduledRotation = cloud.sim.clock.advance(31 * DAY);
    try {
      const scheduled = await hold.reached;
      // Single user: setSecret gave the server the pending password, the only one it takes now.
      const during = flavour.singleUser ? ['AWSPENDING'] : [];
      expect(await acceptedLabels(cloud, flavour, arn)).toEqual(during);

      const update = app({ rotate: true, passwordLength: 40, verification: { repairStalePending: true } });
      await until('the check to wait for the scheduled rotation', () => cloud.logged(checkLogGroup(cloud, name), WAITING));
      expect(versionOf(await cloud.labels(arn), 'AWSPENDING')).toBe(scheduled.token);
      expect(await acceptedLabels(cloud, flavour, arn)).toEqual(during);
      hold.release();
      await scheduledRotation;
      expect((await update).status).toBe('UPDATE_COMPLETE');

      // The scheduled rotation finished, then the check's.
      expect(succeeded(arn).slice(-2)).toEqual([`schedule ${scheduled.token}`, expect.stringMatching(/^RotateSecret /)]);
      // The scheduled rotation's version keeps a label: it became AWSCURRENT, then AWSPREVIOUS after the check's rotation.
      const labels = await cloud.settledLabels(arn);
      expect(labels[scheduled.token]).toEqual(['AWSPREVIOUS']);
      if (flavour.singleUser) expect((await loginsByLabel(cloud, flavour, arn)).AWSCURRENT).toBe('accepted');
      else expect(await cloud.value(arn)).toMatch(/^[A-Za-z0-9]{40}$/);
    } finally {
      hold.release();
      await scheduledRotation;
    }
    expect(stackStatuses(cloud, name).filter((status) => status.endsWith('FAILED'))).toEqual([]);
    expect((await cloud.cfn.delete(name)).status).toBe('DELETE_COMPLETE');
  });
});
