import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, CfnOutput, CustomResource, Duration, Stack, aws_lambda as lambda, custom_resources as cr } from 'aws-cdk-lib';
import { functionAsset, startDeployer } from './support';

/**
 * aws-cdk-lib's custom-resources Provider, synthesized by a real app: the deployer behaves as its framework does
 * (synchronous onEvent, isComplete at the query interval until done or the total timeout, default physical id,
 * merged Data, failures with the handler's message and log group).
 */

let env: Awaited<ReturnType<typeof startDeployer>>;
beforeEach(async () => (env = await startDeployer()));
afterEach(() => env.stop());

interface Handlers {
  readonly onEvent: string;
  readonly isComplete?: string;
  readonly totalTimeout?: Duration;
}

/** A cloud assembly with one Provider-backed custom resource, its Data exposed as outputs. */
function synthesize(handlers: Handlers): string {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'provider-assembly-'));
  const app = new App({ outdir, context: { 'aws:cdk:enable-asset-metadata': true } });
  const stack = new Stack(app, 'Provided');
  const handler = (id: string, source: string) => new lambda.Function(stack, id, {
    code: lambda.Code.fromAsset(functionAsset(source)), handler: 'index.handler', runtime: lambda.Runtime.NODEJS_22_X,
  });
  const provider = new cr.Provider(stack, 'Provider', {
    onEventHandler: handler('OnEvent', handlers.onEvent),
    ...(handlers.isComplete ? { isCompleteHandler: handler('IsComplete', handlers.isComplete), queryInterval: Duration.seconds(1) } : {}),
    ...(handlers.totalTimeout ? { totalTimeout: handlers.totalTimeout } : {}),
  });
  const resource = new CustomResource(stack, 'Resource', { serviceToken: provider.serviceToken, properties: { Size: 3 } });
  new CfnOutput(stack, 'Ref', { value: resource.ref });
  new CfnOutput(stack, 'Started', { value: resource.getAttString('Started') });
  new CfnOutput(stack, 'Finished', { value: resource.getAttString('Finished') });
  app.synth();
  return outdir;
}

test('onEvent then isComplete until complete: the physical id defaults to the RequestId, Data is merged', async () => {
  const assemblyDir = synthesize({
    onEvent: `exports.handler = async (event) => {
      if (event.RequestType === 'Delete') return {};
      return { Data: { Started: 'size ' + event.ResourceProperties.Size, Finished: 'not yet' } };
    };`,
    isComplete: `let calls = 0;
      exports.handler = async (event) => {
        calls += 1;
        if (event.RequestType === 'Delete' || calls >= 3) return { IsComplete: true, Data: { Finished: 'after ' + calls + ' checks' } };
        return { IsComplete: false };
      };`,
  });

  const result = await env.cfn.deploy({ assemblyDir, stackName: 'Provided' });

  expect(result.status).toBe('CREATE_COMPLETE');
  const outputs = env.cfn.describeStack('Provided')!.outputs;
  expect(outputs).toEqual({ Ref: expect.stringMatching(/^[0-9a-f-]{36}$/), Started: 'size 3', Finished: 'after 3 checks' });
  expect((await env.cfn.delete('Provided')).status).toBe('DELETE_COMPLETE');
});

test('isComplete that never completes: "Operation timed out" after the total timeout, and the stack rolls back', async () => {
  const assemblyDir = synthesize({
    onEvent: 'exports.handler = async () => ({ PhysicalResourceId: "fixed-id" });',
    isComplete: 'exports.handler = async (event) => ({ IsComplete: event.RequestType === "Delete" });',
    totalTimeout: Duration.seconds(2),
  });

  const result = await env.cfn.deploy({ assemblyDir, stackName: 'Provided' });

  expect(result.status).toBe('ROLLBACK_COMPLETE');
  const events = env.cfn.events('Provided');
  expect(events.find((e) => e.logicalResourceId.startsWith('Resource') && e.resourceStatus === 'CREATE_FAILED')?.resourceStatusReason)
    .toMatch(/^Received response status \[FAILED\] from custom resource\. Message returned: Operation timed out \(RequestId: /);
  expect(events.find((e) => e.logicalResourceId.startsWith('Resource') && e.resourceStatus === 'DELETE_COMPLETE')?.physicalResourceId).toBe('fixed-id');
});

test('an onEvent error fails the resource with its message and log group; the Delete after it is ignored', async () => {
  const assemblyDir = synthesize({
    onEvent: `exports.handler = async (event) => {
      if (event.RequestType === 'Delete') throw new Error('the Delete reached the user handler');
      throw new Error('quota exceeded');
    };`,
  });

  const result = await env.cfn.deploy({ assemblyDir, stackName: 'Provided' });

  expect(result.status).toBe('ROLLBACK_COMPLETE');
  const events = env.cfn.events('Provided');
  const onEventName = events.find((e) => e.resourceType === 'AWS::Lambda::Function' && e.logicalResourceId.startsWith('OnEvent') && e.resourceStatus === 'CREATE_COMPLETE')!.physicalResourceId;
  expect(events.find((e) => e.logicalResourceId.startsWith('Resource') && e.resourceStatus === 'CREATE_FAILED')?.resourceStatusReason)
    .toContain(`Message returned: quota exceeded\n\nLogs: /aws/lambda/${onEventName}\n`);
  // The framework answers the Delete for its marker itself: the user handler (which would fail it) is not invoked.
  expect(events.find((e) => e.logicalResourceId.startsWith('Resource') && e.resourceStatus === 'DELETE_COMPLETE')?.physicalResourceId)
    .toBe('AWSCDK::CustomResourceProviderFramework::CREATE_FAILED');
});
