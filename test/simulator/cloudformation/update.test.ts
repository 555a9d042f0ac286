import { DescribeSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { eventLines, functionArn, indexOf, respond, scriptedCustomResource, startDeployer } from './support';

/**
 * Updates as CloudFormation runs them: in place, replacement (create-only property, logical id, custom resource
 * physical id), cleanup after the update, rollback of a failed update and its continuation.
 */

let env: Awaited<ReturnType<typeof startDeployer>>;
let requests: any[];
let behaviour: Record<string, (event: any) => Promise<void>>;
let custom: ReturnType<typeof scriptedCustomResource>['custom'];

beforeEach(async () => {
  // These templates are about deployer semantics and grant no IAM: enforcement is switched off (test/simulator/iam covers it).
  env = await startDeployer({}, { iam: 'off' });
  ({ requests, behaviour, custom } = scriptedCustomResource(env.sim));
});
afterEach(() => env.stop());

/** The events of the last operation on a stack: from its last stack-level *_IN_PROGRESS "User Initiated" event. */
function lastOperation(stackName: string) {
  const events = env.cfn.events(stackName);
  const start = events.map((e) => e.resourceStatusReason === 'User Initiated').lastIndexOf(true);
  return events.slice(start);
}

test('in place: changed resources get an Update with OldResourceProperties, unchanged ones no event', async () => {
  await env.cfn.deploy({ stackName: 'InPlace', template: { Resources: { Changed: custom({ Size: 1 }), Same: custom({ Size: 1 }) } } });
  requests.length = 0;

  const result = await env.cfn.deploy({ stackName: 'InPlace', template: { Resources: { Changed: custom({ Size: 2 }), Same: custom({ Size: 1 }) } } });

  expect(result.status).toBe('UPDATE_COMPLETE');
  expect(eventLines(lastOperation('InPlace'))).toEqual([
    'InPlace UPDATE_IN_PROGRESS', 'Changed UPDATE_IN_PROGRESS', 'Changed UPDATE_COMPLETE',
    'InPlace UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', 'InPlace UPDATE_COMPLETE',
  ]);
  expect(requests).toEqual([expect.objectContaining({
    RequestType: 'Update',
    PhysicalResourceId: 'Changed-1',
    ResourceProperties: expect.objectContaining({ Size: '2' }),
    OldResourceProperties: expect.objectContaining({ Size: '1' }),
  })]);
  expect((await env.cfn.deploy({ stackName: 'InPlace', template: { Resources: { Changed: custom({ Size: 2 }), Same: custom({ Size: 1 }) } } })))
    .toMatchObject({ status: 'UPDATE_COMPLETE', noChanges: true });
});

test('a changed create-only property replaces the resource: the new one first, dependents updated, the old one deleted in cleanup', async () => {
  const template = (name: string, policy?: string) => ({
    Resources: {
      Secret: { Type: 'AWS::SecretsManager::Secret', Properties: { Name: name, SecretString: 'v' }, ...(policy ? { UpdateReplacePolicy: policy } : {}) },
      User: custom({ SecretArn: { Ref: 'Secret' } }),
    },
  });
  await env.cfn.deploy({ stackName: 'Replace', template: template('first') });
  const firstArn = env.cfn.describeStack('Replace')!.resources.find((r) => r.logicalId === 'Secret')!.physicalId!;

  await env.cfn.deploy({ stackName: 'Replace', template: template('second') });

  const events = lastOperation('Replace');
  expect(eventLines(events)).toEqual([
    'Replace UPDATE_IN_PROGRESS',
    'Secret UPDATE_IN_PROGRESS', 'Secret UPDATE_IN_PROGRESS', 'Secret UPDATE_COMPLETE',
    'User UPDATE_IN_PROGRESS', 'User UPDATE_COMPLETE',
    'Replace UPDATE_COMPLETE_CLEANUP_IN_PROGRESS',
    'Secret DELETE_IN_PROGRESS', 'Secret DELETE_COMPLETE',
    'Replace UPDATE_COMPLETE',
  ]);
  expect(events[1].resourceStatusReason).toBe('Requested update requires the creation of a new physical resource; hence creating one.');
  expect(events.find((e) => e.resourceStatus === 'DELETE_COMPLETE')?.physicalResourceId).toBe(firstArn);
  const secondArn = env.cfn.describeStack('Replace')!.resources.find((r) => r.logicalId === 'Secret')!.physicalId!;
  expect(secondArn).toMatch(/:secret:second-/);
  expect(requests.at(-1).ResourceProperties.SecretArn).toBe(secondArn);
  await expect(env.client.send(new DescribeSecretCommand({ SecretId: firstArn }))).rejects.toThrow(/can't find/);

  // UpdateReplacePolicy: Retain keeps the replaced copy.
  await env.cfn.deploy({ stackName: 'Replace', template: template('third', 'Retain') });
  expect(eventLines(lastOperation('Replace'))).toContain('Secret DELETE_SKIPPED');
  await expect(env.client.send(new DescribeSecretCommand({ SecretId: secondArn }))).resolves.toMatchObject({ Name: 'second' });
});

test('a new logical id is a new resource; the old one is deleted in cleanup, dependents before what they depend on', async () => {
  await env.cfn.deploy({ stackName: 'Renamed', template: { Resources: { Old: custom(), OldUser: custom({ Uses: { Ref: 'Old' } }) } } });

  await env.cfn.deploy({ stackName: 'Renamed', template: { Resources: { New: custom() } } });

  expect(eventLines(lastOperation('Renamed'))).toEqual([
    'Renamed UPDATE_IN_PROGRESS',
    'New CREATE_IN_PROGRESS', 'New CREATE_IN_PROGRESS', 'New CREATE_COMPLETE',
    'Renamed UPDATE_COMPLETE_CLEANUP_IN_PROGRESS',
    'OldUser DELETE_IN_PROGRESS', 'OldUser DELETE_COMPLETE',
    'Old DELETE_IN_PROGRESS', 'Old DELETE_COMPLETE',
    'Renamed UPDATE_COMPLETE',
  ]);
  expect(env.cfn.describeStack('Renamed')!.resources.map((r) => r.logicalId)).toEqual(['New']);
});

test('a custom resource that answers a new physical id is replaced: the old id gets a Delete in cleanup', async () => {
  behaviour.Versioned = (event) => respond(event, { Status: 'SUCCESS', PhysicalResourceId: `v${event.ResourceProperties.Version}` });
  await env.cfn.deploy({ stackName: 'Versioned', template: { Resources: { Versioned: custom({ Version: 1 }) } } });
  requests.length = 0;

  await env.cfn.deploy({ stackName: 'Versioned', template: { Resources: { Versioned: custom({ Version: 2 }) } } });

  expect(requests.map((r) => `${r.RequestType} ${r.PhysicalResourceId}`)).toEqual(['Update v1', 'Delete v1']);
  expect(requests[1].ResourceProperties.Version).toBe('1');
  const events = lastOperation('Versioned');
  expect(indexOf(events, 'Versioned', 'DELETE_IN_PROGRESS')).toBeGreaterThan(indexOf(events, 'Versioned', 'UPDATE_COMPLETE'));
});

test('a failed update rolls back in the old template\'s dependency order with the old properties, deleting what it created', async () => {
  await env.cfn.deploy({ stackName: 'Rollback', template: { Resources: { Base: custom({ Size: 1 }), Top: custom({ Size: 1 }, { DependsOn: 'Base' }) } } });
  behaviour.Broken = (event) => respond(event, event.RequestType === 'Create'
    ? { Status: 'FAILED', Reason: 'nope', PhysicalResourceId: 'broken' }
    : { Status: 'SUCCESS', PhysicalResourceId: event.PhysicalResourceId });
  requests.length = 0;

  const result = await env.cfn.deploy({
    stackName: 'Rollback',
    template: {
      Resources: {
        Base: custom({ Size: 2 }),
        Top: custom({ Size: 2 }, { DependsOn: 'Base' }),
        Added: custom({}, { DependsOn: 'Base' }),
        Broken: custom({}, { DependsOn: ['Top', 'Added'] }),
      },
    },
  });

  expect(result).toMatchObject({ status: 'UPDATE_ROLLBACK_COMPLETE' });
  const events = lastOperation('Rollback');
  expect(events.find((e) => e.resourceStatus === 'UPDATE_ROLLBACK_IN_PROGRESS')?.resourceStatusReason)
    .toBe('The following resource(s) failed to update: [Broken].');
  const rollback = events.slice(events.findIndex((e) => e.resourceStatus === 'UPDATE_ROLLBACK_IN_PROGRESS'));
  expect(eventLines(rollback)).toEqual([
    'Rollback UPDATE_ROLLBACK_IN_PROGRESS',
    'Base UPDATE_IN_PROGRESS', 'Base UPDATE_COMPLETE',
    'Top UPDATE_IN_PROGRESS', 'Top UPDATE_COMPLETE',
    'Rollback UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS',
    // Broken depends on Added: deleted first.
    'Broken DELETE_IN_PROGRESS', 'Broken DELETE_COMPLETE', 'Added DELETE_IN_PROGRESS', 'Added DELETE_COMPLETE',
    'Rollback UPDATE_ROLLBACK_COMPLETE',
  ]);
  const rollbackOfTop = requests.filter((r) => r.LogicalResourceId === 'Top' && r.RequestType === 'Update')[1];
  expect([rollbackOfTop.ResourceProperties.Size, rollbackOfTop.OldResourceProperties.Size]).toEqual(['1', '2']);
  expect(requests.filter((r) => r.RequestType === 'Delete').map((r) => r.PhysicalResourceId).sort()).toEqual(['Added-1', 'broken']);
  expect(env.cfn.describeStack('Rollback')!.resources.map((r) => r.logicalId)).toEqual(['Base', 'Top']);
});

test('a rollback step that fails leaves UPDATE_ROLLBACK_FAILED; continueUpdateRollback skips it to UPDATE_ROLLBACK_COMPLETE', async () => {
  await env.cfn.deploy({ stackName: 'Stuck', template: { Resources: { Fragile: custom({ Size: 1 }) } } });
  behaviour.Fragile = (event) => respond(event, event.RequestType === 'Update' && event.ResourceProperties.Size === '1'
    ? { Status: 'FAILED', Reason: 'cannot shrink', PhysicalResourceId: event.PhysicalResourceId }
    : { Status: 'SUCCESS', PhysicalResourceId: event.PhysicalResourceId });
  behaviour.Broken = (event) => respond(event, { Status: event.RequestType === 'Create' ? 'FAILED' : 'SUCCESS', PhysicalResourceId: 'broken' });

  const failed = await env.cfn.deploy({ stackName: 'Stuck', template: { Resources: { Fragile: custom({ Size: 2 }), Broken: custom({}, { DependsOn: 'Fragile' }) } } });

  expect(failed).toMatchObject({ status: 'UPDATE_ROLLBACK_FAILED', statusReason: 'The following resource(s) failed to update: [Fragile].' });
  await expect(env.cfn.deploy({ stackName: 'Stuck', template: { Resources: { Fragile: custom() } } })).rejects.toThrow(/UPDATE_ROLLBACK_FAILED state and can not be updated/);
  await expect(env.cfn.continueUpdateRollback('Stuck', { resourcesToSkip: ['Broken'] })).rejects.toThrow(/only resources in UPDATE_FAILED state, got Broken/);

  const continued = await env.cfn.continueUpdateRollback('Stuck', { resourcesToSkip: ['Fragile'] });

  expect(continued.status).toBe('UPDATE_ROLLBACK_COMPLETE');
  const events = lastOperation('Stuck');
  expect(eventLines(events)).toEqual([
    'Stuck UPDATE_ROLLBACK_IN_PROGRESS', 'Fragile UPDATE_COMPLETE',
    'Stuck UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS', 'Broken DELETE_IN_PROGRESS', 'Broken DELETE_COMPLETE',
    'Stuck UPDATE_ROLLBACK_COMPLETE',
  ]);
  expect((await env.cfn.deploy({ stackName: 'Stuck', template: { Resources: { Fragile: custom({ Size: 3 }) } } })).status).toBe('UPDATE_COMPLETE');
});

test('a RotationSchedule replaced under a new logical id leaves rotation cancelled, as CloudFormation does', async () => {
  env.sim.registerFunction(functionArn('rotate'), { handler: async () => undefined });
  const template = (scheduleId: string) => ({
    Resources: {
      Secret: { Type: 'AWS::SecretsManager::Secret', Properties: { SecretString: 'v' } },
      [scheduleId]: {
        Type: 'AWS::SecretsManager::RotationSchedule',
        Properties: { SecretId: { Ref: 'Secret' }, RotationLambdaARN: functionArn('rotate'), RotateImmediatelyOnUpdate: false, RotationRules: { ScheduleExpression: 'rate(10 days)' } },
      },
    },
  });
  await env.cfn.deploy({ stackName: 'Rotation', template: template('ScheduleA') });
  const arn = env.cfn.describeStack('Rotation')!.resources.find((r) => r.logicalId === 'Secret')!.physicalId!;
  expect((await env.client.send(new DescribeSecretCommand({ SecretId: arn }))).RotationEnabled).toBe(true);

  const result = await env.cfn.deploy({ stackName: 'Rotation', template: template('ScheduleB') });

  expect(result.status).toBe('UPDATE_COMPLETE');
  // ScheduleB configured rotation, then the cleanup deleted ScheduleA, whose delete is CancelRotateSecret.
  expect(indexOf(lastOperation('Rotation'), 'ScheduleA', 'DELETE_COMPLETE')).toBeGreaterThan(indexOf(lastOperation('Rotation'), 'ScheduleB', 'CREATE_COMPLETE'));
  expect((await env.client.send(new DescribeSecretCommand({ SecretId: arn }))).RotationEnabled).toBe(false);
});

test('a changed GenerateSecretString puts a new generated value that becomes AWSCURRENT', async () => {
  const template = (length: number) => ({ Resources: { Secret: { Type: 'AWS::SecretsManager::Secret', Properties: { GenerateSecretString: { PasswordLength: length } } } } });
  await env.cfn.deploy({ stackName: 'Regenerated', template: template(20) });
  const arn = env.cfn.describeStack('Regenerated')!.resources[0].physicalId!;
  const before = await env.client.send(new GetSecretValueCommand({ SecretId: arn }));

  await env.cfn.deploy({ stackName: 'Regenerated', template: template(30) });

  const after = await env.client.send(new GetSecretValueCommand({ SecretId: arn }));
  expect(after.SecretString).toHaveLength(30);
  expect(after.VersionId).not.toBe(before.VersionId);
  const previous = await env.client.send(new GetSecretValueCommand({ SecretId: arn, VersionStage: 'AWSPREVIOUS' }));
  expect(previous.VersionId).toBe(before.VersionId);
});

test('a replacement rolled back: the old copy is current again and the new copy is deleted in the rollback cleanup', async () => {
  const template = (name: string, withBroken: boolean) => ({
    Resources: {
      Secret: { Type: 'AWS::SecretsManager::Secret', Properties: { Name: name, SecretString: 'v' } },
      ...(withBroken ? { Broken: custom({ SecretArn: { Ref: 'Secret' } }) } : {}),
    },
  });
  behaviour.Broken = (event) => respond(event, { Status: event.RequestType === 'Create' ? 'FAILED' : 'SUCCESS', PhysicalResourceId: 'broken' });
  await env.cfn.deploy({ stackName: 'Readopt', template: template('kept', false) });
  const keptArn = env.cfn.describeStack('Readopt')!.resources[0].physicalId!;

  const result = await env.cfn.deploy({ stackName: 'Readopt', template: template('discarded', true) });

  expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
  const events = lastOperation('Readopt');
  const discardedArn = events.find((e) => e.logicalResourceId === 'Secret' && e.resourceStatus === 'UPDATE_COMPLETE')!.physicalResourceId!;
  expect(discardedArn).toMatch(/:secret:discarded-/);
  expect(events.find((e) => e.logicalResourceId === 'Secret' && e.resourceStatus === 'DELETE_COMPLETE')?.physicalResourceId).toBe(discardedArn);
  expect(env.cfn.describeStack('Readopt')!.resources.map((r) => [r.logicalId, r.physicalId])).toEqual([['Secret', keptArn]]);
  await expect(env.client.send(new DescribeSecretCommand({ SecretId: discardedArn }))).rejects.toThrow(/can't find/);
  await expect(env.client.send(new DescribeSecretCommand({ SecretId: keptArn }))).resolves.toMatchObject({ Name: 'kept' });
});
