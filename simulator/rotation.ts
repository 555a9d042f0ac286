import { randomUUID } from 'node:crypto';
import { SimulatorClock } from './clock';
import { FunctionRegistry, InvokeResult } from './functions';
import { RotationHolds } from './holds';
import { IamAuthorizer, SECRETS_MANAGER_SERVICE, SERVICE_INVOKE_DENIED_MESSAGE, serviceInvokeRequest } from './iam';
import { parseRotationRules } from './schedule';
import { AWSCURRENT, AWSPENDING, detachStage, Secret, SecretStore, versionWithStage } from './store';

export type RotationStep = 'createSecret' | 'setSecret' | 'testSecret' | 'finishSecret';
const STEPS: readonly RotationStep[] = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'];

/** What started a rotation. */
export type RotationTrigger =
  /** A RotateSecret call. */
  | 'RotateSecret'
  /** The secret's schedule, when the clock reached a rotation window. */
  | 'schedule'
  /** RotateSecret with RotateImmediately=false: only testSecret runs, on a copy of the current value. */
  | 'configuration-test';

/**
 * A rotation service event, named after the CloudTrail service events Secrets Manager records (not the event a
 * rotation function receives, which is the Lambda invocation payload).
 * - `RotationStarted`: an attempt begins (one per attempt).
 * - `RotationSucceeded`: all four steps passed and AWSCURRENT is on the new version.
 * - `RotationFailed`: a step failed (`step`, `error`). `final: true` marks the last attempt: the simulator gives up
 *   and leaves the AWSPENDING version in place, so the next RotateSecret answers "A previous rotation isn't
 *   complete" and the next scheduled rotation re-attempts it with the same token.
 * - `RotationAbandoned`: the rotation was superseded (`reason`): a manual PutSecretValue made a new AWSCURRENT,
 *   CancelRotateSecret cancelled it, a new RotateSecret replaced it, or the secret was deleted.
 */
export interface RotationServiceEvent {
  readonly type: 'RotationStarted' | 'RotationSucceeded' | 'RotationFailed' | 'RotationAbandoned';
  /** Simulated time, epoch milliseconds. */
  readonly time: number;
  readonly secretArn: string;
  /** The ClientRequestToken: the id of the version being created. */
  readonly token: string;
  readonly trigger?: RotationTrigger;
  /** 1-based attempt number. */
  readonly attempt?: number;
  readonly step?: RotationStep;
  /** The function's errorType and errorMessage. */
  readonly error?: { readonly type: string; readonly message: string };
  readonly final?: boolean;
  readonly reason?: string;
}

interface Job {
  readonly secret: Secret;
  readonly token: string;
  readonly trigger: RotationTrigger;
  cancelled: boolean;
  done?: Promise<void>;
}

/**
 * Runs rotations: invokes the secret's rotation function for each step, awaiting each, retries failed attempts
 * with the same token, records events, and keeps each secret's schedule up to date.
 */
export class RotationEngine {
  public readonly events: RotationServiceEvent[] = [];
  private readonly jobs = new Map<string, Job>();
  private readonly listeners: Array<(event: RotationServiceEvent) => void> = [];

  constructor(
    private readonly functions: FunctionRegistry,
    private readonly clock: SimulatorClock,
    private readonly maxAttempts: number,
    private readonly holds: RotationHolds,
    private readonly iam: IamAuthorizer,
  ) {}

  public onEvent(listener: (event: RotationServiceEvent) => void): void {
    this.listeners.push(listener);
  }

  /** Whether a rotation of `secret` is running now. */
  public isRunning(secret: Secret): boolean {
    return this.jobs.has(secret.arn);
  }

