/**
 * Secrets leaving the check: every secret of a Delete, and those of an Update's old properties that the new ones do
 * not name. This is how a rollback undoes a failed deploy's check: its rotation did not finish, so its AWSPENDING
 * stays, on a secret configured with the failed deploy's rotation function, which the rollback deletes next. Left so,
 * the next deploy could neither resume that rotation (its new function may not read a secret whose rotation names
 * another function) nor start one (RotateSecret refuses while AWSPENDING is on another version).
 *
 * The function still exists here (the check depends on it, so CloudFormation deletes the check first), so it is asked
 * which password the service takes:
 * - AWSCURRENT's, or there is no service: the label is removed, the pending value was never used;
 * - only the pending one (a single user after setSecret): it becomes AWSCURRENT, as finishSecret would have made it;
 * - it cannot tell: the secret is left as it is (the next deploy's check says what it finds), and the log says so.
 *
 * Only rotations this check resource started are touched, and nothing here fails the request: a failed Delete or
 * rollback Update would leave the stack in *_ROLLBACK_FAILED.
 */
import type { CheckDependencies } from './dependencies';
import { probeService } from './rotation-actions';
import type { ProbeAnswer } from './rotation-functions';
import type { SecretContext } from './secret-context';
import { findStalePending } from './staging-labels';
import { OutOfTime, TimeBudget } from './time-budget';
import { ResourceIdentity, isTokenOfResource } from './token';
import { AWSCURRENT, AWSPENDING, CheckProperties, ContractError, decodeCheckProperties } from '../../src/private/contract';
import { safeErrorMessage } from '../rotation/log';

/** A request's secrets with their functions, or none when its properties cannot be read. */
function entriesOf(properties: Readonly<Record<string, unknown>> | undefined): Array<Pick<SecretContext, 'entry' | 'fn'>> {
  if (properties === undefined) return [];
  let props: CheckProperties;
  try {
    props = decodeCheckProperties(properties);
  } catch (error) {
    if (error instanceof ContractError) return [];
    throw error;
  }
  return props.secrets.flatMap((entry) => {
    const fn = props.functions[entry.functionIndex];
    return fn === undefined ? [] : [{ entry, fn }];
  });
}

/** The secrets of `leaving` that `staying` does not name. */
export function departingEntries(
  leaving: Readonly<Record<string, unknown>> | undefined,
  staying?: Readonly<Record<string, unknown>>,
): Array<Pick<SecretContext, 'entry' | 'fn'>> {
  const kept = new Set(entriesOf(staying).map(({ entry }) => entry.secretArn));
  return entriesOf(leaving).filter(({ entry }) => !kept.has(entry.secretArn));
}

/** Settles each departing secret's unfinished rotation of this resource; returns what it did, one line per change. */
export async function settleDepartures(
  departing: ReadonlyArray<Pick<SecretContext, 'entry' | 'fn'>>,
  resource: ResourceIdentity,
  deps: CheckDependencies,
  budget: TimeBudget,
): Promise<string[]> {
  const done: string[] = [];
  for (const { entry, fn } of departing) {
    // No rotation of this request: the token is never used.
    const ctx: SecretContext = { entry, fn, resource, token: '', deps, budget };
    try {
      const action = await settleDeparture(ctx);
      if (action !== undefined) done.push(`${entry.secretArn}: ${action}`);
    } catch (error) {
      const why = error instanceof OutOfTime ? 'the check ran out of time' : safeErrorMessage(error);
      deps.log.warn('a departing secret was left as it is', { secretArn: entry.secretArn, error: why });
      if (error instanceof OutOfTime) break;
    }
  }
  return done;
}

async function settleDeparture(ctx: SecretContext): Promise<string | undefined> {
  const { deps, entry } = ctx;
  const secret = await deps.secrets.describe(entry.secretArn);
  const stale = findStalePending(secret.versionIdsToStages);
  if (stale === undefined || !isTokenOfResource(stale.pendingVersionId, ctx.resource)) return undefined;
  const pending = stale.pendingVersionId;
  const fields = { secretArn: entry.secretArn, pendingVersionId: pending, currentVersionId: stale.currentVersionId };
  const current = stale.currentVersionId;
  const view = await probeService(ctx, secret.versionIdsToStages);
  if (view.kind === 'no-service' || view.kind === 'current-accepted') {
    await deps.secrets.removePendingLabel(entry.secretArn, pending);
    deps.log.info(`the secret leaves the check: removed the ${AWSPENDING} label of its unfinished rotation`, fields);
    if (view.kind === 'current-accepted' && current !== undefined && await tookPendingLate(ctx, pending, current)) {
      await deps.secrets.promote(entry.secretArn, pending, current);
      deps.log.info(`a step still running gave the service the pending password: made its version ${AWSCURRENT}`, fields);
      return `made version ${pending} ${AWSCURRENT}: a step of the rotation still running gave the service its password`;
    }
    return `removed ${AWSPENDING} from version ${pending}, left by this check's unfinished rotation (the ${AWSCURRENT} value is the one in use)`;
  }
  if (view.kind === 'other-accepted' && view.versionId === pending && current !== undefined) {
    await deps.secrets.promote(entry.secretArn, pending, current);
    deps.log.info(`the secret leaves the check: made the pending version ${AWSCURRENT}, the only password the service takes`, fields);
    return `made version ${pending} ${AWSCURRENT}: the service takes only its password (setSecret had run)`;
  }
  deps.log.warn(`the secret leaves the check with the ${AWSPENDING} label of its unfinished rotation: which password the service takes is not clear`, {
    ...fields, view: view.kind,
  });
  return `left ${AWSPENDING} on version ${pending}: which password the service takes is not clear (${view.kind === 'unknown' ? view.reason : view.kind})`;
}

/**
 * Whether the service took the pending password after the label went. Secrets Manager may still be retrying the
 * failed rotation: every step refuses a version without AWSPENDING, but one already past that check when the label
 * went may still set the password. None runs longer than the function's timeout, so the service is asked again
 * after it; an unclear answer counts as no (the AWSCURRENT password worked a moment ago).
 */
async function tookPendingLate(ctx: SecretContext, pending: string, current: string): Promise<boolean> {
  await ctx.budget.sleep(ctx.fn.timeoutSeconds * 1000);
  let answer: ProbeAnswer;
  try {
    answer = await ctx.deps.functions.probe(ctx.fn.arn, ctx.entry.secretArn, [current, pending], ctx.budget.signal());
  } catch (error) {
    ctx.deps.log.warn(`the second probe failed; the ${AWSCURRENT} password worked at the first`, { secretArn: ctx.entry.secretArn, error: safeErrorMessage(error) });
    return false;
  }
  return answer.answered && answer.result.outcomes[pending] === 'accepted' && answer.result.outcomes[current] !== 'accepted';
}
