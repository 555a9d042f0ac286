import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ChildMessage, InvokeMessage } from './function-messages';
import { FunctionIdentity, functionIdentity, IamAuthorizer, RequestEnvironment } from './iam';
import type { Credentials } from './iam/principals';
import { LogStore } from './logs';

/** What Lambda passes as the handler's second argument. */
export interface LambdaContext {
  readonly awsRequestId: string;
  readonly functionName: string;
  readonly functionVersion: string;
  readonly invokedFunctionArn: string;
  readonly memoryLimitInMB: string;
  readonly logGroupName: string;
  readonly logStreamName: string;
  getRemainingTimeInMillis(): number;
}

interface FunctionCommon {
  /**
   * Lambda's timeout: the invocation fails with `Sandbox.Timedout` after this long (real time).
   * @default - none for in-process handlers; 3 seconds (Lambda's default) for asset functions
   */
  readonly timeoutSeconds?: number;
  /**
   * The log group the function writes to.
   * @default `/aws/lambda/<function name>`
   */
  readonly logGroupName?: string;
}

/** A handler run inside the simulator's own process (tests, fakes). */
export interface InProcessFunction extends FunctionCommon {
  readonly handler: (event: any, context: LambdaContext) => unknown;
}

/** A bundled function directory, run as Lambda would: in warm child processes. */
export interface AssetFunction extends FunctionCommon {
  /** Directory holding the bundle, e.g. a function asset in cdk.out. */
  readonly assetDir: string;
  /**
   * `<module>.<export>` relative to `assetDir`.
   * @default 'index.handler'
   */
  readonly handler?: string;
  /** The function's environment variables. @default {} */
  readonly environment?: Record<string, string>;
  /** @default 128 */
  readonly memorySize?: number;
  /** Lambda's LoggingConfig.LogFormat. @default 'Text' */
  readonly logFormat?: 'Text' | 'JSON';
  /** How many execution environments may run at once; further invocations wait. @default 10 */
  readonly maxConcurrency?: number;
  /**
   * The execution role's ARN: the function calls AWS as a session of this role, and Lambda writes its logs with it.
   * @default - the function calls AWS as the simulator's administrator
   */
  readonly role?: string;
  /**
   * Credentials another emulator issued (moto's STS, say), for a function that also calls that emulator, which checks
   * them: the function runs with them, and the simulator attributes them to the function's role session (or its
   * administrator) as if it had issued them.
   * @default - credentials the simulator issues
   */
  readonly credentials?: Required<Credentials>;
}

export type FunctionDefinition = InProcessFunction | AssetFunction;

/** The outcome of one invocation, like Lambda's Invoke response. */
export type InvokeResult =
  | { readonly ok: true; readonly result: unknown }
  | { readonly ok: false; readonly errorType: string; readonly errorMessage: string; readonly trace?: string[] };

/** What the simulator gives asset functions in place of AWS: its endpoint, region and account, and files of Lambda's runtime. */
export interface FunctionServices {
  readonly endpoint: string;
  readonly region: string;
  readonly accountId: string;
  /** The file that stands in for Lambda's CA bundle (LAMBDA_CA_BUNDLE). @default - none */
  readonly lambdaCaBundle?: string;
  /** Credentials of execution roles, and the check that Lambda may write a function's logs. */
  readonly iam: IamAuthorizer;
  readonly requestEnvironment: RequestEnvironment;
}

/** The CA bundle Lambda's Node.js runtime ships (Amazon's RDS CAs among others), which functions name in NODE_EXTRA_CA_CERTS. */
export const LAMBDA_CA_BUNDLE = '/var/runtime/ca-cert.pem';

interface Runner {
  invoke(event: unknown): Promise<InvokeResult>;
  stop(): Promise<void>;
}

/** Lambda's asynchronous invocation settings of a function (PutFunctionEventInvokeConfig). */
export interface EventInvokeConfig {
  /** Retries after a failed asynchronous invocation, 0 to 2. @default 2 */
  readonly maximumRetryAttempts?: number;
  /** Events older than this are dropped instead of retried, 60 to 21600. @default 21600 */
  readonly maximumEventAgeInSeconds?: number;
}

/** The waits before the first and second retry of a failed asynchronous invocation: about 1 and 2 minutes in AWS. */
export const AWS_ASYNC_RETRY_DELAYS_MS: readonly [number, number] = [60_000, 120_000];

