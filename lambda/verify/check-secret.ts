/**
 * One secret of the check, from its progress so far to its result: settle a stale AWSPENDING, merge the connection
 * fields, then (unless the fingerprint is among those verified last) configure and start a rotation, wait for it, and tag the
 * secret as verified. Every pass starts from DescribeSecret, so a continued or retried invocation picks up where the
 * secret stands: its rotation is found by its token, a merge already done is found in the value.
 */
import { planMerge } from './connection-merge';
import { diagnoseStall } from './diagnosis';
import { VerificationError } from './errors';
import { SecretFacts, foreignRotationMessage, inconsistentLabelsMessage, interruptedMessage, mergeRefusedMessage, stepFailedMessage, timedOutMessage } from './messages';
import { SecretProgress, SecretResult, reportsOnly } from './progress';
import { probeService } from './rotation-actions';
import type { SecretContext } from './secret-context';
import type { SecretState } from './secret-operations';
import { assessRotation, findStalePending, versionWithLabel } from './staging-labels';
import { settleStalePending } from './stale-pending';
import { OutOfTime } from './time-budget';
import { deriveMergeToken, verifiedFingerprint, verifiedFingerprints, withVerified } from './token';
import { AWSCURRENT, AWSPENDING, AWSPREVIOUS, VERIFIED_TAG } from '../../src/private/contract';
import { safeErrorMessage } from '../rotation/log';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Works on the secret until it has a result or this invocation is out of time; returns the progress either way. */
export async function checkSecret(ctx: SecretContext, progress: SecretProgress): Promise<SecretProgress> {
  return new SecretRun(ctx, progress).run();
}

class SecretRun {
  private readonly progress: Mutable<SecretProgress>;
  private readonly fingerprint: string;
  private readonly arn: string;

  constructor(private readonly ctx: SecretContext, progress: SecretProgress) {
    this.progress = { ...progress, startedAt: progress.startedAt ?? ctx.deps.clock.now() };
    this.fingerprint = verifiedFingerprint(ctx.entry.fingerprint, ctx.fn.arn);
    this.arn = ctx.entry.secretArn;
  }

  public async run(): Promise<SecretProgress> {
    try {
      for (;;) {
        const result = await this.pass();
        if (result !== undefined) return this.finish(result);
      }
    } catch (error) {
      if (error instanceof OutOfTime) return { ...this.progress };
      // A call that failed (AccessDenied, a refused merge): a configuration problem rather than the secret's state.
      const message = error instanceof VerificationError ? error.message : `Checking secret ${this.arn} failed unexpectedly: ${safeErrorMessage(error)}`;
      return this.finish({ outcome: reportsOnly(this.progress, this.ctx.entry.verify, 'call') ? 'reported' : 'failed', message });
    }
  }

  /** One look at the secret and what follows from it: its result, or undefined to look again. */
  private async pass(): Promise<SecretResult | undefined> {
    const { entry, deps, budget, token } = this.ctx;
    budget.check();
    const secret = await deps.secrets.describe(this.arn);
    const stages = secret.versionIdsToStages;
    const verifiedBefore = verifiedFingerprints(secret.tags[VERIFIED_TAG]).includes(this.fingerprint);
    this.progress.verifiedBefore ??= verifiedBefore;

    if (stages[token] !== undefined || this.progress.rotation !== undefined) return this.followRotation(secret);

    const stale = findStalePending(stages);
    if (stale !== undefined) {
      const decision = await settleStalePending(this.ctx, secret, stale, this.timeLimitPassed());
      switch (decision.kind) {
        case 'wait':
          await this.waitToLookAgain();
          return undefined;
        case 'settled':
          this.act(decision.action);
          return undefined;
        case 'stuck':
          if (decision.onlyPendingWorks !== undefined && await this.adoptPending(decision.onlyPendingWorks)) return undefined;
          return this.problem(decision.message);
      }
    }
    if (entry.connection !== undefined && await this.merge(secret)) return undefined;
    if (verifiedBefore || !entry.verify) return { outcome: 'unchanged', currentVersionId: versionWithLabel(stages, AWSCURRENT) };
    await this.startRotation(secret);
    return undefined;
  }

