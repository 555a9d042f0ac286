/**
 * The check's findings of issue 16 (the deploy-time check through the stack lifecycle), each as a scenario at the
 * handler level, in CloudFormation's and Secrets Manager's order of events:
 *  2. the rotation schedule's configuration test is not mistaken for a stale rotation;
 *  3. a stale AWSPENDING is settled before the check's own RotateSecret, in the same request;
 *  4. a rotation in progress is waited for, never stripped of its label;
 *  5. after setSecret of a single-user rotation, messages say which password works and never advise losing it;
 *  6. a failed update's rollback restores a consistent state instead of failing (UPDATE_ROLLBACK_FAILED).
 */
import { START } from './fake-aws';
import { FUNCTION_ARN, LOG_GROUP, entry, properties, request, secretArn } from './fixtures';
import { useCheckHarness } from './harness';
import { removePendingCommand } from '../../../lambda/verify/messages';
import { verifiedFingerprint } from '../../../lambda/verify/token';
import { VERIFIED_TAG } from '../../../src/private/contract';

const h = useCheckHarness();
const CURRENT = 'c0000000-0000-4000-8000-000000000001';
const OTHER = 'a0000000-0000-4000-8000-00000000000a';
const TWO_DAYS = 2 * 86_400_000;

function currentVersion(arn: string): string {
  return Object.entries(h.fake.stages(arn)).find(([, labels]) => labels.includes('AWSCURRENT'))![0];
}

/** A single-user secret whose service accepts its AWSCURRENT password. */
function singleUserSecret(name: string, tags: Record<string, string> = {}): string {
  h.fake.setBehaviour(FUNCTION_ARN, { strategy: 'single-user' });
  const arn = h.fake.addSecret(secretArn(name), { tags });
  h.fake.servicePasswords.set(arn, h.fake.value(arn, CURRENT)!);
  return arn;
}

describe('finding 2: the schedule\'s configuration test', () => {
  test('its temporary AWSPENDING (created a moment ago) is waited for and never removed, even with repairStalePending; then the check rotates', async () => {
    const arn = h.fake.addSecret(secretArn('app/api-key'));
    // RotateImmediately=false: Secrets Manager runs testSecret on a copy of the current value, then removes the label.
    h.fake.addVersion(arn, OTHER, { value: h.fake.value(arn, CURRENT), stages: ['AWSPENDING'] });
    h.fake.inBackground(() => {
      h.fake.secrets.get(arn)!.versions.get(OTHER)!.stages = [];
    });

    await h.invoke(request('Create', properties([entry(arn, { repairStalePending: true })]), h.server.url));

    expect(h.fake.calls).toEqual(['RotateSecret', 'TagResource']);
    expect(h.answer()).toMatchObject({ Status: 'SUCCESS', Data: { Verified: '1' } });
    expect(h.logLines.some((line) => JSON.parse(line).message === 'a rotation may be running: waiting for it')).toBe(true);
  });
});