/** Registered functions by name, each with its runner, and Lambda's queue of asynchronous invocations. */
export class FunctionRegistry {
  private readonly runners = new Map<string, Runner>();
  private readonly eventInvokeConfigs = new Map<string, EventInvokeConfig>();
  private readonly retryTimers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly logs: LogStore,
    private readonly services: () => FunctionServices,
    private readonly asyncRetryDelaysMs: readonly [number, number] = AWS_ASYNC_RETRY_DELAYS_MS,
  ) {}

  public register(functionArn: string, definition: FunctionDefinition): void {
    const name = functionName(functionArn);
    const previous = this.runners.get(name);
    if (previous) void previous.stop();
    const logGroupName = definition.logGroupName ?? `/aws/lambda/${name}`;
    this.logs.createGroup(logGroupName);
    const target = { arn: functionArn, name, logGroupName };
    const runner = 'assetDir' in definition
      ? new ChildProcessRunner(target, definition, this.logs, this.services())
      : new InProcessRunner(target, definition, this.logs);
    this.runners.set(name, runner);
  }

  /** Whether `functionArn` (an ARN, with or without qualifier, or a name) names a registered function. */
  public has(functionArn: string): boolean {
    return this.runners.has(functionName(functionArn));
  }

  public invoke(functionArn: string, event: unknown): Promise<InvokeResult> {
    const runner = this.runners.get(functionName(functionArn));
    if (!runner) throw new Error(`No function is registered for ${functionArn}`);
    return runner.invoke(event);
  }

  /** Removes a function (DeleteFunction): its execution environments stop, queued retries are dropped. */
  public async unregister(functionArn: string): Promise<void> {
    const name = functionName(functionArn);
    const runner = this.runners.get(name);
    this.runners.delete(name);
    this.eventInvokeConfigs.delete(name);
    await runner?.stop();
  }

  public putEventInvokeConfig(functionArn: string, config: EventInvokeConfig | undefined): void {
    if (config === undefined) this.eventInvokeConfigs.delete(functionName(functionArn));
    else this.eventInvokeConfigs.set(functionName(functionArn), config);
  }

  /**
   * An asynchronous invocation (`InvocationType: Event`): queued, run soon, and on a function error retried after
   * the configured delays up to MaximumRetryAttempts (2 by default), as Lambda does. Throws when the function is
   * not registered (Lambda's Invoke answers 404 then).
   */
  public invokeAsync(functionArn: string, event: unknown): void {
    if (!this.has(functionArn)) throw new Error(`No function is registered for ${functionArn}`);
    const queuedAt = Date.now();
    const attempt = (retry: number): void => {
      const name = functionName(functionArn);
      if (!this.runners.has(name)) return;
      void this.invoke(functionArn, event).then((result) => {
        const config = this.eventInvokeConfigs.get(name) ?? {};
        const maxRetries = config.maximumRetryAttempts ?? 2;
        const maxAgeMs = (config.maximumEventAgeInSeconds ?? 21_600) * 1000;
        if (result.ok || retry >= maxRetries) return;
        const delay = this.asyncRetryDelaysMs[retry];
        if (Date.now() + delay - queuedAt > maxAgeMs) return;
        const timer = setTimeout(() => {
          this.retryTimers.delete(timer);
          attempt(retry + 1);
        }, delay);
        this.retryTimers.add(timer);
      }, () => undefined);
    };
    setImmediate(() => attempt(0));
  }

  public async stopAll(): Promise<void> {
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.retryTimers.clear();
    await Promise.all([...this.runners.values()].map((runner) => runner.stop()));
  }
}

/** `arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]` → `<name>`; a bare name stays as it is. */
export function functionName(functionArn: string): string {
  const match = /^arn:[^:]+:lambda:[^:]*:[^:]*:function:([^:]+)(:[^:]+)?$/.exec(functionArn);
  return match ? match[1] : functionArn;
}

interface FunctionTarget {
  readonly arn: string;
  readonly name: string;
  readonly logGroupName: string;
}

/** A Lambda log stream name: `YYYY/MM/DD/[$LATEST]<32 hex characters>`. */
function newLogStreamName(): string {
  const date = new Date().toISOString().slice(0, 10).replace(/-/g, '/');
  return `${date}/[$LATEST]${randomBytes(16).toString('hex')}`;
}

