import { eventLines, eventually, indexOf, respond, scriptedCustomResource, startDeployer, topic } from './support';
import { formatStackEvent } from '../../../simulator/cloudformation';

/**
 * Create, rollback and delete with CloudFormation's order and concurrency, on custom resources answered by
 * in-process functions (so a test can see and steer when each request arrives) and recorded resources.
 */

let env: Awaited<ReturnType<typeof startDeployer>>;
let requests: any[];
let behaviour: Record<string, (event: any) => Promise<void>>;
let custom: ReturnType<typeof scriptedCustomResource>['custom'];

beforeEach(async () => {
  env = await startDeployer();
  ({ requests, behaviour, custom } = scriptedCustomResource(env.sim));
});
afterEach(() => env.stop());

test('creates in dependency order (DependsOn, Ref, GetAtt, Sub) and reports CloudFormation\'s events', async () => {
  const result = await env.cfn.deploy({
    stackName: 'Ordered',
    template: {
      Resources: {
        First: custom(),
        ByDependsOn: custom({}, { DependsOn: 'First' }),
        ByRef: custom({ Other: { Ref: 'ByDependsOn' } }),
        BySub: custom({ Other: { 'Fn::Sub': 'x-${ByRef}' } }),
        ByGetAtt: topic({ Properties: { DisplayName: { 'Fn::GetAtt': ['BySub', 'Anything'] } } }),
      },
    },
  });
  expect(result.status).toBe('ROLLBACK_COMPLETE'); // BySub returned no attribute "Anything"
  const events = env.cfn.events('Ordered');
  expect(indexOf(events, 'First', 'CREATE_COMPLETE')).toBeLessThan(indexOf(events, 'ByDependsOn', 'CREATE_IN_PROGRESS'));
  expect(indexOf(events, 'ByDependsOn', 'CREATE_COMPLETE')).toBeLessThan(indexOf(events, 'ByRef', 'CREATE_IN_PROGRESS'));
  expect(indexOf(events, 'ByRef', 'CREATE_COMPLETE')).toBeLessThan(indexOf(events, 'BySub', 'CREATE_IN_PROGRESS'));
  expect(requests.find((r) => r.LogicalResourceId === 'BySub').ResourceProperties.Other).toBe('x-ByRef-1');
  expect(events.find((e) => e.logicalResourceId === 'ByGetAtt' && e.resourceStatus === 'CREATE_FAILED')?.resourceStatusReason)
    .toMatch(/does not support attribute type Anything/);
  // Rollback deletes in reverse order: a dependent before what it depends on.
  expect(indexOf(events, 'BySub', 'DELETE_COMPLETE')).toBeLessThan(indexOf(events, 'ByRef', 'DELETE_IN_PROGRESS'));
  expect(indexOf(events, 'ByDependsOn', 'DELETE_COMPLETE')).toBeLessThan(indexOf(events, 'First', 'DELETE_IN_PROGRESS'));
  expect(formatStackEvent(events[0])).toMatch(/^Ordered \| \d\d:\d\d:\d\d \| CREATE_IN_PROGRESS +\| AWS::CloudFormation::Stack +\| Ordered User Initiated$/);
});

test('independent resources are created at the same time', async () => {
  // Each answers only once the other's request has arrived: created one after the other, both would time out.
  const waitForOther = (other: string) => async (event: any) => {
    await eventually(() => requests.some((r) => r.LogicalResourceId === other), 15_000);
    await respond(event, { Status: 'SUCCESS', PhysicalResourceId: event.LogicalResourceId });
  };
  behaviour.Left = waitForOther('Right');
  behaviour.Right = waitForOther('Left');

  const result = await env.cfn.deploy({ stackName: 'Concurrent', template: { Resources: { Left: custom(), Right: custom() } } });

  expect(result.status).toBe('CREATE_COMPLETE');
});

