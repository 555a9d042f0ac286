/**
 * Settling a stale AWSPENDING (on a version other than AWSCURRENT's) before anything calls RotateSecret, which
 * refuses to start while it is there. What the check does depends on what the label is:
 * - a rotation this check resource started (its token's prefix): resumed to completion, running the steps on the
 *   entry's function as Secrets Manager would on its retry (idempotent, even concurrently with such a retry);
 * - a rotation that may still be running: waited for, within the entry's time limit;
 * - a foreign, abandoned one: with repairStalePending, the label is removed when the service accepts AWSCURRENT's
 *   password, the rotation completed when it accepts only the pending one; otherwise it is left, with a message
 *   that says which password works.
 */
import { resumeIncompleteMessage, rotationRunningMessage, SecretFacts, stalePendingMessage, stepFailedMessage } from './messages';
import { probeService, resumeRotation } from './rotation-actions';
import type { SecretContext } from './secret-context';
import type { SecretState } from './secret-operations';
import { StalePending } from './staging-labels';
import { isTokenOfResource } from './token';
import { AWSCURRENT, AWSPENDING } from '../../src/private/contract';

export type StaleDecision =
  /** A rotation may be running on it: look again after the poll interval. */
  | { readonly kind: 'wait' }
  /** The label is gone or its rotation finished (`action` says which): describe the secret again. */
  | { readonly kind: 'settled'; readonly action: string }
  /**
   * The check cannot settle it; `message` says why, which password works, and what to run. `onlyPendingWorks`: a
   * resumed rotation failed after the service took its password, which now works alone.
   */
  | { readonly kind: 'stuck'; readonly message: string; readonly onlyPendingWorks?: string };

/**
 * How long a rotation may still be running after its version was created, or after its function last logged a
 * step for it. Secrets Manager documents only that it retries a failed rotation several times; the window fits
 * 3 attempts of 4 steps, each up to the rotation function's timeout, plus a margin for the pauses between them.
 * Counting from the last logged step too, more attempts are still seen as running while they follow each other.
 */
function mayStillRunMs(functionTimeoutSeconds: number): number {
  return 3 * 4 * functionTimeoutSeconds * 1000 + RUNNING_MARGIN_MS;
}
const RUNNING_MARGIN_MS = 5 * 60_000;

export async function settleStalePending(
  ctx: SecretContext,
  secret: SecretState,
  stale: StalePending,
  timeLimitPassed: boolean,
): Promise<StaleDecision> {
  const pending = stale.pendingVersionId;
  const facts: SecretFacts = { secret, logGroup: ctx.fn.logGroup };
  const fields = { secretArn: secret.arn, pendingVersionId: pending, currentVersionId: stale.currentVersionId };
  if (isTokenOfResource(pending, ctx.resource)) {
    ctx.deps.log.info(`stale ${AWSPENDING} left by an earlier deploy of this check: resuming it`, fields);
    return resume(ctx, facts, pending);
  }
  if (await mayStillRun(ctx, pending)) {
    if (timeLimitPassed) return { kind: 'stuck', message: rotationRunningMessage(facts, pending, ctx.entry.timeoutSeconds) };
    ctx.deps.log.info('a rotation may be running: waiting for it', fields);
    return { kind: 'wait' };
  }
  const view = await probeService(ctx, secret.versionIdsToStages);
  if (ctx.entry.repairStalePending) {
    if (view.kind === 'no-service' || view.kind === 'current-accepted') {
      ctx.deps.log.warn(`removing a stale ${AWSPENDING} label (repairStalePending): the ${AWSCURRENT} password works`, fields);
      await ctx.deps.secrets.removePendingLabel(secret.arn, pending);
      return { kind: 'settled', action: `removed the stale ${AWSPENDING} label from version ${pending} (the ${AWSCURRENT} password works)` };
    }
    if (view.kind === 'other-accepted' && view.versionId === pending) {
      ctx.deps.log.warn('completing a stale rotation (repairStalePending): only its password works', fields);
      return resume(ctx, facts, pending);
    }
  }
  return { kind: 'stuck', message: stalePendingMessage(facts, { pendingVersionId: pending, view, repairAllowed: ctx.entry.repairStalePending }) };
}

async function resume(ctx: SecretContext, facts: SecretFacts, token: string): Promise<StaleDecision> {
  const result = await resumeRotation(ctx, token);
  const after = await ctx.deps.secrets.describe(facts.secret.arn);
  const afterFacts = { ...facts, secret: after };
  if (!result.ok) {
    const view = await probeService(ctx, after.versionIdsToStages);
    const message = stepFailedMessage(afterFacts, { token, failure: result.failure, view, resumed: true });
    const onlyPendingWorks = view.kind === 'other-accepted' && view.label === AWSPENDING && view.versionId === token;
    return { kind: 'stuck', message, ...(onlyPendingWorks ? { onlyPendingWorks: token } : {}) };
  }
  if (!(after.versionIdsToStages[token] ?? []).includes(AWSCURRENT)) {
    return { kind: 'stuck', message: resumeIncompleteMessage(afterFacts, token) };
  }
  return { kind: 'settled', action: `resumed rotation ${token} to completion` };
}

/** Whether a rotation may still run on `versionId`: created lately, or a step logged lately (unknown counts as yes). */
async function mayStillRun(ctx: SecretContext, versionId: string): Promise<boolean> {
  const window = mayStillRunMs(ctx.fn.timeoutSeconds);
  const now = ctx.deps.clock.now();
  const { createdAt } = await ctx.deps.secrets.versionFacts(ctx.entry.secretArn, versionId);
  if (createdAt === undefined || now - createdAt < window) return true;
  // A foreign function whose log group is unknown may be running: nothing says otherwise.
  if (ctx.fn.logGroup === undefined) return true;
  return await ctx.deps.logs.activitySince(ctx.fn.logGroup, versionId, now - window, ctx.fn.kind) !== 'quiet';
}