  /**
   * Starts rotating `secret` to version `token`, after the current call returns (RotateSecret answers at once).
   * A rotation already running for the secret is abandoned.
   */
  public start(secret: Secret, token: string, trigger: RotationTrigger): Promise<void> {
    this.abandon(secret, 'a new rotation replaced it');
    const job: Job = { secret, token, trigger, cancelled: false };
    this.jobs.set(secret.arn, job);
    job.done = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => {
        if (job.cancelled) return undefined;
        return trigger === 'configuration-test' ? this.runConfigurationTest(job) : this.runRotation(job);
      })
      .catch((error: unknown) => {
        // A fault of the simulator itself, not of the function: report it rather than crash the caller.
        const message = error instanceof Error ? error.message : String(error);
        this.record({ type: 'RotationFailed', secretArn: secret.arn, token, trigger, error: { type: 'SimulatorError', message }, final: true });
      })
      .finally(() => {
        if (this.jobs.get(secret.arn) === job) this.jobs.delete(secret.arn);
      });
    return job.done;
  }

  /**
   * Stops the running rotation of `secret`, if any, and records RotationAbandoned. With `incompleteToken`, the
   * event is also recorded when no rotation runs but one was left incomplete (AWSPENDING on that version).
   */
  public abandon(secret: Secret, reason: string, incompleteToken?: string): void {
    const job = this.jobs.get(secret.arn);
    if (job) {
      job.cancelled = true;
      this.jobs.delete(secret.arn);
    }
    const token = job?.token ?? incompleteToken;
    if (token !== undefined) this.record({ type: 'RotationAbandoned', secretArn: secret.arn, token, trigger: job?.trigger, reason });
  }

  /** Stops every running rotation without recording events: the simulator is shutting down. */
  public stopAll(): void {
    for (const job of this.jobs.values()) job.cancelled = true;
    this.jobs.clear();
    this.holds.releaseAll();
  }

  /** Resolves once no rotation is running, including rotations started while waiting. */
  public async waitForIdle(): Promise<void> {
    while (this.jobs.size > 0) {
      await Promise.all([...this.jobs.values()].map((job) => job.done));
    }
  }

  /**
   * Recomputes when `secret` rotates next. `reason` says what happened: the schedule counts from a successful
   * rotation or manual change; after a failure only the next attempt moves (NextRotationDate stays, possibly in
   * the past, as Secrets Manager reports it).
   */
  public reschedule(secret: Secret, reason: 'configured' | 'rotated' | 'changed' | 'failed' | 'restored'): void {
    const rotation = secret.rotation;
    const now = this.clock.now();
    if (reason !== 'failed' && reason !== 'restored') rotation.scheduleBase = now;
    if (!rotation.enabled || !rotation.rules) {
      rotation.nextAttemptAt = undefined;
      rotation.nextRotationAt = undefined;
      return;
    }
    const schedule = parseRotationRules(rotation.rules);
    const start = schedule.nextWindowStart(rotation.scheduleBase ?? now, now + 1);
    rotation.nextAttemptAt = start;
    if (reason !== 'failed') rotation.nextRotationAt = start === undefined ? undefined : start + schedule.windowLength(start);
  }

  private async runRotation(job: Job): Promise<void> {
    const { secret, token } = job;
    const rotationToken = randomUUID();
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      if (job.cancelled) return;
      this.record({ type: 'RotationStarted', secretArn: secret.arn, token, trigger: job.trigger, attempt });
      let failure: { step: RotationStep; error: { type: string; message: string } } | undefined;
      for (const step of STEPS) {
        const result = await this.invokeStep(job, step, rotationToken);
        if (job.cancelled) return;
        if (!result.ok) {
          failure = { step, error: { type: result.errorType, message: result.errorMessage } };
          break;
        }
      }
      const newVersion = secret.versions.get(token);
      if (!failure && newVersion?.stages.includes(AWSCURRENT)) {
        // Secrets Manager takes AWSPENDING off the new version once rotation has succeeded.
        detachStage(newVersion, AWSPENDING);
        secret.rotation.lastRotatedAt = this.clock.now();
        secret.lastChangedAt = this.clock.now();
        this.reschedule(secret, 'rotated');
        this.record({ type: 'RotationSucceeded', secretArn: secret.arn, token, trigger: job.trigger, attempt });
        return;
      }
      failure ??= {
        step: 'finishSecret',
        error: { type: 'RotationIncomplete', message: `finishSecret returned, but AWSCURRENT is not on version ${token}` },
      };
      const final = attempt === this.maxAttempts;
      this.record({ type: 'RotationFailed', secretArn: secret.arn, token, trigger: job.trigger, attempt, ...failure, final });
      if (final && job.trigger === 'schedule') this.reschedule(secret, 'failed');
    }
  }

  private async runConfigurationTest(job: Job): Promise<void> {
    const { secret, token } = job;
    this.record({ type: 'RotationStarted', secretArn: secret.arn, token, trigger: job.trigger, attempt: 1 });
    const result = await this.invokeStep(job, 'testSecret', randomUUID());
    if (job.cancelled) return;
    // The test version exists only for the test: AWSPENDING comes off again, whatever the outcome.
    const version = secret.versions.get(token);
    if (version && versionWithStage(secret, AWSPENDING) === version) detachStage(version, AWSPENDING);
    if (result.ok) {
      this.record({ type: 'RotationSucceeded', secretArn: secret.arn, token, trigger: job.trigger, attempt: 1 });
    } else {
      const error = { type: result.errorType, message: result.errorMessage };
      this.record({ type: 'RotationFailed', secretArn: secret.arn, token, trigger: job.trigger, attempt: 1, step: 'testSecret', error, final: true });
    }
  }

  /** Invokes one step, once no hold stops the rotation before it. */
  private async invokeStep(job: Job, step: RotationStep, rotationToken: string): Promise<InvokeResult> {
    const { secret, token, trigger } = job;
    await this.holds.before({ secretArn: secret.arn, token, trigger, step });
    if (job.cancelled) return { ok: false, errorType: 'RotationAbandoned', errorMessage: 'the rotation was abandoned while it was held' };
    return this.invoke(secret, { Step: step, SecretId: secret.arn, ClientRequestToken: token, RotationToken: rotationToken });
  }

  private async invoke(secret: Secret, event: Record<string, string>): Promise<InvokeResult> {
    const functionArn = secret.rotation.lambdaArn;
    if (functionArn === undefined || !this.functions.has(functionArn)) {
      return {
        ok: false,
        errorType: 'AccessDeniedException',
        errorMessage: `Secrets Manager cannot invoke the rotation function ${functionArn ?? '(none)'}: it is not registered with the simulator.`,
      };
    }
    // Each invocation is authorized by the function's resource policy, as when RotateSecret configured it.
    if (!this.iam.allows(this.iam.principals.service(SECRETS_MANAGER_SERVICE), [serviceInvokeRequest(secret.arn, functionArn)])) {
      return { ok: false, errorType: 'AccessDeniedException', errorMessage: SERVICE_INVOKE_DENIED_MESSAGE };
    }
    try {
      return await this.functions.invoke(functionArn, event);
    } catch (error) {
      return { ok: false, errorType: 'InvokeError', errorMessage: error instanceof Error ? error.message : String(error) };
    }
  }

  private record(event: Omit<RotationServiceEvent, 'time'>): void {
    const recorded: RotationServiceEvent = { time: this.clock.now(), ...event };
    this.events.push(recorded);
    for (const listener of this.listeners) listener(recorded);
  }
}