  /** Merges the connection fields into a new AWSCURRENT version when they differ; true when it put one. */
  private async merge(secret: SecretState): Promise<boolean> {
    const connection = this.ctx.entry.connection!;
    const { versionId, secretString } = await this.ctx.deps.secrets.currentValue(this.arn);
    const plan = planMerge(secretString, connection);
    if (plan.kind === 'none') return false;
    if (plan.kind === 'refused') throw new VerificationError(mergeRefusedMessage(secret, versionId, Object.keys(connection), plan.why));
    await this.ctx.deps.secrets.putCurrentValue(this.arn, deriveMergeToken(this.arn, versionId, JSON.stringify(connection)), plan.value);
    this.act(`merged ${plan.fields.join(', ')} into a new ${AWSCURRENT} version, password unchanged`);
    return true;
  }

  /**
   * A resumed rotation that the entry's configuration cannot finish, though the service already took its password
   * (a single user after setSecret, when a failed deploy's connection fields went into the pending value): that
   * password becomes AWSCURRENT in a new version with the entry's connection fields, and AWSPENDING moves onto it, so
   * clients log in again, no password is lost, and nothing stale is left for RotateSecret. Only for entries that
   * merge, whose permissions allow it. True when it put the version.
   */
  private async adoptPending(pendingVersionId: string): Promise<boolean> {
    const { entry, deps } = this.ctx;
    if (entry.connection === undefined) return false;
    const pendingValue = await deps.secrets.versionValue(this.arn, pendingVersionId);
    const plan = planMerge(pendingValue, entry.connection);
    if (plan.kind === 'refused') return false;
    const value = plan.kind === 'put' ? plan.value : pendingValue!;
    await deps.secrets.putCurrentValue(this.arn, deriveMergeToken(this.arn, pendingVersionId, JSON.stringify(entry.connection)), value, true);
    this.act(`made the password of version ${pendingVersionId}, the only one the service accepts, ${AWSCURRENT} in a new version with this template's connection fields (${AWSPENDING} moved onto it)`);
    return true;
  }

  /** RotateSecret with the entry's function and rules, and this request's token. */
  private async startRotation(secret: SecretState): Promise<void> {
    const { entry, fn, deps, token } = this.ctx;
    const startedAt = deps.clock.now();
    const previousVersionId = versionWithLabel(secret.versionIdsToStages, AWSCURRENT);
    try {
      await deps.secrets.rotate(this.arn, token, { functionArn: fn.arn, scheduleExpression: entry.scheduleExpression, duration: entry.duration });
    } catch (error) {
      // A retried call may fail after the first one was applied: the token's version then exists.
      const after = await deps.secrets.describe(this.arn);
      if (after.versionIdsToStages[token] === undefined) throw error;
    }
    this.progress.rotation = { startedAt, previousVersionId };
    deps.log.info('rotation started', { secretArn: this.arn, token, previousVersionId, functionArn: fn.arn });
  }

  /** Where this request's rotation stands: verified, failed, or still running (then sleep and look again). */
  private async followRotation(secret: SecretState): Promise<SecretResult | undefined> {
    const { entry, fn, deps, token } = this.ctx;
    const stages = secret.versionIdsToStages;
    const rotation = this.progress.rotation ?? this.rotationFromLabels(secret);
    this.progress.rotation = rotation;
    const facts: SecretFacts = { secret, logGroup: fn.logGroup };
    const outcome = assessRotation(stages, token, rotation.previousVersionId);
    switch (outcome.status) {
      case 'complete':
        await deps.secrets.tagVerified(this.arn, withVerified(secret.tags[VERIFIED_TAG], this.fingerprint));
        deps.log.info('rotation verified', { secretArn: this.arn, token, previousVersionId: outcome.previousVersionId });
        return { outcome: 'verified', currentVersionId: token };
      case 'inconsistent':
        return this.problem(inconsistentLabelsMessage(facts, token, outcome.problems));
      case 'interrupted':
        return this.problem(interruptedMessage(facts, token, outcome.tokenLabels));
      case 'in-progress':
        break;
    }
    if (fn.kind === 'foreign' || fn.logGroup === undefined) return this.followForeignRotation(facts, rotation.startedAt);
    const logLookup = await deps.logs.findFailure(fn.logGroup, token, rotation.startedAt);
    if (logLookup.kind === 'found') {
      const view = await probeService(this.ctx, stages);
      return this.problem(stepFailedMessage(facts, { token, failure: logLookup.failure, view, resumed: false }));
    }
    if (this.timeLimitPassed()) {
      const { evidence } = await deps.secrets.versionFacts(this.arn, token);
      const runtimeFailures = logLookup.kind === 'no-log-group' ? [] : await deps.logs.findRuntimeFailures(fn.logGroup, rotation.startedAt);
      const view = await probeService(this.ctx, stages);
      return this.problem(timedOutMessage(facts, {
        token, timeoutSeconds: entry.timeoutSeconds, diagnosis: diagnoseStall(token, evidence), logLookup, runtimeFailures, view,
      }));
    }
    deps.log.info('rotation in progress', { secretArn: this.arn, token, logSearch: logLookup.kind });
    await this.waitToLookAgain();
    return undefined;
  }