function reportLine(requestId: string, started: number, memorySize: number): string {
  const duration = performance.now() - started;
  return `REPORT RequestId: ${requestId}\tDuration: ${duration.toFixed(2)} ms\tBilled Duration: ${Math.ceil(duration)} ms\tMemory Size: ${memorySize} MB`;
}

function timeoutMessage(requestId: string, seconds: number): string {
  return `${new Date().toISOString()} ${requestId} Task timed out after ${seconds.toFixed(2)} seconds`;
}

class InProcessRunner implements Runner {
  private readonly logStreamName = newLogStreamName();

  constructor(
    private readonly target: FunctionTarget,
    private readonly definition: InProcessFunction,
    private readonly logs: LogStore,
  ) {}

  public async invoke(event: unknown): Promise<InvokeResult> {
    const requestId = randomUUID();
    const started = performance.now();
    const timeoutMs = this.definition.timeoutSeconds === undefined ? undefined : this.definition.timeoutSeconds * 1000;
    const log = (message: string) => this.logs.append(this.target.logGroupName, this.logStreamName, message);
    log(`START RequestId: ${requestId} Version: $LATEST`);
    const context: LambdaContext = {
      awsRequestId: requestId,
      functionName: this.target.name,
      functionVersion: '$LATEST',
      invokedFunctionArn: this.target.arn,
      memoryLimitInMB: '128',
      logGroupName: this.target.logGroupName,
      logStreamName: this.logStreamName,
      getRemainingTimeInMillis: () => (timeoutMs === undefined ? Number.MAX_SAFE_INTEGER : Math.max(0, timeoutMs - (performance.now() - started))),
    };
    let timer: NodeJS.Timeout | undefined;
    let outcome: InvokeResult;
    try {
      const run = Promise.resolve().then(() => this.definition.handler(event, context));
      const timeout = new Promise<never>((_, reject) => {
        if (timeoutMs !== undefined) timer = setTimeout(() => reject(new TimeoutError(requestId, this.definition.timeoutSeconds!)), timeoutMs);
      });
      const result = await Promise.race([run, timeout]);
      outcome = { ok: true, result: result === undefined ? null : result };
    } catch (error) {
      if (error instanceof TimeoutError) {
        log(error.message);
        outcome = { ok: false, errorType: 'Sandbox.Timedout', errorMessage: error.message };
      } else {
        const info = describeError(error);
        log(`${new Date().toISOString()}\t${requestId}\tERROR\tInvoke Error \t${JSON.stringify({ errorType: info.errorType, errorMessage: info.errorMessage, stack: info.trace })}`);
        outcome = { ok: false, ...info };
      }
    } finally {
      clearTimeout(timer);
    }
    log(`END RequestId: ${requestId}`);
    log(reportLine(requestId, started, 128));
    return outcome;
  }

  public async stop(): Promise<void> {}
}

class TimeoutError extends Error {
  constructor(requestId: string, seconds: number) {
    super(timeoutMessage(requestId, seconds));
  }
}

function describeError(error: unknown): { errorType: string; errorMessage: string; trace: string[] } {
  if (error instanceof Error) {
    return { errorType: error.name, errorMessage: error.message, trace: String(error.stack ?? '').split('\n') };
  }
  return { errorType: typeof error, errorMessage: String(error), trace: [] };
}

/** The directory that holds the AWS SDK v3 packages, which the Lambda Node.js runtime provides to functions. */
function sdkNodePath(): string | undefined {
  try {
    const manifest = require.resolve('@aws-sdk/client-secrets-manager/package.json');
    return path.resolve(path.dirname(manifest), '..', '..');
  } catch {
    return undefined;
  }
}

/** Where projen's bundler writes function-runtime.ts, relative to the package root. */
const FUNCTION_RUNTIME_BUNDLE = path.join('assets', 'simulator', 'function-runtime', 'index.js');

/**
 * The bundled child-process program. The package root is above this file both in the sources (simulator/) and in
 * the sandbox's bundle (assets/sandbox/cli/): the first ancestor that holds the bundle.
 */
function functionRuntimeFile(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, FUNCTION_RUNTIME_BUNDLE);
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`The function runtime ${FUNCTION_RUNTIME_BUNDLE} was not found above ${__dirname}: run \`npx projen bundle\``);
  }
}

/** Runs an asset directory in warm child processes, one per concurrent invocation, like Lambda's environments. */
class ChildProcessRunner implements Runner {
  private readonly environments: ExecutionEnvironment[] = [];
  private readonly waiting: Array<() => void> = [];
  private readonly identity: FunctionIdentity;
  private stopped = false;