describe('finding 3: a stale AWSPENDING is settled before anything calls RotateSecret', () => {
  test('with repairStalePending, an abandoned foreign rotation\'s label is removed (AWSCURRENT\'s password works), then the check rotates', async () => {
    const arn = singleUserSecret('app/database');
    h.fake.addVersion(arn, OTHER, { value: 'fake-password-abandoned', stages: ['AWSPENDING'], createdAt: START - TWO_DAYS });

    await h.invoke(request('Create', properties([entry(arn, { repairStalePending: true })]), h.server.url));

    expect(h.fake.calls).toEqual(['Invoke probe', 'UpdateSecretVersionStage AWSPENDING', 'RotateSecret', 'TagResource']);
    const answer = h.answer();
    expect(answer).toMatchObject({ Status: 'SUCCESS', Data: { Verified: '1' } });
    expect(answer.Data!.Notes).toContain(`removed the stale AWSPENDING label from version ${OTHER} (the AWSCURRENT password works)`);
    expect(h.fake.servicePasswords.get(arn)).toBe(h.fake.value(arn, currentVersion(arn)));
  });

  test('without it, the request fails before any RotateSecret with a true message: the label is removable, and how', async () => {
    const arn = singleUserSecret('app/database');
    h.fake.addVersion(arn, OTHER, { value: 'fake-password-abandoned', stages: ['AWSPENDING'], createdAt: START - TWO_DAYS });

    await h.invoke(request('Create', properties([entry(arn)]), h.server.url));

    expect(h.fake.calls).toEqual(['Invoke probe']);
    expect(h.answer()).toMatchObject({
      Status: 'FAILED',
      Reason: `Secret "app/database" (${arn}) has AWSPENDING on version ${OTHER}, not on the AWSCURRENT version (${CURRENT}): `
        + 'a rotation this check did not start stopped without finishing (nothing logged for it lately), and RotateSecret refuses to start until that label is removed. '
        + `Versions: ${CURRENT} [AWSCURRENT]; ${OTHER} [AWSPENDING]. `
        + `The service accepts the AWSCURRENT password (version ${CURRENT}): clients keep working. `
        + `Removing AWSPENDING from version ${OTHER} loses nothing: "${removePendingCommand(arn, OTHER)}". `
        + 'Or set repairStalePending: the check then removes the label, since the AWSCURRENT password works.',
    });
  });

  test('with repairStalePending, an abandoned rotation whose password alone works is completed, not stripped', async () => {
    const arn = singleUserSecret('app/database');
    // setSecret ran, then the rotation was abandoned: the service has the pending password only.
    h.fake.addVersion(arn, OTHER, { value: 'fake-password-pending', stages: ['AWSPENDING'], createdAt: START - TWO_DAYS });
    h.fake.servicePasswords.set(arn, 'fake-password-pending');

    await h.invoke(request('Create', properties([entry(arn, { repairStalePending: true })]), h.server.url));

    expect(h.fake.calls).toEqual([
      'Invoke probe', 'Invoke createSecret', 'Invoke setSecret', 'Invoke testSecret', 'Invoke finishSecret', 'RotateSecret', 'TagResource',
    ]);
    expect(h.answer().Data!.Notes).toContain(`resumed rotation ${OTHER} to completion`);
    expect(h.fake.stages(arn)[OTHER]).toEqual(['AWSPREVIOUS']);
    expect(h.fake.servicePasswords.get(arn)).toBe(h.fake.value(arn, currentVersion(arn)));
  });
});

describe('finding 4: a rotation in progress is not an abandoned one', () => {
  /** A scheduled re-attempt of an old pending version, between setSecret and finishSecret: it logs steps now. */
  function rotationInProgress(arn: string): void {
    h.fake.addVersion(arn, OTHER, { value: 'fake-password-scheduled', stages: ['AWSPENDING'], createdAt: START - TWO_DAYS });
    h.fake.servicePasswords.set(arn, 'fake-password-scheduled');
    h.fake.log(LOG_GROUP, { level: 'info', message: 'rotation step started', step: 'setSecret', secretArn: arn, token: OTHER });
  }

  test('it is waited for, even with repairStalePending, and the check rotates once it has finished', async () => {
    const arn = singleUserSecret('app/database');
    rotationInProgress(arn);
    h.fake.inBackground(() => h.fake.runStep(FUNCTION_ARN, 'finishSecret', arn, OTHER));

    await h.invoke(request('Create', properties([entry(arn, { repairStalePending: true })]), h.server.url));

    expect(h.fake.calls).toEqual(['RotateSecret', 'TagResource']);
    expect(h.answer()).toMatchObject({ Status: 'SUCCESS', Data: { Verified: '1' } });
    expect(h.fake.stages(arn)[OTHER]).toEqual(['AWSPREVIOUS']);
    expect(h.fake.servicePasswords.get(arn)).toBe(h.fake.value(arn, currentVersion(arn)));
  });

  test('when it outlasts the time limit, the request fails, and the label stays on the password the service has', async () => {
    const arn = singleUserSecret('app/database');
    rotationInProgress(arn);

    await h.invoke(request('Create', properties([entry(arn, { repairStalePending: true, timeoutSeconds: 60 })]), h.server.url));

    expect(h.fake.calls).toEqual([]);
    expect(h.answer().Status).toBe('FAILED');
    expect(h.answer().Reason).toContain('a rotation may be running');
    expect(h.answer().Reason).toContain('The check waited 60 seconds, its time limit for this secret, and changed nothing');
    expect(h.fake.stages(arn)[OTHER]).toEqual(['AWSPENDING']);
  });
});

