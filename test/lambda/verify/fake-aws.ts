import { randomBytes } from 'node:crypto';
import { CloudWatchLogsClient, FilterLogEventsCommand, ResourceNotFoundException as LogGroupNotFound } from '@aws-sdk/client-cloudwatch-logs';
import { InvokeCommand, LambdaClient, ResourceNotFoundException as FunctionNotFound } from '@aws-sdk/client-lambda';
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  InvalidParameterException,
  InvalidRequestException,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  RotateSecretCommand,
  SecretsManagerClient,
  TagResourceCommand,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { AwsClientStub } from 'aws-sdk-client-mock';
import type { Clock } from '../../../lambda/verify/time-budget';

/** A fixed start: simulated time begins here. */
export const START = Date.parse('2030-01-01T10:00:00Z');
const DAY = 86_400_000;

export interface FakeVersion {
  /** Undefined for RotateSecret's value-less placeholder. */
  value?: string;
  stages: string[];
  createdAt: number;
}

export interface FakeSecret {
  readonly arn: string;
  readonly name: string;
  readonly versions: Map<string, FakeVersion>;
  tags: Record<string, string>;
  rotation?: { functionArn: string; rules: unknown };
}

/** How a fake rotation function behaves. */
export interface FakeFunctionBehaviour {
  /** `generic` protects no service; `single-user` keeps one password in the service (setSecret changes it). */
  strategy: 'generic' | 'single-user';
  /** Every invocation of this step fails (before doing anything). */
  failStep?: string;
  /** The function predates probes: it fails a probe request as an unknown event. */
  noProbe?: boolean;
  /** Secrets Manager's invocation of its first step never returns (a network stall): the rotation stays pending. */
  hangs?: boolean;
  /** The rotation takes this long (Secrets Manager's invocations of the four steps) before it ends. */
  runsSeconds?: number;
  /** The check's role may not invoke it (Secrets Manager still may). */
  invokeDenied?: boolean;
}

interface FakeFunction {
  readonly logGroup: string;
  behaviour: FakeFunctionBehaviour;
}

/** Time as the check sees it: `sleep` moves it on and lets the fake services do their background work first. */
export class FakeClock implements Clock {
  public time = START;
  constructor(private readonly background: () => Promise<void>) {}
  public now(): number {
    return this.time;
  }
  public async sleep(ms: number): Promise<void> {
    this.time += ms;
    await this.background();
  }
}

/**
 * Secrets Manager, Lambda and CloudWatch Logs as the check uses them, in memory, behind aws-sdk-client-mock, with
 * AWS's semantics: RotateSecret refuses while a stale AWSPENDING exists, creates a value-less placeholder and runs
 * the rotation later (while the check sleeps), retrying a failed attempt; a PutSecretValue that makes a new
 * AWSCURRENT drops AWSPENDING; rotation functions log a line per step and the contract's failure record.
 * A single-user service accepts exactly one password: the one its last setSecret gave it.
 */
export class FakeAws {
  public readonly clock = new FakeClock(() => this.runBackground());
  public readonly secrets = new Map<string, FakeSecret>();
  public readonly logEvents: Array<{ logGroup: string; timestamp: number; message: string }> = [];
  /** Payloads of asynchronous invocations (InvocationType Event), in order. */
  public readonly asyncInvocations: Array<{ functionName: string; payload: unknown }> = [];
  /** Every call that changes something or runs code, in order: `RotateSecret`, `Invoke setSecret`, ... */
  public readonly calls: string[] = [];
  /** RotateSecret applies the next call, then its response is lost (the connection drops). */
  public loseNextRotateResponse = false;
  /** Asynchronous invocations fail with this error. */
  public asyncInvokeError?: Error;
  /** Secrets Manager operations the caller's IAM policy does not allow. */
  public readonly denied = new Set<string>();
  /** Called on DescribeSecret and TagResource, to observe the order of work across secrets. */
  public onCall?: (operation: string, secretArn: string) => void;
  /** The password each single-user service accepts, by secret ARN. */
  public readonly servicePasswords = new Map<string, string>();
  private readonly functions = new Map<string, FakeFunction>();
  private background: Array<() => Promise<void>> = [];
  private readonly values: string[] = [];

