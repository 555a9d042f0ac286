import { eventually, functionArn, functionAsset, respond, startDeployer } from './support';

/**
 * The raw custom-resource protocol: an asynchronous invoke (retried by Lambda on error), the ResponseURL PUT,
 * ServiceTimeout, the 4,096-byte limit, Data for Fn::GetAtt, NoEcho, and functions that invoke functions.
 */

let env: Awaited<ReturnType<typeof startDeployer>>;
const requests: any[] = [];
beforeEach(async () => {
  // These templates are about the custom-resource protocol and grant no IAM: enforcement is switched off (test/simulator/iam covers it).
  env = await startDeployer({}, { asyncRetryDelaysMs: [50, 100], iam: 'off' });
  requests.length = 0;
});
afterEach(() => env.stop());

function register(name: string, handler: (event: any) => Promise<unknown>) {
  env.sim.registerFunction(functionArn(name), {
    handler: async (event: any) => {
      requests.push(event);
      return handler(event);
    },
  });
}

const custom = (token: string, properties: Record<string, unknown> = {}) => ({ Type: 'Custom::Thing', Properties: { ServiceToken: functionArn(token), ...properties } });

test('the request CloudFormation sends, with every property as a string, and Data for Fn::GetAtt', async () => {
  register('answer', (event) => respond(event, { Status: 'SUCCESS', PhysicalResourceId: 'thing-1', Data: { Endpoint: 'db.local', Port: 5432 } }));

  const result = await env.cfn.deploy({
    stackName: 'Protocol',
    template: {
      Resources: { Thing: custom('answer', { Count: 3, Enabled: true, Nested: { List: [1, 'two', false] } }) },
      Outputs: { Ref: { Value: { Ref: 'Thing' } }, Endpoint: { Value: { 'Fn::GetAtt': ['Thing', 'Endpoint'] } }, Port: { Value: { 'Fn::GetAtt': ['Thing', 'Port'] } } },
    },
  });

  expect(result.status).toBe('CREATE_COMPLETE');
  const stack = env.cfn.describeStack('Protocol')!;
  expect(requests).toEqual([{
    RequestType: 'Create',
    ServiceToken: functionArn('answer'),
    ResponseURL: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\//),
    StackId: stack.stackId,
    RequestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    LogicalResourceId: 'Thing',
    ResourceType: 'Custom::Thing',
    ResourceProperties: { ServiceToken: functionArn('answer'), Count: '3', Enabled: 'true', Nested: { List: ['1', 'two', 'false'] } },
  }]);
  expect(stack.outputs).toEqual({ Ref: 'thing-1', Endpoint: 'db.local', Port: 5432 });
});

test('the function is invoked asynchronously: Lambda retries it after an error, and its later response counts', async () => {
  let calls = 0;
  register('flaky', async (event) => {
    calls += 1;
    if (calls === 1) throw new Error('cold database');
    await respond(event, { Status: 'SUCCESS', PhysicalResourceId: 'flaky' });
  });

  expect((await env.cfn.deploy({ stackName: 'Retried', template: { Resources: { Thing: custom('flaky', { ServiceTimeout: 30 }) } } })).status).toBe('CREATE_COMPLETE');
  expect(requests).toHaveLength(2);
  expect(requests[1].RequestId).toBe(requests[0].RequestId);
});

test('AWS::Lambda::EventInvokeConfig with MaximumRetryAttempts 0: the failed invocation is not retried', async () => {
  register('fragile', async (event) => {
    if (requests.length === 1) throw new Error('first attempt fails');
    await respond(event, { Status: 'SUCCESS', PhysicalResourceId: 'fragile' });
  });

  const result = await env.cfn.deploy({
    stackName: 'NoRetries',
    template: {
      Resources: {
        Config: { Type: 'AWS::Lambda::EventInvokeConfig', Properties: { FunctionName: 'fragile', Qualifier: '$LATEST', MaximumRetryAttempts: 0 } },
        Thing: { ...custom('fragile', { ServiceTimeout: 2 }), DependsOn: 'Config' },
      },
    },
  });

  expect(result.status).toBe('ROLLBACK_COMPLETE');
  expect(requests.filter((r) => r.RequestType === 'Create')).toHaveLength(1);
});

test('no response within ServiceTimeout fails the resource as CloudFormation reports it', async () => {
  register('silent', async () => undefined);

  const result = await env.cfn.deploy({ stackName: 'Silent', template: { Resources: { Thing: custom('silent', { ServiceTimeout: 1 }) } } });

  expect(result.status).toBe('ROLLBACK_COMPLETE');
  expect(env.cfn.events('Silent').find((e) => e.resourceStatus === 'CREATE_FAILED')?.resourceStatusReason)
    .toBe(`CloudFormation did not receive a response from your Custom Resource. Please check your logs for requestId [${requests[0].RequestId}].`);
});