describe('finding 5: messages after setSecret of a single-user rotation', () => {
  test('say the service takes only the pending password, never that clients keep working, and the advice they give works', async () => {
    const arn = singleUserSecret('app/database');
    h.fake.setBehaviour(FUNCTION_ARN, { strategy: 'single-user', failStep: 'testSecret' });

    await h.invoke(request('Create', properties([entry(arn)]), h.server.url));

    const token = h.token('request-create-1', arn);
    const reason = h.answer().Reason;
    expect(reason).toBe(
      `Rotation of secret "app/database" (${arn}) failed in step testSecret: testSecret failed: the service refused the request. `
      + `Versions: ${CURRENT} [AWSCURRENT]; ${token} [AWSPENDING] (this rotation). `
      + `The service refuses the AWSCURRENT password (version ${CURRENT}) and accepts version ${token}'s (AWSPENDING): `
      + 'clients reading AWSCURRENT cannot log in now (setSecret already gave the service the pending password). '
      + `Do not remove AWSPENDING from version ${token}: its value is the one that works. `
      + `To let clients work now, move AWSCURRENT to it: "aws secretsmanager update-secret-version-stage --secret-id ${arn} --version-stage AWSCURRENT --move-to-version-id ${token} --remove-from-version-id ${CURRENT}". `
      + `If the stack rolls back, the rollback settles this rotation (the check's log says how); otherwise, after fixing the cause, deploy again: the check resumes rotation ${token} with the deployed function and verifies it. `
      + `Details: CloudWatch log group ${LOG_GROUP}, search for ${token}.`,
    );
    expect(reason).not.toContain('keep working');

    // The message read against the state it describes: following its command, clients read the working password.
    h.fake.secrets.get(arn)!.versions.get(CURRENT)!.stages = ['AWSPREVIOUS'];
    h.fake.secrets.get(arn)!.versions.get(token)!.stages.push('AWSCURRENT');
    expect(h.fake.servicePasswords.get(arn)).toBe(h.fake.value(arn, currentVersion(arn)));
  });

  test('when the function cannot say which password works, the message says so and advises keeping every label', async () => {
    const arn = singleUserSecret('app/database');
    h.fake.setBehaviour(FUNCTION_ARN, { strategy: 'single-user', failStep: 'testSecret', noProbe: true });

    await h.invoke(request('Create', properties([entry(arn)]), h.server.url));

    const token = h.token('request-create-1', arn);
    const reason = h.answer().Reason;
    expect(reason).toContain('Which password the service accepts is unknown: the rotation function did not answer the probe: RotationError: Rotation step failed: unknown step;');
    expect(reason).toContain('Keep every label until you know which password the service takes');
    expect(reason).toContain(`aws secretsmanager get-secret-value --secret-id ${arn} --version-id ${token} --query SecretString --output text`);
    expect(reason).not.toContain('--version-stage AWSPENDING --remove-from-version-id');
    expect(reason).not.toContain('keep working');
  });

  test('a failure before setSecret says clients keep working, which is then true', async () => {
    const arn = singleUserSecret('app/database');
    h.fake.setBehaviour(FUNCTION_ARN, { strategy: 'single-user', failStep: 'setSecret' });

    await h.invoke(request('Create', properties([entry(arn)]), h.server.url));

    expect(h.answer().Reason).toContain(`The service accepts the AWSCURRENT password (version ${CURRENT}): clients keep working.`);
    expect(h.fake.servicePasswords.get(arn)).toBe(h.fake.value(arn, CURRENT));
  });
});