test('a failed create rolls back what was created, in reverse order, to ROLLBACK_COMPLETE', async () => {
  behaviour.Broken = (event) => respond(event, event.RequestType === 'Create'
    ? { Status: 'FAILED', Reason: 'no capacity', PhysicalResourceId: 'broken-1' }
    : { Status: 'SUCCESS', PhysicalResourceId: event.PhysicalResourceId });

  const result = await env.cfn.deploy({
    stackName: 'Failing',
    template: { Resources: { Base: custom(), Broken: custom({}, { DependsOn: 'Base' }), Never: custom({}, { DependsOn: 'Broken' }) } },
  });

  expect(result).toMatchObject({ status: 'ROLLBACK_COMPLETE' });
  const events = env.cfn.events('Failing');
  expect(eventLines(events)).toEqual([
    'Failing CREATE_IN_PROGRESS',
    'Base CREATE_IN_PROGRESS', 'Base CREATE_IN_PROGRESS', 'Base CREATE_COMPLETE',
    'Broken CREATE_IN_PROGRESS', 'Broken CREATE_IN_PROGRESS', 'Broken CREATE_FAILED',
    'Failing ROLLBACK_IN_PROGRESS',
    'Broken DELETE_IN_PROGRESS', 'Broken DELETE_COMPLETE',
    'Base DELETE_IN_PROGRESS', 'Base DELETE_COMPLETE',
    'Failing ROLLBACK_COMPLETE',
  ]);
  expect(events.find((e) => e.resourceStatus === 'CREATE_FAILED')?.resourceStatusReason)
    .toMatch(/^Received response status \[FAILED\] from custom resource\. Message returned: no capacity \(RequestId: [0-9a-f-]{36}\)$/);
  expect(events.find((e) => e.resourceStatus === 'ROLLBACK_IN_PROGRESS')?.resourceStatusReason)
    .toBe('The following resource(s) failed to create: [Broken]. Rollback requested by user.');
  // The failed resource gets a Delete for the physical id its FAILED response named, as CloudFormation sends it.
  expect(requests.filter((r) => r.RequestType === 'Delete').map((r) => [r.LogicalResourceId, r.PhysicalResourceId]))
    .toEqual([['Broken', 'broken-1'], ['Base', 'Base-1']]);
  expect(requests.some((r) => r.LogicalResourceId === 'Never')).toBe(false);
});

test('deleting a stack whose create rolled back sends no second Delete: its resources are gone', async () => {
  behaviour.Broken = (event) => respond(event, event.RequestType === 'Create'
    ? { Status: 'FAILED', Reason: 'no capacity', PhysicalResourceId: 'broken-1' }
    : { Status: 'SUCCESS', PhysicalResourceId: event.PhysicalResourceId });
  await env.cfn.deploy({ stackName: 'RolledBack', template: { Resources: { Base: custom(), Broken: custom({}, { DependsOn: 'Base' }) } } });
  const deletesInRollback = requests.filter((r) => r.RequestType === 'Delete').length;

  const result = await env.cfn.delete('RolledBack');

  expect(result.status).toBe('DELETE_COMPLETE');
  expect(requests.filter((r) => r.RequestType === 'Delete')).toHaveLength(deletesInRollback);
  expect(eventLines(env.cfn.events('RolledBack')).slice(-2)).toEqual(['RolledBack DELETE_IN_PROGRESS', 'RolledBack DELETE_COMPLETE']);
});

