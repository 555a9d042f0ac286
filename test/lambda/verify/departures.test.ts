/**
 * Secrets leaving the check (every secret of a Delete; those an Update's old properties name and its new ones do not):
 * the rollback of a failed deploy that added them. The check settles the rotation it started and did not finish,
 * while the failed deploy's function still exists, and never fails the request.
 */
import { FUNCTION_ARN, entry, properties, request, secretArn } from './fixtures';
import { useCheckHarness } from './harness';

const h = useCheckHarness();
const CURRENT = 'c0000000-0000-4000-8000-000000000001';
const FOREIGN = 'a0000000-0000-4000-8000-00000000000a';

/** The failed deploy: a Create whose rotation of `arn` fails in `step`; returns the rotation's token. */
async function failedCreate(arn: string, step: string, strategy: 'generic' | 'single-user'): Promise<string> {
  h.fake.setBehaviour(FUNCTION_ARN, { strategy, failStep: step });
  await h.invoke(request('Create', properties([entry(arn)]), h.server.url, { requestId: 'create' }));
  expect(h.answers()[0].Status).toBe('FAILED');
  h.fake.calls.length = 0;
  return h.token('create', arn);
}

function singleUserSecret(name: string): string {
  const arn = h.fake.addSecret(secretArn(name));
  h.fake.servicePasswords.set(arn, h.fake.value(arn, CURRENT)!);
  return arn;
}

test('generic: the rollback\'s Delete removes the AWSPENDING of the check\'s failed rotation; the value is the one before', async () => {
  const arn = h.fake.addSecret(secretArn('app/api-key'));
  const token = await failedCreate(arn, 'createSecret', 'generic');
  expect(h.fake.stages(arn)[token]).toEqual(['AWSPENDING']);

  await h.invoke(request('Delete', properties([entry(arn)]), h.server.url, { requestId: 'rollback' }));

  expect(h.fake.calls).toEqual(['Invoke probe', 'UpdateSecretVersionStage AWSPENDING']);
  expect(h.fake.stages(arn)).toEqual({ [CURRENT]: ['AWSCURRENT'] });
  expect(h.answers()[1]).toMatchObject({ Status: 'SUCCESS' });
  expect(h.answers()[1].Reason).toContain(`${arn}: removed AWSPENDING from version ${token}, left by this check's unfinished rotation`);
});

test('single user after setSecret: the only password the service takes becomes AWSCURRENT', async () => {
  const arn = singleUserSecret('app/database');
  const token = await failedCreate(arn, 'testSecret', 'single-user');
  expect(h.fake.servicePasswords.get(arn)).toBe(h.fake.value(arn, token));

  await h.invoke(request('Delete', properties([entry(arn)]), h.server.url, { requestId: 'rollback' }));

  expect(h.fake.calls).toEqual(['Invoke probe', 'UpdateSecretVersionStage AWSCURRENT']);
  expect(h.fake.stages(arn)).toEqual({ [CURRENT]: ['AWSPREVIOUS'], [token]: ['AWSCURRENT', 'AWSPENDING'] });
  expect(h.answers()[1].Reason).toContain(`made version ${token} AWSCURRENT: the service takes only its password`);
});

test('single user before setSecret: the service takes AWSCURRENT\'s password, so the label goes', async () => {
  const arn = singleUserSecret('app/database');
  const token = await failedCreate(arn, 'setSecret', 'single-user');

  await h.invoke(request('Delete', properties([entry(arn)]), h.server.url, { requestId: 'rollback' }));

  expect(h.fake.calls).toEqual(['Invoke probe', 'UpdateSecretVersionStage AWSPENDING', 'Invoke probe']);
  expect(h.fake.stages(arn)).toEqual({ [CURRENT]: ['AWSCURRENT'] });
  expect(h.answers()[1].Reason).toContain(`removed AWSPENDING from version ${token}`);
  expect(h.fake.servicePasswords.get(arn)).toBe(h.fake.value(arn, CURRENT));
});