  /** A secret with one AWSCURRENT version created a day ago. */
  public addSecret(arn: string, options: { value?: string; tags?: Record<string, string> } = {}): string {
    const value = options.value ?? this.newPassword();
    const secret: FakeSecret = { arn, name: arn.split(':secret:')[1].replace(/-[A-Za-z0-9]{6}$/, ''), versions: new Map(), tags: { ...options.tags } };
    this.secrets.set(arn, secret);
    this.addVersion(arn, 'c0000000-0000-4000-8000-000000000001', { value, stages: ['AWSCURRENT'], createdAt: START - DAY });
    return arn;
  }

  public addVersion(arn: string, versionId: string, version: Partial<FakeVersion> & { stages: string[] }): void {
    const secret = this.secret(arn);
    for (const stage of version.stages) this.detach(secret, stage);
    if (version.value !== undefined) this.values.push(version.value);
    secret.versions.set(versionId, { createdAt: this.clock.now(), ...version, stages: [...version.stages] });
  }

  public registerFunction(arn: string, logGroup: string, behaviour: FakeFunctionBehaviour): void {
    this.functions.set(arn, { logGroup, behaviour });
  }

  public setBehaviour(arn: string, behaviour: FakeFunctionBehaviour): void {
    this.functions.get(arn)!.behaviour = behaviour;
  }

  /** Work a service does on its own, run the next time the check sleeps. */
  public inBackground(task: () => Promise<void> | void): void {
    this.background.push(async () => task());
  }

  public stages(arn: string): Record<string, string[]> {
    return Object.fromEntries([...this.secret(arn).versions].filter(([, v]) => v.stages.length > 0).map(([id, v]) => [id, [...v.stages].sort()]));
  }

  public value(arn: string, versionId: string): string | undefined {
    return this.secret(arn).versions.get(versionId)?.value;
  }

  /** Every secret value the fakes ever held: none may appear in a log line or an answer. */
  public secretValues(): readonly string[] {
    return this.values;
  }

  /** A line the rotation function logged, at simulated time `timestamp`. */
  public log(logGroup: string, message: Record<string, unknown>, timestamp = this.clock.now()): void {
    this.logEvents.push({ logGroup, timestamp, message: JSON.stringify(message) });
  }

  /** Runs one step as the fake rotation function; throws its error. */
  public async runStep(functionArn: string, step: string, arn: string, token: string): Promise<void> {
    const fn = this.functions.get(functionArn)!;
    const fields = { step, secretArn: arn, token, strategy: fn.behaviour.strategy };
    this.log(fn.logGroup, { level: 'info', message: 'rotation step started', ...fields });
    try {
      this.stepWork(fn.behaviour, step, arn, token);
    } catch (error) {
      this.log(fn.logGroup, { level: 'error', message: 'rotation step failed', ...fields, error: (error as Error).message });
      throw error;
    }
  }