/** The version left with AWSPENDING by an unfinished rotation (AWSPENDING on a version other than AWSCURRENT's). */
export function incompleteRotationVersion(secret: Secret) {
  const pending = versionWithStage(secret, AWSPENDING);
  return pending && !pending.stages.includes(AWSCURRENT) ? pending : undefined;
}

/** Runs the rotations that fall due as the clock advances, in time order, each to its end. */
export class Scheduler {
  constructor(
    private readonly store: SecretStore,
    private readonly engine: RotationEngine,
    private readonly clock: SimulatorClock,
    private readonly createPlaceholder: (secret: Secret, token: string) => void,
  ) {}

  public async runUntil(target: number): Promise<void> {
    await this.engine.waitForIdle();
    for (;;) {
      const due = this.nextDue(target);
      if (!due) break;
      this.clock.moveTo(due.rotation.nextAttemptAt!);
      await this.rotate(due);
      await this.engine.waitForIdle();
      const next = due.rotation.nextAttemptAt;
      // A schedule must move forward; one that cannot (no further match) stops here rather than loop.
      if (next !== undefined && next <= this.clock.now()) due.rotation.nextAttemptAt = undefined;
    }
    this.clock.moveTo(target);
  }

  private nextDue(target: number): Secret | undefined {
    let due: Secret | undefined;
    for (const secret of this.store.all()) {
      const at = secret.rotation.nextAttemptAt;
      if (!secret.rotation.enabled || secret.deletionDate !== undefined || at === undefined || at > target) continue;
      if (!due || at < due.rotation.nextAttemptAt!) due = secret;
    }
    return due;
  }

  /** A scheduled rotation re-attempts an incomplete one with its token, or starts a new version. */
  private async rotate(secret: Secret): Promise<void> {
    const incomplete = incompleteRotationVersion(secret);
    const token = incomplete?.id ?? randomUUID();
    if (!incomplete) this.createPlaceholder(secret, token);
    await this.engine.start(secret, token, 'schedule');
  }
}