test('a delete that fails during rollback ends in ROLLBACK_FAILED', async () => {
  behaviour.Broken = (event) => respond(event, event.RequestType === 'Create'
    ? { Status: 'FAILED', Reason: 'no', PhysicalResourceId: 'broken' }
    : { Status: 'SUCCESS', PhysicalResourceId: event.PhysicalResourceId });
  behaviour.Sticky = (event) => respond(event, event.RequestType === 'Delete'
    ? { Status: 'FAILED', Reason: 'still in use', PhysicalResourceId: event.PhysicalResourceId }
    : { Status: 'SUCCESS', PhysicalResourceId: 'sticky' });

  const result = await env.cfn.deploy({ stackName: 'Stuck', template: { Resources: { Sticky: custom(), Broken: custom({}, { DependsOn: 'Sticky' }) } } });

  expect(result.status).toBe('ROLLBACK_FAILED');
  expect(eventLines(env.cfn.events('Stuck')).slice(-3)).toEqual(['Sticky DELETE_IN_PROGRESS', 'Sticky DELETE_FAILED', 'Stuck ROLLBACK_FAILED']);
});

test('delete stack: reverse dependency order, Retain respected, DELETE_COMPLETE', async () => {
  await env.cfn.deploy({
    stackName: 'Doomed',
    template: { Resources: { Base: custom(), Kept: custom({}, { DependsOn: 'Base', DeletionPolicy: 'Retain' }), Top: custom({}, { DependsOn: 'Kept' }) } },
  });
  requests.length = 0;

  const result = await env.cfn.delete('Doomed');

  expect(result.status).toBe('DELETE_COMPLETE');
  const events = env.cfn.events('Doomed');
  const deletion = events.slice(events.findIndex((e) => e.resourceStatus === 'DELETE_IN_PROGRESS' && e.logicalResourceId === 'Doomed'));
  expect(eventLines(deletion)).toEqual([
    'Doomed DELETE_IN_PROGRESS',
    'Top DELETE_IN_PROGRESS', 'Top DELETE_COMPLETE',
    'Kept DELETE_SKIPPED',
    'Base DELETE_IN_PROGRESS', 'Base DELETE_COMPLETE',
    'Doomed DELETE_COMPLETE',
  ]);
  expect(requests.map((r) => `${r.RequestType} ${r.LogicalResourceId}`)).toEqual(['Delete Top', 'Delete Base']);
  expect(env.cfn.describeStack('Doomed')?.status).toBe('DELETE_COMPLETE');
});

test('a failed delete ends in DELETE_FAILED naming the resource; deleting again finishes the job', async () => {
  let refuse = true;
  behaviour.Sticky = (event) => respond(event, event.RequestType === 'Delete' && refuse
    ? { Status: 'FAILED', Reason: 'in use', PhysicalResourceId: event.PhysicalResourceId }
    : { Status: 'SUCCESS', PhysicalResourceId: 'sticky' });
  await env.cfn.deploy({ stackName: 'Sticky', template: { Resources: { Sticky: custom(), Other: topic() } } });

  const first = await env.cfn.delete('Sticky');
  refuse = false;
  const second = await env.cfn.delete('Sticky');

  expect(first).toMatchObject({ status: 'DELETE_FAILED', statusReason: 'The following resource(s) failed to delete: [Sticky].' });
  expect(second.status).toBe('DELETE_COMPLETE');
});

test('template errors are thrown before anything is created', async () => {
  await expect(env.cfn.deploy({ stackName: 'Bad', template: { Resources: { A: topic({ DependsOn: 'Missing' }) } } }))
    .rejects.toThrow('Template format error: Unresolved resource dependencies [Missing] in the Resources block of the template');
  await expect(env.cfn.deploy({ stackName: 'Bad', template: { Resources: { A: custom({}, { DependsOn: 'B' }), B: custom({}, { DependsOn: 'A' }) } } }))
    .rejects.toThrow(/Circular dependency between resources: \[A, B\]|\[B, A\]/);
  await expect(env.cfn.deploy({ stackName: 'Bad', template: { Resources: {} } })).rejects.toThrow(/At least one Resources member/);
  await expect(env.cfn.deploy({ stackName: 'Bad', template: { Parameters: { P: { Type: 'String' } }, Resources: { A: topic() } } }))
    .rejects.toThrow('Parameters: [P] must have values');
  expect(env.cfn.describeStack('Bad')).toBeUndefined();
  expect(requests).toEqual([]);
});