  public install(sm: AwsClientStub<SecretsManagerClient>, logs: AwsClientStub<CloudWatchLogsClient>, lambda: AwsClientStub<LambdaClient>): void {
    sm.on(DescribeSecretCommand).callsFake(async ({ SecretId }) => {
      this.authorize('DescribeSecret');
      const secret = this.secret(SecretId);
      this.onCall?.('DescribeSecret', secret.arn);
      return {
        ARN: secret.arn,
        Name: secret.name,
        RotationEnabled: secret.rotation !== undefined,
        VersionIdsToStages: this.stages(secret.arn),
        Tags: Object.entries(secret.tags).map(([Key, Value]) => ({ Key, Value })),
      };
    });
    sm.on(ListSecretVersionIdsCommand).callsFake(async ({ SecretId }) => {
      const secret = this.secret(SecretId);
      const versions = [...secret.versions].filter(([, v]) => v.stages.length > 0);
      return {
        ARN: secret.arn,
        Versions: versions.map(([id, v]) => ({ VersionId: id, VersionStages: [...v.stages], CreatedDate: new Date(v.createdAt), KmsKeyIds: v.value === undefined ? [] : ['DefaultEncryptionKey'] })),
      };
    });
    sm.on(GetSecretValueCommand).callsFake(async ({ SecretId, VersionStage }) => {
      const secret = this.secret(SecretId);
      const id = this.holder(secret, VersionStage ?? 'AWSCURRENT');
      const version = id === undefined ? undefined : secret.versions.get(id);
      if (version?.value === undefined) throw new ResourceNotFoundException({ message: `Secrets Manager can't find the specified secret value for staging label: ${VersionStage}`, $metadata: {} });
      return { ARN: secret.arn, VersionId: id, SecretString: version.value, VersionStages: [...version.stages] };
    });
    sm.on(PutSecretValueCommand).callsFake(async ({ SecretId, ClientRequestToken, SecretString }) => {
      this.calls.push('PutSecretValue');
      this.putValue(this.secret(SecretId), ClientRequestToken!, SecretString!, ['AWSCURRENT']);
      return { ARN: SecretId, VersionId: ClientRequestToken };
    });
    sm.on(RotateSecretCommand).callsFake(async ({ SecretId, ClientRequestToken, RotationLambdaARN, RotationRules }) => {
      this.calls.push('RotateSecret');
      const secret = this.secret(SecretId);
      const pending = this.holder(secret, 'AWSPENDING');
      if (pending !== undefined && pending !== this.holder(secret, 'AWSCURRENT')) {
        throw new InvalidRequestException({ message: 'A previous rotation isn\'t complete. That rotation will be reattempted.', $metadata: {} });
      }
      if (secret.versions.has(ClientRequestToken!)) throw new ResourceExistsException({ message: 'A version with this token exists.', $metadata: {} });
      secret.rotation = { functionArn: RotationLambdaARN!, rules: RotationRules };
      this.addVersion(secret.arn, ClientRequestToken!, { stages: ['AWSPENDING'] });
      const startedAt = this.clock.now();
      this.inBackground(() => this.rotate(secret, ClientRequestToken!, startedAt));
      if (this.loseNextRotateResponse) {
        this.loseNextRotateResponse = false;
        throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
      }
      return { ARN: secret.arn, VersionId: ClientRequestToken };
    });
    sm.on(UpdateSecretVersionStageCommand).callsFake(async ({ SecretId, VersionStage, MoveToVersionId, RemoveFromVersionId }) => {
      this.calls.push(`UpdateSecretVersionStage ${VersionStage}`);
      this.moveStage(this.secret(SecretId), VersionStage!, MoveToVersionId, RemoveFromVersionId);
      return { ARN: SecretId };
    });
    sm.on(TagResourceCommand).callsFake(async ({ SecretId, Tags }) => {
      this.authorize('TagResource');
      this.calls.push('TagResource');
      const secret = this.secret(SecretId);
      this.onCall?.('TagResource', secret.arn);
      for (const tag of Tags ?? []) secret.tags[tag.Key!] = tag.Value!;
      return {};
    });

    logs.on(FilterLogEventsCommand).callsFake(async ({ logGroupName, filterPattern, startTime }) => {
      if (![...this.functions.values()].some((fn) => fn.logGroup === logGroupName)) {
        throw new LogGroupNotFound({ message: 'The specified log group does not exist.', $metadata: {} });
      }
      const events = this.logEvents.filter((event) => event.logGroup === logGroupName && event.timestamp >= (startTime ?? 0)
        && matchesPattern(event.message, filterPattern ?? ''));
      return { events: events.map((event) => ({ timestamp: event.timestamp, message: event.message })) };
    });

    lambda.on(InvokeCommand).callsFake(async ({ FunctionName, InvocationType, Payload }) => {
      const payload = JSON.parse(new TextDecoder().decode(Payload));
      if (InvocationType === 'Event') {
        if (this.asyncInvokeError) throw this.asyncInvokeError;
        this.asyncInvocations.push({ functionName: FunctionName!, payload });
        return { StatusCode: 202 };
      }
      const fn = this.functions.get(FunctionName!);
      if (fn === undefined) throw new FunctionNotFound({ message: `Function not found: ${FunctionName}`, $metadata: {} });
      if (fn.behaviour.invokeDenied) {
        throw Object.assign(new Error(`User: arn:aws:sts::123456789012:assumed-role/check is not authorized to perform: lambda:InvokeFunction on resource: ${FunctionName}`), { name: 'AccessDeniedException' });
      }
      try {
        const result = await this.invokeFunction(FunctionName!, fn, payload);
        return { StatusCode: 200, Payload: new TextEncoder().encode(JSON.stringify(result ?? null)) };
      } catch (error) {
        const body = { errorType: (error as Error).name, errorMessage: (error as Error).message };
        return { StatusCode: 200, FunctionError: 'Unhandled', Payload: new TextEncoder().encode(JSON.stringify(body)) };
      }
    });
  }

