/**
 * What the check asks of a rotation function directly (Lambda Invoke), besides Secrets Manager's own invocations:
 * resuming a rotation nobody drives any more, and asking which password the protected service accepts.
 */
import { VerificationError } from './errors';
import type { RotationFailureLine } from './failure-log';
import type { ProbeAnswer } from './rotation-functions';
import type { SecretContext } from './secret-context';
import { ServiceView, judgeService, labelledVersions } from './service-view';
import type { VersionStages } from './staging-labels';
import { ROTATION_STEPS } from '../rotation/protocol';

export type ResumeResult = { readonly ok: true } | { readonly ok: false; readonly failure: RotationFailureLine };

/**
 * Runs the four steps for `token` on the entry's rotation function, in order, as Secrets Manager does when it
 * retries a rotation. Every step is idempotent, also when Secrets Manager runs the same rotation concurrently.
 */
export async function resumeRotation(ctx: SecretContext, token: string): Promise<ResumeResult> {
  const fields = { secretArn: ctx.entry.secretArn, token, functionArn: ctx.fn.arn };
  ctx.deps.log.info('resuming a rotation: running its steps on the rotation function', fields);
  for (const step of ROTATION_STEPS) {
    ctx.budget.check();
    const result = await ctx.deps.functions.runStep(ctx.fn.arn, step, ctx.entry.secretArn, token, ctx.budget.signal());
    if (!result.ok) {
      ctx.deps.log.warn('a resumed rotation step failed', { ...fields, step, error: result.error });
      return { ok: false, failure: { step, error: result.error } };
    }
  }
  return { ok: true };
}

/** Which labelled password the service accepts now, by the rotation function's probe; `unknown` when it cannot say. */
export async function probeService(ctx: SecretContext, stages: VersionStages): Promise<ServiceView> {
  // A function that is not this library's knows no probe: asking could only fail, or worse, run something.
  if (ctx.fn.kind === 'foreign') return { kind: 'unknown', reason: 'the rotation function is not this library\'s, so the check cannot ask it' };
  ctx.budget.check();
  const versionIds = labelledVersions(stages).map((version) => version.versionId);
  let answer: ProbeAnswer;
  try {
    answer = await ctx.deps.functions.probe(ctx.fn.arn, ctx.entry.secretArn, versionIds, ctx.budget.signal());
  } catch (error) {
    if (!(error instanceof VerificationError)) throw error;
    answer = { answered: false, reason: error.message };
  }
  const view = judgeService(stages, answer);
  ctx.deps.log.info('probed the protected service', { secretArn: ctx.entry.secretArn, versionIds, view: view.kind });
  return view;
}
