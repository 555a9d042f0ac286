import { InvokeCommand, LambdaClient, ResourceNotFoundException } from '@aws-sdk/client-lambda';
import { eventually, functionArn } from './support';
import { SecretsManagerSimulator } from '../../../simulator';

/** Lambda's Invoke on the simulator's endpoint, through the real @aws-sdk/client-lambda. */

let sim: SecretsManagerSimulator;
let lambda: LambdaClient;
beforeEach(async () => {
  sim = await SecretsManagerSimulator.start({ asyncRetryDelaysMs: [30, 60] });
  lambda = new LambdaClient({ ...sim.clientConfig(), maxAttempts: 1 });
});
afterEach(async () => {
  lambda.destroy();
  await sim.stop();
});

test('RequestResponse answers the result, or the error with X-Amz-Function-Error', async () => {
  sim.registerFunction(functionArn('double'), {
    handler: async (event: { n: number }) => {
      if (event.n < 0) throw new TypeError('negative');
      return event.n * 2;
    },
  });

  const ok = await lambda.send(new InvokeCommand({ FunctionName: 'double', Payload: JSON.stringify({ n: 4 }) }));
  const failed = await lambda.send(new InvokeCommand({ FunctionName: functionArn('double'), Payload: JSON.stringify({ n: -1 }) }));

  expect([ok.StatusCode, ok.FunctionError, Buffer.from(ok.Payload!).toString()]).toEqual([200, undefined, '8']);
  expect(failed.FunctionError).toBe('Unhandled');
  expect(JSON.parse(Buffer.from(failed.Payload!).toString())).toMatchObject({ errorType: 'TypeError', errorMessage: 'negative' });
});

test('Event is queued (202) and retried on error, up to MaximumRetryAttempts', async () => {
  const attempts: number[] = [];
  sim.registerFunction(functionArn('flaky'), {
    handler: async () => {
      attempts.push(attempts.length + 1);
      throw new Error('always');
    },
  });
  sim.registerFunction(functionArn('once'), {
    handler: async () => {
      attempts.push(-1);
      throw new Error('always');
    },
  });
  sim.putFunctionEventInvokeConfig(functionArn('once'), { maximumRetryAttempts: 0 });

  const queued = await lambda.send(new InvokeCommand({ FunctionName: 'flaky', InvocationType: 'Event', Payload: '{}' }));
  await lambda.send(new InvokeCommand({ FunctionName: 'once', InvocationType: 'Event', Payload: '{}' }));

  expect(queued.StatusCode).toBe(202);
  await eventually(() => attempts.filter((n) => n > 0).length === 3);
  // Both retries of "flaky" have run, so "once" (no retries) has had all its chances too.
  expect(attempts.filter((n) => n < 0)).toHaveLength(1);
});

test('an unknown function is ResourceNotFoundException', async () => {
  const error = await lambda.send(new InvokeCommand({ FunctionName: 'missing' })).catch((e: unknown) => e);

  expect(error).toBeInstanceOf(ResourceNotFoundException);
  expect((error as Error).message).toBe('Function not found: arn:aws:lambda:us-east-1:123456789012:function:missing');
});
