import { ChildProcess, spawn } from 'node:child_process';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { pythonTool } from './python-tools';

/** A moto server process (a third-party Secrets Manager emulator) owned by one test file. */
export interface MotoServer {
  /** Base URL, e.g. http://127.0.0.1:40123 */
  readonly endpoint: string;
  stop(): Promise<void>;
}

/**
 * Starts `python3 -m moto.server` on a free loopback port and waits until it answers.
 * Port 0 lets moto pick the port; we read it from the line it prints.
 */
export async function startMoto(): Promise<MotoServer> {
  const child: ChildProcess = spawn(pythonTool('python'), ['-m', 'moto.server', '-H', '127.0.0.1', '-p', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const endpoint = await new Promise<string>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`moto did not start within 20 s:\n${output}`)), 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Running on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`moto exited with code ${code}:\n${output}`));
    });
  });
  await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
  return {
    endpoint,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/**
 * Makes moto's RotateSecret create the empty AWSPENDING placeholder without Docker: moto's Lambda backend is
 * told not to use Docker and a dummy function is registered. Returns that function's ARN, to pass as
 * RotationLambdaARN. moto cannot run it: the test invokes the four steps itself.
 */
export async function createDummyRotationFunction(endpoint: string, region = 'us-east-1'): Promise<string> {
  await fetch(`${endpoint}/moto-api/config`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ lambda: { use_docker: false } }),
  });
  const roleName = `rotation-role-${Date.now()}`;
  const iam = await fetch(`${endpoint}/`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'authorization': authHeader('iam', 'us-east-1') },
    body: new URLSearchParams({
      Action: 'CreateRole',
      Version: '2010-05-08',
      RoleName: roleName,
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      }),
    }).toString(),
  });
  const roleArn = /<Arn>([^<]+)<\/Arn>/.exec(await iam.text())?.[1];
  if (!roleArn) throw new Error('moto did not create the IAM role for the dummy rotation function');
  const fn = await fetch(`${endpoint}/2015-03-31/functions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'authorization': authHeader('lambda', region) },
    body: JSON.stringify({
      FunctionName: `dummy-rotation-${Date.now()}`,
      Runtime: 'nodejs22.x',
      Role: roleArn,
      Handler: 'index.handler',
      Code: { ZipFile: EMPTY_ZIP_BASE64 },
    }),
  });
  const arn = ((await fn.json()) as { FunctionArn?: string }).FunctionArn;
  if (!arn) throw new Error('moto did not create the dummy rotation function');
  return arn;
}

/** Credentials for any emulator: never real. */
export const DUMMY_CREDENTIALS = { accessKeyId: 'AKIAEXAMPLEEXAMPLE00', secretAccessKey: 'not-a-real-secret-key' };

// moto routes by the service name in the SigV4 scope; the signature itself is not checked.
function authHeader(service: string, region: string): string {
  return `AWS4-HMAC-SHA256 Credential=${DUMMY_CREDENTIALS.accessKeyId}/20260101/${region}/${service}/aws4_request, SignedHeaders=host, Signature=0`;
}

// An empty zip archive (end-of-central-directory record only).
const EMPTY_ZIP_BASE64 = 'UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==';

/** Credentials moto issued: they sign requests that moto verifies once request authentication is on. */
export interface MotoCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/**
 * Switches moto's request authentication on. Off (moto's default), any key is accepted and STS GetCallerIdentity
 * answers for any key; on, every request must be signed with a key of a moto IAM user or role session, its signature
 * is verified, and the caller's policies are evaluated (actions only: moto matches no Resource but `*`). moto takes
 * the next three requests unauthenticated: they make an administrator, whose credentials are returned.
 */
export async function enableRequestAuthentication(endpoint: string): Promise<MotoCredentials> {
  const reset = await fetch(`${endpoint}/moto-api/reset-auth`, { method: 'POST', body: '3' });
  if (!reset.ok) throw new Error(`moto refused /moto-api/reset-auth: ${reset.status}`);
  const iam = new IAMClient({ endpoint, region: 'us-east-1', credentials: DUMMY_CREDENTIALS, maxAttempts: 1 });
  try {
    const userName = 'test-administrator';
    await iam.send(new CreateUserCommand({ UserName: userName }));
    await iam.send(new PutUserPolicyCommand({
      UserName: userName,
      PolicyName: 'administrator',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }),
    }));
    const { AccessKey: key } = await iam.send(new CreateAccessKeyCommand({ UserName: userName }));
    return { accessKeyId: key!.AccessKeyId!, secretAccessKey: key!.SecretAccessKey! };
  } finally {
    iam.destroy();
  }
}
