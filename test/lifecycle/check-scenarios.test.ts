import * as net from 'node:net';
import { Duration } from 'aws-cdk-lib';
import { removePendingCommand } from '../../lambda/verify/messages';
import { LocalCloud } from '../support/cloud';
import {
  acceptedLabels, deployer, FLAVOURS, lastFailureReason, loginsByLabel, POSTGRES, rotationFunctionOf, stackName, stackStatuses, versionOf,
} from '../support/scenario-apps';

/**
 * The deploy-time check through CloudFormation's lifecycle on its worst days (issue findings 3, 5, 6 and 7): a
 * rotation that fails on the first deploy or on an update, and a database that does not answer. Each runs on a
 * generic secret and on the single-user master secret of a PostgreSQL instance of the stack (a password-checking
 * server). Only CloudFormation, Secrets Manager and the database act; every failure message is read against the
 * state it describes, with the database's own answer to each login.
 * (Findings 1 and 7's synth checks are in validation.test.ts and database-strategies.test.ts.)
 */

jest.setTimeout(900_000);

let cloud: LocalCloud;
beforeAll(async () => {
  cloud = await LocalCloud.start();
});
afterAll(async () => {
  await cloud.stop();
});

/** No operation of the stack ended in a failed rollback. */
function expectNoFailedRollback(name: string): void {
  expect(stackStatuses(cloud, name).filter((status) => status.endsWith('ROLLBACK_FAILED'))).toEqual([]);
}

/** The version of `label` in a failure message's version list (`id [AWSCURRENT]`). */
function versionInMessage(message: string, label: string): string {
  const found = new RegExp(`([0-9A-Za-z-]{32,64}) \\[${label}\\]`).exec(message);
  if (!found) throw new Error(`the message lists no ${label} version: ${message}`);
  return found[1];
}

