import { LOGICAL_ID, STACK_ID } from './fixtures';
import { ResponseServer, startResponseServer } from './response-server';
import type { Logger } from '../../../lambda/rotation/types';
import type { CloudFormationRequest } from '../../../lambda/verify/request';
import { MAX_RESPONSE_BYTES, ResponseRejectedError, createResponder, responseBody } from '../../../lambda/verify/response';

const REQUEST: CloudFormationRequest = {
  RequestType: 'Create',
  ResponseURL: 'https://cloudformation-custom-resource-response.example/response',
  StackId: STACK_ID,
  RequestId: '0d5c7a52-0000-4000-8000-000000000001',
  LogicalResourceId: LOGICAL_ID,
  ResourceProperties: {},
};
const POINTER = 'the whole text is in CloudWatch log group /aws/lambda/check, search for 0d5c7a52-0000-4000-8000-000000000001';

describe('responseBody', () => {
  test('is the protocol\'s document, fields in order, Data only with SUCCESS', () => {
    const success = responseBody(REQUEST, { status: 'SUCCESS', reason: 'ok', physicalResourceId: 'RotationCheck-1', data: { Secrets: '1' } }, POINTER);
    const failed = responseBody(REQUEST, { status: 'FAILED', reason: 'broken', physicalResourceId: 'RotationCheck-1', data: { Secrets: '1' } }, POINTER);

    expect(success).toBe(`{"Status":"SUCCESS","Reason":"ok","PhysicalResourceId":"RotationCheck-1","StackId":"${STACK_ID}",`
      + `"RequestId":"${REQUEST.RequestId}","LogicalResourceId":"${LOGICAL_ID}","Data":{"Secrets":"1"}}`);
    expect(failed).toBe(`{"Status":"FAILED","Reason":"broken","PhysicalResourceId":"RotationCheck-1","StackId":"${STACK_ID}",`
      + `"RequestId":"${REQUEST.RequestId}","LogicalResourceId":"${LOGICAL_ID}"}`);
  });

  test.each([
    ['ASCII', 'a'.repeat(10_000)],
    ['multi-byte characters', 'Passwort für äöü € 𝄞 '.repeat(800)],
    ['characters JSON escapes', '"\\\n\t\u0001'.repeat(3_000)],
  ])('cuts a long reason of %s to fit 4,096 bytes, ending with the pointer to the log', (_kind, reason) => {
    const body = responseBody(REQUEST, { status: 'FAILED', reason, physicalResourceId: 'RotationCheck-1' }, POINTER);

    expect(Buffer.byteLength(body, 'utf8')).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
    const parsed = JSON.parse(body);
    expect(reason.startsWith(parsed.Reason.slice(0, parsed.Reason.indexOf(' ... (cut')))).toBe(true);
    expect(parsed.Reason).toMatch(/ \.\.\. \(cut to fit CloudFormation's 4096 bytes; the whole text is in CloudWatch log group \/aws\/lambda\/check, search for 0d5c7a52-0000-4000-8000-000000000001\)$/);
    // Nearly the whole budget is used: the cut is not wasteful.
    expect(Buffer.byteLength(body, 'utf8')).toBeGreaterThan(MAX_RESPONSE_BYTES - 12);
  });

  test('cuts long notes in Data before the reason', () => {
    const body = responseBody(REQUEST, {
      status: 'SUCCESS', reason: 'Checked 300 secrets.', physicalResourceId: 'RotationCheck-1', data: { Secrets: '300', Notes: 'n'.repeat(9_000) },
    }, POINTER);

    const parsed = JSON.parse(body);
    expect(Buffer.byteLength(body, 'utf8')).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
    expect(parsed.Reason).toBe('Checked 300 secrets.');
    expect(parsed.Data.Secrets).toBe('300');
    expect(parsed.Data.Notes).toMatch(/^n+ \.\.\. \(cut to fit/);
  });
});

describe('the responder', () => {
  let server: ResponseServer;
  const warnings: string[] = [];
  const log: Logger = { info: () => undefined, warn: (message) => warnings.push(message), error: () => undefined };
  const noWait = { now: () => 0, sleep: async () => undefined };

  beforeEach(async () => {
    server = await startResponseServer();
    warnings.length = 0;
  });
  afterEach(() => server.close());

  test('PUTs exactly the body, with an empty Content-Type (the URL is signed without one) and its length', async () => {
    const body = '{"Status":"SUCCESS","Reason":"für"}';

    await createResponder(noWait, log)(server.url, body);

    expect(server.received).toHaveLength(1);
    const [received] = server.received;
    expect(received.method).toBe('PUT');
    expect(received.path).toBe('/cloudformation-response?X-Amz-Signature=abc');
    expect(received.body).toBe(body);
    expect(received.headers['content-type']).toBe('');
    expect(received.headers['content-length']).toBe(String(Buffer.byteLength(body)));
  });

  test('tries again after a 5xx answer', async () => {
    server.statuses.push(503);

    await createResponder(noWait, log)(server.url, '{}');

    expect(server.received).toHaveLength(2);
    expect(warnings).toEqual(['the answer to CloudFormation was not accepted; trying again']);
  });

  test('a 4xx answer (an expired URL) is final', async () => {
    server.statuses.push(403);

    await expect(createResponder(noWait, log)(server.url, '{}')).rejects.toEqual(new ResponseRejectedError(403));
    expect(server.received).toHaveLength(1);
  });

  test('gives up after three attempts', async () => {
    server.statuses.push(500, 500, 500);

    await expect(createResponder(noWait, log)(server.url, '{}')).rejects.toThrow('the ResponseURL answered HTTP 500');
    expect(server.received).toHaveLength(3);
  });
});