  private async invokeFunction(arn: string, fn: FakeFunction, payload: Record<string, unknown>): Promise<unknown> {
    const probe = payload.ProbeVersions as { SecretId: string; VersionIds: string[] } | undefined;
    if (probe !== undefined) {
      this.calls.push('Invoke probe');
      if (fn.behaviour.noProbe) throw Object.assign(new Error('Rotation step failed: unknown step; expected one of createSecret, setSecret, testSecret, finishSecret'), { name: 'RotationError' });
      const outcomes = Object.fromEntries(probe.VersionIds.map((id) => [id, this.probeOutcome(fn.behaviour, probe.SecretId, id)]));
      return { outcomes };
    }
    this.calls.push(`Invoke ${String(payload.Step)}`);
    await this.runStep(arn, String(payload.Step), String(payload.SecretId), String(payload.ClientRequestToken));
    return null;
  }

  private probeOutcome(behaviour: FakeFunctionBehaviour, arn: string, versionId: string): string {
    if (behaviour.strategy === 'generic') return 'no-service';
    return this.value(arn, versionId) === this.servicePasswords.get(arn) ? 'accepted' : 'refused';
  }

  /** The step's work, as the shipped rotation function does it (entry checks first). */
  private stepWork(behaviour: FakeFunctionBehaviour, step: string, arn: string, token: string): void {
    const secret = this.secret(arn);
    const version = secret.versions.get(token);
    if (version === undefined) throw new Error(`Secret version ${token} has no stage for rotation of secret ${arn}.`);
    if (version.stages.includes('AWSCURRENT')) return;
    if (!version.stages.includes('AWSPENDING')) throw new Error(`Secret version ${token} not set as AWSPENDING for rotation of secret ${arn}.`);
    if (behaviour.failStep === step) throw new Error(`${step} failed: the service refused the request`);
    switch (step) {
      case 'createSecret':
        if (version.value === undefined) this.putValue(secret, token, this.newPassword(), ['AWSPENDING']);
        return;
      case 'setSecret':
        if (behaviour.strategy === 'single-user') this.servicePasswords.set(arn, version.value!);
        return;
      case 'testSecret':
        if (behaviour.strategy === 'single-user' && this.servicePasswords.get(arn) !== version.value) throw new Error('testSecret: the pending password is refused');
        return;
      case 'finishSecret':
        this.moveStage(secret, 'AWSCURRENT', token, this.holder(secret, 'AWSCURRENT'));
        return;
      default:
        throw new Error(`unknown step ${step}`);
    }
  }

