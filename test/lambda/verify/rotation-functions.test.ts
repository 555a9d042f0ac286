import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { FUNCTION_ARN, secretArn } from './fixtures';
import { createRotationFunctions } from '../../../lambda/verify/rotation-functions';
import { OutOfTime } from '../../../lambda/verify/time-budget';

const lambda = mockClient(LambdaClient);
const functions = createRotationFunctions(new LambdaClient({ region: 'eu-west-1' }));
const ARN = secretArn('app/database');
const signal = () => new AbortController().signal;
/** A response payload as the SDK delivers it (bytes that also read as text). */
function payload(value: unknown) {
  const text = JSON.stringify(value);
  return Object.assign(new TextEncoder().encode(text), { transformToString: () => text });
}
/** The JSON a request carried. */
const sent = (body: unknown) => JSON.parse(new TextDecoder().decode(body as Uint8Array));

beforeEach(() => lambda.reset());
afterAll(() => lambda.restore());

test('a step is Secrets Manager\'s event, invoked and awaited', async () => {
  lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload(null) });

  await expect(functions.runStep(FUNCTION_ARN, 'setSecret', ARN, 'token-1', signal())).resolves.toEqual({ ok: true });

  const input = lambda.commandCalls(InvokeCommand)[0].args[0].input;
  expect(input.FunctionName).toBe(FUNCTION_ARN);
  expect(input.InvocationType).toBeUndefined();
  expect(sent(input.Payload)).toEqual({ Step: 'setSecret', SecretId: ARN, ClientRequestToken: 'token-1' });
});

test('a function error is its type and message on one bounded line', async () => {
  lambda.on(InvokeCommand).resolves({ StatusCode: 200, FunctionError: 'Unhandled', Payload: payload({ errorType: 'RotationError', errorMessage: `setSecret failed:\n${'x'.repeat(600)}` }) });

  const result = await functions.runStep(FUNCTION_ARN, 'setSecret', ARN, 'token-1', signal());

  expect(result).toEqual({ ok: false, error: expect.stringMatching(/^RotationError: setSecret failed: x+\.\.\.$/) });
  expect((result as { error: string }).error.length).toBe(403);
});

test('a probe answer must cover every asked version with a known outcome', async () => {
  lambda.on(InvokeCommand)
    .resolvesOnce({ StatusCode: 200, Payload: payload({ outcomes: { a: 'accepted', b: 'refused' }, reasons: { b: 'password authentication failed' } }) })
    .resolvesOnce({ StatusCode: 200, Payload: payload({ outcomes: { a: 'accepted' } }) })
    .resolvesOnce({ StatusCode: 200, Payload: payload({ outcomes: { a: 'maybe', b: 'refused' } }) });

  await expect(functions.probe(FUNCTION_ARN, ARN, ['a', 'b'], signal())).resolves.toEqual({
    answered: true, result: { outcomes: { a: 'accepted', b: 'refused' }, reasons: { b: 'password authentication failed' } },
  });
  for (let i = 0; i < 2; i++) {
    await expect(functions.probe(FUNCTION_ARN, ARN, ['a', 'b'], signal())).resolves.toEqual({
      answered: false, reason: 'the function\'s answer is not a probe result (a rotation function from before probes?)',
    });
  }
  expect(sent(lambda.commandCalls(InvokeCommand)[0].args[0].input.Payload))
    .toEqual({ ProbeVersions: { SecretId: ARN, VersionIds: ['a', 'b'] } });
});

test('a call stopped at the end of the invocation\'s time is OutOfTime, not a failure', async () => {
  const controller = new AbortController();
  lambda.on(InvokeCommand).callsFake(async () => {
    controller.abort();
    throw Object.assign(new Error('Request aborted'), { name: 'AbortError' });
  });

  await expect(functions.runStep(FUNCTION_ARN, 'setSecret', ARN, 'token-1', controller.signal)).rejects.toBeInstanceOf(OutOfTime);
});

test('the asynchronous invocation is an Event with the payload', async () => {
  lambda.on(InvokeCommand).resolves({ StatusCode: 202 });

  await functions.invokeAsync('arn:aws:lambda:eu-west-1:123456789012:function:check', { continuation: 1 });

  const input = lambda.commandCalls(InvokeCommand)[0].args[0].input;
  expect(input.InvocationType).toBe('Event');
  expect(sent(input.Payload)).toEqual({ continuation: 1 });
});