  /**
   * A foreign function's rotation that has not finished: failed when its log group shows error lines since it started
   * (as this library's failure record fails it at once), else at the time limit; the message says what the labels
   * and the log group could tell, since the function writes no failure record and answers no probe.
   */
  private async followForeignRotation(facts: SecretFacts, startedAt: number): Promise<SecretResult | undefined> {
    const { entry, fn, deps, token } = this.ctx;
    const errors = fn.logGroup === undefined ? undefined : await deps.logs.findFunctionErrors(fn.logGroup, startedAt);
    const timedOut = this.timeLimitPassed();
    if (errors?.kind !== 'errors' && !timedOut) {
      deps.log.info('rotation in progress', { secretArn: this.arn, token, errorSearch: errors?.kind ?? 'no log group' });
      await this.waitToLookAgain();
      return undefined;
    }
    const { evidence } = await deps.secrets.versionFacts(this.arn, token);
    return this.problem(foreignRotationMessage(facts, {
      token,
      functionArn: fn.arn,
      timeoutSeconds: timedOut && errors?.kind !== 'errors' ? entry.timeoutSeconds : undefined,
      diagnosis: diagnoseStall(token, evidence),
      errors,
    }));
  }

  /**
   * Waits before the next look: 1, 2, 4, ... seconds, at most the entry's poll interval. Most rotations end within
   * seconds, so the deploy goes on soon after; a long one is looked at once per interval.
   */
  private async waitToLookAgain(): Promise<void> {
    const looks = this.progress.looks ?? 0;
    this.progress.looks = looks + 1;
    await this.ctx.budget.sleep(Math.min(this.ctx.entry.pollSeconds, 2 ** Math.min(looks, 10)) * 1000);
  }

  /** A rotation found by its token without progress (a retried invocation): the version it replaced, from the labels. */
  private rotationFromLabels(secret: SecretState): NonNullable<SecretProgress['rotation']> {
    const stages = secret.versionIdsToStages;
    const current = versionWithLabel(stages, AWSCURRENT);
    const previousVersionId = current === this.ctx.token ? versionWithLabel(stages, AWSPREVIOUS) : current;
    return { startedAt: this.ctx.deps.clock.now(), previousVersionId };
  }

  /** A problem with the secret's state: it fails the request, unless this entry only reports (rollback safety). */
  private problem(message: string): SecretResult {
    return { outcome: reportsOnly(this.progress, this.ctx.entry.verify, 'state') ? 'reported' : 'failed', message };
  }

  private timeLimitPassed(): boolean {
    return this.ctx.deps.clock.now() - this.progress.startedAt! > this.ctx.entry.timeoutSeconds * 1000;
  }

  private act(action: string): void {
    this.progress.actions = [...this.progress.actions ?? [], action];
    this.ctx.deps.log.info('changed the secret', { secretArn: this.arn, action });
  }

  private finish(result: SecretResult): SecretProgress {
    const fields = { secretArn: this.arn, outcome: result.outcome, actions: this.progress.actions ?? [], message: result.message };
    if (result.outcome === 'failed') this.ctx.deps.log.error('secret checked', fields);
    else this.ctx.deps.log.info('secret checked', fields);
    return { ...this.progress, result };
  }
}
