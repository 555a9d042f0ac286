import * as fs from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { ClockOptions, SimulatorClock } from './clock';
import { FaultHooks } from './faults';
import { EventInvokeConfig, FunctionDefinition, FunctionRegistry, InvokeResult } from './functions';
import { RotationHold, RotationHoldMatch, RotationHolds } from './holds';
import { ApiCall, ApiCallLog, createRequestListener } from './http';
import { IamAuthorizer, IamMode, SIMULATOR_CREDENTIALS } from './iam';
import { LogStore } from './logs';
import { OperationContext } from './operations';
import { RotationEngine, RotationServiceEvent, Scheduler } from './rotation';
import { attachStages, AWSPENDING, Secret, SecretStore } from './store';

export interface SimulatorOptions {
  /** Port on 127.0.0.1. @default 0 (any free port) */
  readonly port?: number;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** @default '123456789012' */
  readonly accountId?: string;
  /**
   * How many times a failed rotation is attempted in all (same token) before the simulator gives up.
   * @default 3
   */
  readonly maxRotationAttempts?: number;
  /** @default - starts at the real current time and follows real time */
  readonly clock?: ClockOptions;
  /**
   * A PEM file asset functions get instead of Lambda's CA bundle: a function whose environment sets
   * `NODE_EXTRA_CA_CERTS=/var/runtime/ca-cert.pem` (where Lambda's Node.js runtime ships the RDS CAs) runs with
   * `NODE_EXTRA_CA_CERTS=<this file>`, e.g. the `caBundleFile` of a local database host.
   * @default - the variable is passed on as it is (Node.js then warns that the file is missing)
   */
  readonly lambdaCaBundle?: string;
  /**
   * How long Lambda waits before the first and the second retry of a failed asynchronous invocation (real time).
   * @default [60000, 120000] - about 1 and 2 minutes, as AWS
   */
  readonly asyncRetryDelaysMs?: readonly [number, number];
  /**
   * IAM enforcement: every call is authorized against the policies of the simulator's policy providers (a local
   * CloudFormation deployer's records, `iam.putIdentity`), and a denied call is answered with AWS's
   * AccessDeniedException. `auto` enforces when the evaluator (a development dependency) is installed. Off by
   * default: without a deployer's roles and permissions, a function registered here could not even be invoked by
   * Secrets Manager.
   * @default 'off'
   */
  readonly iam?: IamMode;
}

export interface ApiCallQuery {
  /** Only calls that named this secret. @default - all calls */
  readonly secretArn?: string;
  /** Only calls after this mark (from `apiCallMark()`). @default - from the start */
  readonly since?: number;
}

export { SIMULATOR_CREDENTIALS };

/** The simulator serves the standard AWS partition. */
const PARTITION = 'aws';

/**
 * A local AWS Secrets Manager (with a minimal CloudWatch Logs) for tests and the sandbox: an HTTP server on
 * 127.0.0.1 speaking the JSON 1.1 protocol, so the real AWS SDK talks to it through `endpoint`, plus a rotation
 * engine that invokes registered rotation functions (in-process or bundled asset directories in child processes)
 * and a controllable clock that drives scheduled rotations.
 */
export class SecretsManagerSimulator {
  /** Starts a simulator; stop it with `stop()`. */
  public static async start(options: SimulatorOptions = {}): Promise<SecretsManagerSimulator> {
    const simulator = new SecretsManagerSimulator(options);
    await simulator.listen(options.port ?? 0);
    return simulator;
  }

  /** e.g. `http://127.0.0.1:40123` */
  public endpoint = '';
  public readonly region: string;
  public readonly accountId: string;
  public readonly clock: SimulatorClock;
  public readonly faults = new FaultHooks();
  /** The log groups functions write to; the same data FilterLogEvents serves. */
  public readonly logs: LogStore;
  /** IAM: who calls (credentials), which policies apply, every decision, and whether it is enforced (`iam.status`). */
  public readonly iam: IamAuthorizer;

  private readonly store: SecretStore;
  private readonly functions: FunctionRegistry;
  private readonly engine: RotationEngine;
  private readonly holds = new RotationHolds();
  private readonly calls = new ApiCallLog();
  private readonly server: Server;