test('single user: a step of a retry already past its label check sets the pending password after the label went; the second look makes it AWSCURRENT', async () => {
  const arn = singleUserSecret('app/database');
  const token = await failedCreate(arn, 'setSecret', 'single-user');
  h.fake.setBehaviour(FUNCTION_ARN, { strategy: 'single-user' });
  // Runs while the check waits out the function's timeout after removing the label.
  h.fake.inBackground(() => {
    h.fake.servicePasswords.set(arn, h.fake.value(arn, token)!);
  });

  await h.invoke(request('Delete', properties([entry(arn)]), h.server.url, { requestId: 'rollback' }));

  expect(h.fake.calls).toEqual(['Invoke probe', 'UpdateSecretVersionStage AWSPENDING', 'Invoke probe', 'UpdateSecretVersionStage AWSCURRENT']);
  expect(h.fake.stages(arn)).toEqual({ [CURRENT]: ['AWSPREVIOUS'], [token]: ['AWSCURRENT'] });
  expect(h.fake.servicePasswords.get(arn)).toBe(h.fake.value(arn, token));
  expect(h.answers()[1].Reason).toContain(`made version ${token} AWSCURRENT: a step of the rotation still running gave the service its password`);
});

test('when the function cannot tell which password works, the secret is left as it is and the Delete still succeeds', async () => {
  const arn = singleUserSecret('app/database');
  const token = await failedCreate(arn, 'testSecret', 'single-user');
  h.fake.setBehaviour(FUNCTION_ARN, { strategy: 'single-user', noProbe: true });

  await h.invoke(request('Delete', properties([entry(arn)]), h.server.url, { requestId: 'rollback' }));

  expect(h.fake.calls).toEqual(['Invoke probe']);
  expect(h.fake.stages(arn)[token]).toEqual(['AWSPENDING']);
  expect(h.answers()[1].Status).toBe('SUCCESS');
  expect(h.answers()[1].Reason).toContain(`left AWSPENDING on version ${token}: which password the service takes is not clear`);
});

test('a foreign AWSPENDING (not this check\'s rotation) and a secret that is gone are left alone', async () => {
  const arn = h.fake.addSecret(secretArn('app/api-key'));
  h.fake.addVersion(arn, FOREIGN, { value: 'fake-pending-foreign', stages: ['AWSPENDING'] });
  const gone = secretArn('app/deleted');

  await h.invoke(request('Delete', properties([entry(arn), entry(gone)]), h.server.url, { physicalResourceId: 'RotationCheck-0123456789ab' }));

  expect(h.fake.calls).toEqual([]);
  expect(h.fake.stages(arn)[FOREIGN]).toEqual(['AWSPENDING']);
  expect(h.answer()).toMatchObject({ Status: 'SUCCESS', Reason: 'Delete changes no secret.', PhysicalResourceId: 'RotationCheck-0123456789ab' });
});

test('an Update settles only the secrets its old properties name and its new ones do not, then checks the others', async () => {
  const staying = h.fake.addSecret(secretArn('app/staying'));
  const leaving = h.fake.addSecret(secretArn('app/leaving'));
  h.fake.setBehaviour(FUNCTION_ARN, { strategy: 'generic', failStep: 'createSecret' });
  await h.invoke(request('Update', properties([entry(staying), entry(leaving)]), h.server.url, { requestId: 'update' }));
  expect(h.answers()[0].Status).toBe('FAILED');
  const leavingToken = h.token('update', leaving);
  h.fake.setBehaviour(FUNCTION_ARN, { strategy: 'generic' });

  // The rollback's Update: back to the properties without `leaving`.
  await h.invoke(request('Update', properties([entry(staying)]), h.server.url, {
    requestId: 'rollback', oldProperties: properties([entry(staying), entry(leaving)]),
  }));

  const rollback = h.answers()[1];
  expect(rollback.Status).toBe('SUCCESS');
  expect(h.fake.stages(leaving)).toEqual({ [CURRENT]: ['AWSCURRENT'] });
  expect(rollback.Data!.Notes).toContain(`leaving the check, ${leaving}: removed AWSPENDING from version ${leavingToken}`);
  // The staying secret's own failed rotation is resumed with the working function, as for any Update.
  expect(rollback.Data!.Notes).toContain(`resumed rotation ${h.token('update', staying)} to completion`);
});