  /** Secrets Manager's rotation: up to three attempts of the four steps; AWSPENDING leaves the new version when it succeeds. */
  private async rotate(secret: FakeSecret, token: string, startedAt: number): Promise<void> {
    const { behaviour } = this.functions.get(secret.rotation!.functionArn)!;
    if (behaviour.hangs) return;
    if (this.clock.now() < startedAt + (behaviour.runsSeconds ?? 0) * 1000) {
      this.inBackground(() => this.rotate(secret, token, startedAt));
      return;
    }
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        for (const step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret']) {
          if (!secret.versions.get(token)?.stages.some((stage) => stage === 'AWSPENDING' || stage === 'AWSCURRENT')) return;
          await this.runStep(secret.rotation!.functionArn, step, secret.arn, token);
        }
        this.detach(secret, 'AWSPENDING');
        return;
      } catch {
        // Secrets Manager retries the whole rotation with the same token.
      }
    }
  }

  private putValue(secret: FakeSecret, token: string, value: string, stages: string[]): void {
    const existing = secret.versions.get(token);
    if (existing?.value !== undefined) {
      if (existing.value !== value) throw new ResourceExistsException({ message: 'You can\'t modify an existing version.', $metadata: {} });
      return;
    }
    const previousCurrent = this.holder(secret, 'AWSCURRENT');
    if (stages.includes('AWSCURRENT')) this.detach(secret, 'AWSPENDING');
    for (const stage of stages) this.detach(secret, stage);
    this.values.push(value);
    const labels = [...new Set([...existing?.stages ?? [], ...stages])];
    secret.versions.set(token, { value, stages: labels, createdAt: existing?.createdAt ?? this.clock.now() });
    if (stages.includes('AWSCURRENT') && previousCurrent !== undefined) this.moveToPrevious(secret, previousCurrent);
  }

  private moveStage(secret: FakeSecret, stage: string, moveTo: string | undefined, removeFrom: string | undefined): void {
    const holder = this.holder(secret, stage);
    if (holder !== undefined && holder !== removeFrom && holder !== moveTo) {
      throw new InvalidParameterException({ message: `The staging label ${stage} is currently attached to version ${holder}, so you must explicitly reference that version in RemoveFromVersionId.`, $metadata: {} });
    }
    if (removeFrom !== undefined) {
      const from = secret.versions.get(removeFrom);
      if (!from?.stages.includes(stage)) throw new InvalidParameterException({ message: `Staging label ${stage} is not attached to version ${removeFrom}.`, $metadata: {} });
      from.stages = from.stages.filter((label) => label !== stage);
    }
    if (moveTo !== undefined) {
      const to = secret.versions.get(moveTo)!;
      to.stages = [...new Set([...to.stages, stage])];
      if (stage === 'AWSCURRENT' && removeFrom !== undefined) this.moveToPrevious(secret, removeFrom);
    }
  }

  private moveToPrevious(secret: FakeSecret, versionId: string): void {
    this.detach(secret, 'AWSPREVIOUS');
    const version = secret.versions.get(versionId)!;
    version.stages = [...new Set([...version.stages, 'AWSPREVIOUS'])];
  }

  private detach(secret: FakeSecret, stage: string): void {
    for (const version of secret.versions.values()) version.stages = version.stages.filter((label) => label !== stage);
  }

  private holder(secret: FakeSecret, stage: string): string | undefined {
    return [...secret.versions].find(([, v]) => v.stages.includes(stage))?.[0];
  }

  private authorize(operation: string): void {
    if (this.denied.has(operation)) {
      throw Object.assign(new Error(`User: arn:aws:sts::123456789012:assumed-role/check is not authorized to perform: secretsmanager:${operation}`), { name: 'AccessDeniedException' });
    }
  }

  private secret(id: string | undefined): FakeSecret {
    const secret = this.secrets.get(id ?? '');
    if (secret === undefined) throw new ResourceNotFoundException({ message: 'Secrets Manager can\'t find the specified secret.', $metadata: {} });
    return secret;
  }

  private newPassword(): string {
    const value = `fake-password-${randomBytes(12).toString('hex')}`;
    this.values.push(value);
    return value;
  }

  private async runBackground(): Promise<void> {
    const tasks = this.background;
    this.background = [];
    for (const task of tasks) await task();
  }
}

/** CloudWatch Logs' filter patterns as the check writes them: JSON field equalities joined by &&, or ?"phrase" terms. */
function matchesPattern(message: string, pattern: string): boolean {
  const terms = [...pattern.matchAll(/\?"([^"]+)"/g)].map((match) => match[1]);
  if (terms.length > 0) return terms.some((term) => message.includes(term));
  let fields: Record<string, unknown>;
  try {
    fields = JSON.parse(message);
  } catch {
    return false;
  }
  return [...pattern.matchAll(/\$\.(\w+) = "([^"]*)"/g)].every(([, name, value]) => fields[name] === value);
}