test('a response over 4,096 bytes fails the resource; a second PUT to the same URL is refused', async () => {
  let secondPut = 0;
  register('verbose', async (event) => {
    await respond(event, { Status: 'SUCCESS', PhysicalResourceId: 'v', Data: { Blob: 'x'.repeat(4100) } });
    secondPut = (await fetch(event.ResponseURL, { method: 'PUT', body: '{}' })).status;
  });

  const result = await env.cfn.deploy({ stackName: 'Verbose', template: { Resources: { Thing: custom('verbose', { ServiceTimeout: 10 }) } } });

  expect(result.status).toBe('ROLLBACK_COMPLETE');
  expect(env.cfn.events('Verbose').find((e) => e.resourceStatus === 'CREATE_FAILED')?.resourceStatusReason).toBe('Response object is too long.');
  await eventually(() => secondPut !== 0);
  expect(secondPut).toBe(403);
});

test('NoEcho masks the Data wherever the deployer shows it; Fn::GetAtt still reads it', async () => {
  register('quiet', (event) => respond(event, { Status: 'SUCCESS', PhysicalResourceId: 'q', NoEcho: true, Data: { Token: 'abc' } }));

  await env.cfn.deploy({ stackName: 'Quiet', template: { Resources: { Thing: custom('quiet'), Uses: custom('quiet', { Token: { 'Fn::GetAtt': ['Thing', 'Token'] } }) } } });

  expect(env.cfn.describeStack('Quiet')!.resources.find((r) => r.logicalId === 'Thing')!.attributes).toEqual({ Token: '****' });
  expect(requests.find((r) => r.LogicalResourceId === 'Uses').ResourceProperties.Token).toBe('abc');
});

const RESPOND_JS = `
async function respond(event, status, data) {
  const body = JSON.stringify({ Status: status, PhysicalResourceId: event.LogicalResourceId + '-id', StackId: event.StackId,
    RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId, Data: data });
  const answer = await fetch(event.ResponseURL, { method: 'PUT', body });
  if (!answer.ok) throw new Error('ResponseURL answered ' + answer.status);
}`;

test('real functions: one invokes another with the Lambda SDK, one re-invokes itself asynchronously before answering', async () => {
  const caller = functionAsset(`${RESPOND_JS}
const { LambdaClient, InvokeCommand } = require('@aws-sdk/client-lambda');
exports.handler = async (event) => {
  if (event.RequestType === 'Delete') return respond(event, 'SUCCESS');
  const answer = await new LambdaClient({}).send(new InvokeCommand({ FunctionName: event.ResourceProperties.Helper, Payload: JSON.stringify({ n: 21 }) }));
  await respond(event, 'SUCCESS', { Answer: JSON.parse(Buffer.from(answer.Payload).toString()) });
};`);
  const helper = functionAsset('exports.handler = async (event) => event.n * 2;');
  const relay = functionAsset(`${RESPOND_JS}
const { LambdaClient, InvokeCommand } = require('@aws-sdk/client-lambda');
exports.handler = async (event, context) => {
  if (event.RequestType === 'Delete' || event.Hops === 2) return respond(event, 'SUCCESS', { Hops: event.Hops ?? 0 });
  await new LambdaClient({}).send(new InvokeCommand({ FunctionName: context.functionName, InvocationType: 'Event',
    Payload: JSON.stringify({ ...event, Hops: (event.Hops ?? 0) + 1 }) }));
};`);
  const fn = (key: string) => ({ Type: 'AWS::Lambda::Function', Properties: { Code: { S3Bucket: 'b', S3Key: key }, Handler: 'index.handler', Runtime: 'nodejs22.x', Role: 'arn:aws:iam::123456789012:role/r', Timeout: 10 } });

  const result = await env.cfn.deploy({
    stackName: 'Chained',
    assets: { 'caller.zip': caller, 'helper.zip': helper, 'relay.zip': relay },
    template: {
      Resources: {
        Caller: fn('caller.zip'),
        Helper: fn('helper.zip'),
        Relay: fn('relay.zip'),
        Asked: { Type: 'Custom::Asked', Properties: { ServiceToken: { 'Fn::GetAtt': ['Caller', 'Arn'] }, Helper: { Ref: 'Helper' }, ServiceTimeout: 30 } },
        Relayed: { Type: 'AWS::CloudFormation::CustomResource', Properties: { ServiceToken: { 'Fn::GetAtt': ['Relay', 'Arn'] }, ServiceTimeout: 30 } },
      },
      Outputs: { Answer: { Value: { 'Fn::GetAtt': ['Asked', 'Answer'] } }, Hops: { Value: { 'Fn::GetAtt': ['Relayed', 'Hops'] } } },
    },
  });

  expect(result.status).toBe('CREATE_COMPLETE');
  expect(env.cfn.describeStack('Chained')!.outputs).toEqual({ Answer: 42, Hops: 2 });
  expect((await env.cfn.delete('Chained')).status).toBe('DELETE_COMPLETE');
});