describe.each(FLAVOURS)('%s', (_name, flavour) => {
  test('finding 3: a failed first deploy of the rotation rolls back, the rollback settles its rotation, and the fixed redeploy passes with no manual step; finding 5: its message is true', async () => {
    const name = stackName('FirstRotation', flavour);
    const app = deployer(cloud, name, flavour);

    // A create whose rotation fails rolls back completely, naming the step.
    expect((await app({ rotate: true, broken: true })).status).toBe('ROLLBACK_COMPLETE');
    expect(lastFailureReason(cloud, name)).toContain(`failed in step ${flavour.brokenStep}`);

    // The secret exists before its rotation; the deploy that adds the rotation fails and rolls back.
    expect((await app({})).status).toBe('CREATE_COMPLETE');
    const arn = flavour.secretArn(cloud, name);
    const valueBefore = await cloud.value(arn);
    expect((await app({ rotate: true, broken: true })).status).toBe('UPDATE_ROLLBACK_COMPLETE');

    // The message describes the state when the check failed: the rotation's version still pending.
    const reason = lastFailureReason(cloud, name);
    const pending = versionInMessage(reason, 'AWSPENDING');
    const current = versionInMessage(reason, 'AWSCURRENT');
    expect(pending).not.toBe(current);
    expect(reason).toContain(`failed in step ${flavour.brokenStep}`);
    expect(reason).toContain(`${pending} [AWSPENDING] (this rotation)`);
    expect(reason).toContain('If the stack rolls back, the rollback settles this rotation');
    if (flavour.singleUser) {
      // setSecret ran: the server takes the pending password alone, and the message says so and keeps its label.
      expect(reason).toContain(`refuses the AWSCURRENT password (version ${current}) and accepts version ${pending}'s (AWSPENDING)`);
      expect(reason).toContain(`Do not remove AWSPENDING from version ${pending}`);
      expect(reason).not.toContain(removePendingCommand(arn, pending));
      expect(reason).not.toMatch(/clients keep working/i);
    } else {
      expect(reason).toContain('a pending value was never used');
      expect(reason).toContain(removePendingCommand(arn, pending));
    }

    // The rollback took the secret out of the check, which settled its rotation before the function was deleted.
    // Secrets Manager may still be retrying the failed rotation: its attempts stop at the label check of each step.
    const rolledBack = await cloud.labels(arn);
    expect(versionOf(rolledBack, 'AWSPENDING') === undefined || versionOf(rolledBack, 'AWSPENDING') === versionOf(rolledBack, 'AWSCURRENT')).toBe(true);
    if (flavour.singleUser) {
      // The only password the server takes became AWSCURRENT: clients log in again.
      expect(versionOf(rolledBack, 'AWSCURRENT')).toBe(pending);
      expect(versionOf(rolledBack, 'AWSPREVIOUS')).toBe(current);
      expect(await acceptedLabels(cloud, flavour, arn)).toContain('AWSCURRENT');
    } else {
      // The pending value was never used: the label is gone and the value is the one before.
      expect(versionOf(rolledBack, 'AWSCURRENT')).toBe(current);
      expect(await cloud.value(arn)).toBe(valueBefore);
    }

    // The fixed redeploy rotates with its new function, which IAM lets read the secret once RotateSecret names it.
    const fixed = await app({ rotate: true });
    expect(`${fixed.status} ${fixed.status === 'UPDATE_COMPLETE' ? '' : lastFailureReason(cloud, name)}`).toBe('UPDATE_COMPLETE ');
    const settled = await cloud.settledLabels(arn);
    expect(versionOf(settled, 'AWSPENDING')).toBeUndefined();
    if (flavour.singleUser) expect((await loginsByLabel(cloud, flavour, arn)).AWSCURRENT).toBe('accepted');
    expect(await rotationFunctionOf(cloud, arn)).toMatch(new RegExp(`:function:${cloud.physicalId(name, flavour.singleUser ? 'PostgresSingleUserRotation' : 'GenericRotation', 'AWS::Lambda::Function')}$`));
    expectNoFailedRollback(name);
    expect((await cloud.cfn.delete(name)).status).toBe('DELETE_COMPLETE');
  });

  test('finding 6: an update with a broken function fails and rolls back to UPDATE_ROLLBACK_COMPLETE with every login working', async () => {
    const name = stackName('FailedUpdate', flavour);
    const app = deployer(cloud, name, flavour);
    expect((await app({ rotate: true })).status).toBe('CREATE_COMPLETE');
    const arn = flavour.secretArn(cloud, name);
    const functionArn = await rotationFunctionOf(cloud, arn);
    expect(functionArn).toBeDefined();

    expect((await app({ rotate: true, broken: true, passwordLength: 40 })).status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(lastFailureReason(cloud, name)).toContain(`failed in step ${flavour.brokenStep}`);

    // The rollback settled the failed rotation with the reverted configuration: no stale label, the password works.
    await cloud.settledLabels(arn);
    if (flavour.singleUser) expect((await loginsByLabel(cloud, flavour, arn)).AWSCURRENT).toBe('accepted');
    else expect(await cloud.value(arn)).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(await rotationFunctionOf(cloud, arn)).toBe(functionArn);
    expectNoFailedRollback(name);
    expect((await cloud.cfn.delete(name)).status).toBe('DELETE_COMPLETE');
  });
});

/** A server that takes connections and never answers: a database that hangs, or a network that swallows packets. */
async function silentServer(port: number): Promise<{ close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
  return {
    close: () => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
}

test('finding 7: a database that does not answer fails the update with the named login failures, not "Task timed out"; the rollback leaves the password working', async () => {
  const name = stackName('Unreachable', POSTGRES);
  const app = (passwordLength: number) => deployer(cloud, name, POSTGRES)({ rotate: true, passwordLength, connectTimeout: Duration.seconds(5) });
  expect((await app(32)).status).toBe('CREATE_COMPLETE');
  const arn = POSTGRES.secretArn(cloud, name);
  await cloud.settledLabels(arn);

  const server = cloud.database(name, 'Orders');
  await server.stop();
  const silent = await silentServer(server.port);
  try {
    expect((await app(40)).status).toBe('UPDATE_ROLLBACK_COMPLETE');
  } finally {
    await silent.close();
    await server.start();
  }
  const reason = lastFailureReason(cloud, name);
  expect(reason).toContain('failed in step setSecret');
  expect(reason).toMatch(/pending: [^;]*timeout[^;]*; current: [^;]*timeout/i);
  expect(reason).not.toMatch(/Task timed out/);
  expectNoFailedRollback(name);

  // setSecret never reached the server: AWSCURRENT's password works, and the same update passes once it answers.
  expect((await loginsByLabel(cloud, POSTGRES, arn)).AWSCURRENT).toBe('accepted');
  expect((await app(40)).status).toBe('UPDATE_COMPLETE');
  expect((await loginsByLabel(cloud, POSTGRES, arn)).AWSCURRENT).toBe('accepted');
  expect((await cloud.cfn.delete(name)).status).toBe('DELETE_COMPLETE');
});
