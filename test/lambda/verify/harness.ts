import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { FakeAws } from './fake-aws';
import { CHECK_ARN, CHECK_LOG_GROUP, FUNCTION_ARN, LOGICAL_ID, LOG_GROUP, STACK_ID } from './fixtures';
import { ResponseServer, startResponseServer } from './response-server';
import { MAX_RESPONSE_BYTES } from '../../../lambda/verify/response';
import { deriveRotationToken } from '../../../lambda/verify/token';
import { createHandler } from '../../../lambda/verify/verify-function';

/** A parsed answer to CloudFormation. */
export interface ParsedAnswer {
  readonly Status: 'SUCCESS' | 'FAILED';
  readonly Reason: string;
  readonly PhysicalResourceId: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly Data?: Record<string, string>;
}

export interface CheckHarness {
  /** The fake services of the current test (new for each test). */
  readonly fake: FakeAws;
  readonly server: ResponseServer;
  readonly logLines: readonly string[];
  /** Invokes the bundled handler's code as Lambda would, with `remainingMs` left before its timeout. */
  invoke(event: unknown, remainingMs?: number): Promise<void>;
  /** The answers PUT so far, parsed. */
  answers(): ParsedAnswer[];
  /** The only answer; fails when there is none or more than one. */
  answer(): ParsedAnswer;
  /** This request's rotation token for a secret. */
  token(requestId: string, secretArn: string): string;
}

/**
 * The check's handler against aws-sdk-client-mock'ed SDK clients backed by FakeAws, with a local server for the
 * ResponseURL. After every test: no secret value in any log line or answer, every log line one JSON object, every
 * answer within 4,096 bytes.
 */
export function useCheckHarness(): CheckHarness {
  const secretsManager = mockClient(SecretsManagerClient);
  const logs = mockClient(CloudWatchLogsClient);
  const lambda = mockClient(LambdaClient);
  let fake: FakeAws;
  let server: ResponseServer;
  const logLines: string[] = [];

  beforeEach(async () => {
    secretsManager.reset();
    logs.reset();
    lambda.reset();
    fake = new FakeAws();
    fake.install(secretsManager, logs, lambda);
    fake.registerFunction(FUNCTION_ARN, LOG_GROUP, { strategy: 'generic' });
    server = await startResponseServer();
    logLines.length = 0;
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      logLines.push(...String(chunk).split('\n').filter((line) => line.length > 0));
      return true;
    });
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await server.close();
    const texts = [...logLines, ...server.received.map((request) => request.body)];
    for (const value of fake.secretValues()) {
      for (const text of texts) expect(text).not.toContain(value);
    }
    for (const line of logLines) {
      expect(JSON.parse(line)).toEqual(expect.objectContaining({ level: expect.any(String), message: expect.any(String) }));
    }
    for (const request of server.received) expect(Buffer.byteLength(request.body)).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
  });

  afterAll(() => {
    secretsManager.restore();
    logs.restore();
    lambda.restore();
  });

  const answers = () => server.received.map((request) => JSON.parse(request.body) as ParsedAnswer);
  return {
    get fake() {
      return fake;
    },
    get server() {
      return server;
    },
    logLines,
    async invoke(event, remainingMs = 900_000) {
      const deadline = fake.clock.now() + remainingMs;
      const context = { invokedFunctionArn: CHECK_ARN, logGroupName: CHECK_LOG_GROUP, getRemainingTimeInMillis: () => deadline - fake.clock.now() };
      await createHandler({ clock: fake.clock })(event, context);
    },
    answers,
    answer() {
      const all = answers();
      expect(all).toHaveLength(1);
      return all[0];
    },
    token: (requestId, secretArn) => deriveRotationToken({ StackId: STACK_ID, LogicalResourceId: LOGICAL_ID, RequestId: requestId }, secretArn),
  };
}