  constructor(
    private readonly target: FunctionTarget,
    private readonly definition: AssetFunction,
    private readonly logs: LogStore,
    private readonly services: FunctionServices,
  ) {
    const assetDir = path.resolve(definition.assetDir);
    if (!fs.existsSync(assetDir) || !fs.statSync(assetDir).isDirectory()) {
      throw new Error(`\`assetDir\` must be a directory, got ${definition.assetDir}`);
    }
    this.identity = functionIdentity(
      services.iam, services.requestEnvironment, definition.role, target.name, target.logGroupName, definition.credentials,
    );
  }

  public async invoke(event: unknown): Promise<InvokeResult> {
    if (this.stopped) throw new Error(`Function ${this.target.name} is stopped`);
    const environment = await this.acquire();
    try {
      return await environment.invoke(event, (this.definition.timeoutSeconds ?? 3) * 1000);
    } finally {
      environment.busy = false;
      if (!environment.alive) this.environments.splice(this.environments.indexOf(environment), 1);
      this.waiting.shift()?.();
    }
  }

  public async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.environments.map((environment) => environment.stop()));
    this.environments.length = 0;
  }

  private async acquire(): Promise<ExecutionEnvironment> {
    for (;;) {
      const idle = this.environments.find((environment) => !environment.busy && environment.alive);
      if (idle) {
        idle.busy = true;
        return idle;
      }
      if (this.environments.length < (this.definition.maxConcurrency ?? 10)) {
        const created = new ExecutionEnvironment(this.target, this.definition, this.logs, this.services, this.identity);
        created.busy = true;
        this.environments.push(created);
        return created;
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }
}

/** One long-lived child process: Lambda's warm execution environment. */
class ExecutionEnvironment {
  public busy = false;
  public alive = true;
  private readonly child: ChildProcess;
  private readonly logStreamName = newLogStreamName();
  private readonly exited: Promise<void>;
  private current?: { requestId: string; resolve: (result: InvokeResult) => void };
  private fatal?: { errorType: string; errorMessage: string };
  private readonly initStarted = performance.now();
  private initReported = false;
  /** Whether Lambda may write this environment's log stream with the function's role (checked at each invocation). */
  private writesLogs: boolean;
  /** Settles when the runtime has started and loaded the handler (Lambda's init phase), or the process ended. */
  private readonly initialized: Promise<void>;
  private markInitialized!: () => void;

  constructor(
    private readonly target: FunctionTarget,
    private readonly definition: AssetFunction,
    private readonly logs: LogStore,
    services: FunctionServices,
    private readonly identity: FunctionIdentity,
  ) {
    this.writesLogs = identity.mayWriteLogs(this.logStreamName);
    const assetDir = path.resolve(definition.assetDir);
    const memorySize = definition.memorySize ?? 128;
    const nodePath = sdkNodePath();
    const env: Record<string, string> = {
      ...definition.environment,
      PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      TZ: 'UTC',
      LANG: 'en_US.UTF-8',
      LAMBDA_TASK_ROOT: assetDir,
      _HANDLER: definition.handler ?? 'index.handler',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      AWS_LAMBDA_FUNCTION_NAME: target.name,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memorySize),
      AWS_LAMBDA_LOG_GROUP_NAME: target.logGroupName,
      AWS_LAMBDA_LOG_STREAM_NAME: this.logStreamName,
      AWS_LAMBDA_LOG_FORMAT: definition.logFormat ?? 'Text',
      AWS_REGION: services.region,
      AWS_DEFAULT_REGION: services.region,
      AWS_ACCESS_KEY_ID: identity.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: identity.credentials.secretAccessKey,
      AWS_SESSION_TOKEN: identity.credentials.sessionToken,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: services.endpoint,
      AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: services.endpoint,
      AWS_ENDPOINT_URL_LAMBDA: services.endpoint,
      AWS_EC2_METADATA_DISABLED: 'true',
      ...(nodePath ? { NODE_PATH: nodePath } : {}),
    };
    // Functions target Lambda's nodejs22.x. On an older local Node.js the AWS SDK would log a version warning
    // into every function's logs that Lambda never shows: switch it off there.
    if (Number(process.versions.node.split('.')[0]) < 22) env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
    // The AWS rotation templates read their endpoint from SECRETS_MANAGER_ENDPOINT: keep such functions local too.
    if (definition.environment?.SECRETS_MANAGER_ENDPOINT !== undefined) env.SECRETS_MANAGER_ENDPOINT = services.endpoint;
    // Lambda's CA bundle does not exist here: functions that trust it get the simulator's stand-in.
    if (services.lambdaCaBundle !== undefined && definition.environment?.NODE_EXTRA_CA_CERTS === LAMBDA_CA_BUNDLE) {
      env.NODE_EXTRA_CA_CERTS = services.lambdaCaBundle;
    }

    this.child = spawn(process.execPath, [functionRuntimeFile()], {
      cwd: assetDir,
      env,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.initialized = new Promise((resolve) => (this.markInitialized = resolve));
    this.child.on('message', (message: ChildMessage) => this.onMessage(message));
    for (const stream of [this.child.stdout!, this.child.stderr!]) {
      stream.setEncoding('utf8');
      let partial = '';
      stream.on('data', (chunk: string) => {
        const lines = (partial + chunk).split('\n');
        partial = lines.pop()!;
        for (const line of lines) this.log(line);
      });
    }
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.alive = false;
        this.markInitialized();
        const current = this.current;
        this.current = undefined;
        if (current) {
          const status = signal ? `signal ${signal}` : `exit status ${code}`;
          current.resolve({
            ok: false,
            errorType: this.fatal?.errorType === 'Runtime.UnhandledPromiseRejection' ? this.fatal.errorType : 'Runtime.ExitError',
            errorMessage: this.fatal?.errorType === 'Runtime.UnhandledPromiseRejection'
              ? this.fatal.errorMessage
              : `RequestId: ${current.requestId} Error: Runtime exited with error: ${status}`,
          });
        }
        resolve();
      });
      this.child.once('error', () => {
        this.alive = false;
        resolve();
      });
    });
  }

  /**
   * Runs one invocation. As in Lambda, the function's timeout counts from the end of the init phase (the runtime
   * starting and loading the handler), which is not part of it.
   */
  public async invoke(event: unknown, timeoutMs: number): Promise<InvokeResult> {
    await this.initialized;
    const requestId = randomUUID();
    const started = performance.now();
    this.writesLogs = this.identity.mayWriteLogs(this.logStreamName);
    this.log(`START RequestId: ${requestId} Version: $LATEST`);
    if (!this.alive) {
      return { ok: false, errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${requestId} Error: Runtime exited during its init phase` };
    }
    return new Promise<InvokeResult>((resolve) => {
      const timer = setTimeout(() => {
        this.log(timeoutMessage(requestId, timeoutMs / 1000));
        const finish = this.current;
        this.current = undefined;
        finish?.resolve({ ok: false, errorType: 'Sandbox.Timedout', errorMessage: timeoutMessage(requestId, timeoutMs / 1000) });
        this.alive = false;
        this.child.kill('SIGKILL');
      }, timeoutMs);
      this.current = {
        requestId,
        resolve: (result) => {
          clearTimeout(timer);
          this.log(`END RequestId: ${requestId}`);
          const init = this.initReported ? '' : `\tInit Duration: ${(started - this.initStarted).toFixed(2)} ms`;
          this.initReported = true;
          this.log(reportLine(requestId, started, this.definition.memorySize ?? 128) + init);
          resolve(result);
        },
      };
      const message: InvokeMessage = { type: 'invoke', requestId, event, functionArn: this.target.arn, deadline: Date.now() + timeoutMs };
      // A child that cannot take the message is dead: killing it settles the invocation as Runtime.ExitError.
      this.child.send(message, (error) => {
        if (error) this.child.kill('SIGKILL');
      });
    });
  }

  public async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }

  private onMessage(message: ChildMessage): void {
    switch (message.type) {
      case 'log':
        this.log(message.text);
        return;
      case 'fatal':
        this.fatal = message;
        return;
      case 'ready':
        this.markInitialized();
        return;
      case 'result': {
        const current = this.current;
        if (!current || current.requestId !== message.requestId) return;
        this.current = undefined;
        const { type: _type, requestId: _requestId, ...result } = message;
        current.resolve(result);
        return;
      }
      default:
        return;
    }
  }

  private log(line: string): void {
    if (this.writesLogs) this.logs.append(this.target.logGroupName, this.logStreamName, line);
  }
}