  private constructor(options: SimulatorOptions) {
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '123456789012';
    const maxAttempts = options.maxRotationAttempts ?? 3;
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
      throw new Error(`\`maxRotationAttempts\` must be a positive integer, got ${maxAttempts}`);
    }
    const lambdaCaBundle = options.lambdaCaBundle === undefined ? undefined : path.resolve(options.lambdaCaBundle);
    if (lambdaCaBundle !== undefined && !fs.statSync(lambdaCaBundle, { throwIfNoEntry: false })?.isFile()) {
      throw new Error(`\`lambdaCaBundle\` must be a file, got ${options.lambdaCaBundle}`);
    }
    this.clock = new SimulatorClock(options.clock);
    this.logs = new LogStore(() => this.clock.now());
    this.store = new SecretStore(this.region, this.accountId, this.clock);
    const where = { partition: PARTITION, region: this.region, accountId: this.accountId };
    this.iam = new IamAuthorizer({ ...where, mode: options.iam ?? 'off', now: () => this.clock.now() });
    const requestEnvironment = { ...where, findSecret: (id: string) => this.store.find(id) };
    this.functions = new FunctionRegistry(
      this.logs,
      () => ({ endpoint: this.endpoint, region: this.region, accountId: this.accountId, lambdaCaBundle, iam: this.iam, requestEnvironment }),
      options.asyncRetryDelaysMs,
    );
    this.engine = new RotationEngine(this.functions, this.clock, maxAttempts, this.holds, this.iam);
    const scheduler = new Scheduler(this.store, this.engine, this.clock, createPlaceholder(this.clock));
    this.clock.setAdvanceHandler((target) => scheduler.runUntil(target));

    const context: OperationContext = { store: this.store, engine: this.engine, functions: this.functions, clock: this.clock, iam: this.iam };
    this.server = createServer(createRequestListener({
      context, logs: this.logs, faults: this.faults, calls: this.calls, region: this.region, accountId: this.accountId, requestEnvironment,
    }));
  }

  /** Rotation events so far, oldest first. */
  public get events(): readonly RotationServiceEvent[] {
    return this.engine.events;
  }

  /** Calls `listener` with every rotation event from now on. */
  public onRotationEvent(listener: (event: RotationServiceEvent) => void): void {
    this.engine.onEvent(listener);
  }

  /**
   * Stops rotations that match before `match.step` (before its function is invoked) until `release()`: a slow
   * rotation function, or a rotation caught between two steps while something else happens.
   */
  public holdRotations(match: RotationHoldMatch): RotationHold {
    return this.holds.add(match);
  }

  /** What to pass to an AWS SDK client constructor: endpoint, region and dummy credentials. */
  public clientConfig() {
    return { endpoint: this.endpoint, region: this.region, credentials: SIMULATOR_CREDENTIALS };
  }

  /**
   * Registers the function RotateSecret may name as RotationLambdaARN (matched by function name).
   * Replacing a registration stops the old one's child processes. An asset function with a `role` calls AWS as
   * a session of that role; without one, as the simulator's administrator.
   */
  public registerFunction(functionArn: string, definition: FunctionDefinition): void {
    this.functions.register(functionArn, definition);
  }

  /** Removes a function, as DeleteFunction: its child processes stop and its queued retries are dropped. */
  public unregisterFunction(functionArn: string): Promise<void> {
    return this.functions.unregister(functionArn);
  }

  /** Invokes a registered function as Lambda's Invoke would, e.g. to run a verification handler. */
  public invokeFunction(functionArn: string, event: unknown): Promise<InvokeResult> {
    return this.functions.invoke(functionArn, event);
  }

  /**
   * Invokes a registered function asynchronously, as Lambda's Invoke with `InvocationType: Event`: queued, and
   * retried on error after `asyncRetryDelaysMs`, up to the function's MaximumRetryAttempts (default 2).
   */
  public invokeFunctionAsync(functionArn: string, event: unknown): void {
    this.functions.invokeAsync(functionArn, event);
  }

  /** Sets (or with `undefined` removes) a function's asynchronous invocation settings (PutFunctionEventInvokeConfig). */
  public putFunctionEventInvokeConfig(functionArn: string, config: EventInvokeConfig | undefined): void {
    this.functions.putEventInvokeConfig(functionArn, config);
  }

  /** Resolves when no rotation is running (including rotations started meanwhile). */
  public waitForIdle(): Promise<void> {
    return this.engine.waitForIdle();
  }

  /** A mark in the API call log, for `apiCalls({ since })`. */
  public apiCallMark(): number {
    return this.calls.calls.length;
  }

  /** The API calls received, counted by operation, e.g. `{ DescribeSecret: 4, GetSecretValue: 2 }`. */
  public apiCalls(query: ApiCallQuery = {}): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const call of this.apiCallLog(query)) counts[call.operation] = (counts[call.operation] ?? 0) + 1;
    return counts;
  }

  /** The API calls received, oldest first. */
  public apiCallLog(query: ApiCallQuery = {}): ApiCall[] {
    return this.calls.calls.filter(
      (call) => (query.since === undefined || call.sequence > query.since) && (query.secretArn === undefined || call.secretArn === query.secretArn),
    );
  }

  /** Stops the server and every function process. Rotations still running are left unfinished. */
  public async stop(): Promise<void> {
    this.engine.stopAll();
    await this.functions.stopAll();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject);
        this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
        resolve();
      });
    });
  }
}

/** A scheduled rotation starts, as RotateSecret does, with a value-less AWSPENDING version. */
function createPlaceholder(clock: SimulatorClock) {
  return (secret: Secret, token: string) => {
    const placeholder = { id: token, stages: [], createdAt: clock.now() };
    secret.versions.set(token, placeholder);
    attachStages(secret, placeholder, [AWSPENDING]);
  };
}