describe('finding 6: the rollback of a failed update', () => {
  const VERIFIED = { [VERIFIED_TAG]: verifiedFingerprint('fingerprint-1', FUNCTION_ARN) };

  /** An update with a broken function fails after setSecret; CloudFormation then rolls the function back. */
  async function failedUpdate(arn: string): Promise<string> {
    h.fake.setBehaviour(FUNCTION_ARN, { strategy: 'single-user', failStep: 'testSecret' });
    await h.invoke(request('Update', properties([entry(arn, { fingerprint: 'fingerprint-2' })]), h.server.url, { requestId: 'update' }));
    expect(h.answers()[0].Status).toBe('FAILED');
    return h.token('update', arn);
  }

  test('does not rotate (its fingerprint was verified before) and resumes the failed rotation with the reverted function', async () => {
    const arn = singleUserSecret('app/database', VERIFIED);
    const token = await failedUpdate(arn);
    h.fake.setBehaviour(FUNCTION_ARN, { strategy: 'single-user' });
    h.fake.calls.length = 0;

    await h.invoke(request('Update', properties([entry(arn)]), h.server.url, { requestId: 'rollback' }));

    expect(h.fake.calls).toEqual(['Invoke createSecret', 'Invoke setSecret', 'Invoke testSecret', 'Invoke finishSecret']);
    const rollback = h.answers()[1];
    expect(rollback).toMatchObject({ Status: 'SUCCESS', Data: { Verified: '0', Unchanged: '1', Reported: '0' } });
    expect(rollback.Data!.Notes).toContain(`resumed rotation ${token} to completion`);
    expect(currentVersion(arn)).toBe(token);
    expect(h.fake.servicePasswords.get(arn)).toBe(h.fake.value(arn, token));
    expect(h.fake.secrets.get(arn)!.tags).toEqual(VERIFIED);
  });

  test('when the reverted function cannot finish it either, the rollback still succeeds and says what it left', async () => {
    const arn = singleUserSecret('app/database', VERIFIED);
    const token = await failedUpdate(arn);

    await h.invoke(request('Update', properties([entry(arn)]), h.server.url, { requestId: 'rollback' }));

    const rollback = h.answers()[1];
    expect(rollback).toMatchObject({ Status: 'SUCCESS', Data: { Reported: '1' } });
    expect(rollback.Data!.Notes).toContain(`Resuming rotation ${token} of secret "app/database" (${arn}) failed in step testSecret`);
    expect(rollback.Data!.Notes).toContain(`Do not remove AWSPENDING from version ${token}`);
    expect(h.fake.stages(arn)[token]).toEqual(['AWSPENDING']);
    expect(h.fake.calls.filter((call) => call === 'RotateSecret')).toHaveLength(1);
  });

  test('after an update whose check passed (a later resource failed), the rollback finds its fingerprint verified too: no rotation', async () => {
    const arn = singleUserSecret('app/database', VERIFIED);
    await h.invoke(request('Update', properties([entry(arn, { fingerprint: 'fingerprint-2' })]), h.server.url, { requestId: 'update' }));
    expect(h.answers()[0]).toMatchObject({ Status: 'SUCCESS', Data: { Verified: '1' } });
    h.fake.calls.length = 0;

    await h.invoke(request('Update', properties([entry(arn)]), h.server.url, { requestId: 'rollback' }));

    expect(h.fake.calls).toEqual([]);
    expect(h.answers()[1]).toMatchObject({ Status: 'SUCCESS', Data: { Unchanged: '1' } });
    expect(h.fake.secrets.get(arn)!.tags[VERIFIED_TAG]).toBe(`${verifiedFingerprint('fingerprint-2', FUNCTION_ARN)} ${verifiedFingerprint('fingerprint-1', FUNCTION_ARN)}`);
  });

  test('a create that failed is settled by its rollback, and the next deploy (with the fixed function) rotates without a manual step', async () => {
    const arn = singleUserSecret('app/database');
    h.fake.setBehaviour(FUNCTION_ARN, { strategy: 'single-user', failStep: 'finishSecret' });
    await h.invoke(request('Create', properties([entry(arn)]), h.server.url, { requestId: 'create' }));
    await h.invoke(request('Delete', properties([entry(arn)]), h.server.url, { requestId: 'rollback-delete', physicalResourceId: h.answers()[0].PhysicalResourceId }));
    // setSecret had run: the rollback made the only password the service takes AWSCURRENT.
    expect(currentVersion(arn)).toBe(h.token('create', arn));
    h.fake.setBehaviour(FUNCTION_ARN, { strategy: 'single-user' });

    await h.invoke(request('Create', properties([entry(arn)]), h.server.url, { requestId: 'redeploy' }));

    expect(h.answers().map((answer) => answer.Status)).toEqual(['FAILED', 'SUCCESS', 'SUCCESS']);
    expect(currentVersion(arn)).toBe(h.token('redeploy', arn));
    expect(h.fake.servicePasswords.get(arn)).toBe(h.fake.value(arn, currentVersion(arn)));
  });

  test('a failed deploy that is not rolled back (--no-rollback) leaves a rotation the next deploy resumes to completion', async () => {
    const arn = singleUserSecret('app/database');
    h.fake.setBehaviour(FUNCTION_ARN, { strategy: 'single-user', failStep: 'finishSecret' });
    await h.invoke(request('Create', properties([entry(arn)]), h.server.url, { requestId: 'create' }));
    h.fake.setBehaviour(FUNCTION_ARN, { strategy: 'single-user' });

    await h.invoke(request('Update', properties([entry(arn)]), h.server.url, { requestId: 'redeploy', physicalResourceId: h.answers()[0].PhysicalResourceId }));

    expect(h.answers().map((answer) => answer.Status)).toEqual(['FAILED', 'SUCCESS']);
    expect(h.answers()[1].Data!.Notes).toContain(`resumed rotation ${h.token('create', arn)} to completion`);
    expect(currentVersion(arn)).toBe(h.token('redeploy', arn));
    expect(h.fake.servicePasswords.get(arn)).toBe(h.fake.value(arn, currentVersion(arn)));
  });

  test('a call that fails during the rollback (the check may not invoke the function) is reported, not failed', async () => {
    const arn = singleUserSecret('app/database', VERIFIED);
    const token = await failedUpdate(arn);
    h.fake.setBehaviour(FUNCTION_ARN, { strategy: 'single-user', invokeDenied: true });

    await h.invoke(request('Update', properties([entry(arn)]), h.server.url, { requestId: 'rollback' }));

    const rollback = h.answers()[1];
    expect(rollback).toMatchObject({ Status: 'SUCCESS', Data: { Reported: '1' } });
    expect(rollback.Data!.Notes).toContain(`Lambda Invoke of ${FUNCTION_ARN} failed: AccessDeniedException: User: `);
    expect(h.fake.stages(arn)[token]).toEqual(['AWSPENDING']);
  });

  test('a foreign stale label the rollback may not repair is left, and the rollback succeeds', async () => {
    const arn = singleUserSecret('app/database', VERIFIED);
    h.fake.addVersion(arn, OTHER, { value: 'fake-password-abandoned', stages: ['AWSPENDING'], createdAt: START - TWO_DAYS });

    await h.invoke(request('Update', properties([entry(arn)]), h.server.url, { requestId: 'rollback' }));

    expect(h.answer()).toMatchObject({ Status: 'SUCCESS', Data: { Reported: '1' } });
    expect(h.answer().Data!.Notes).toContain(`has AWSPENDING on version ${OTHER}`);
    expect(h.fake.stages(arn)[OTHER]).toEqual(['AWSPENDING']);
  });
});
