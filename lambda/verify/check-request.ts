/**
 * One CloudFormation request to the check, over as many invocations as it takes: read the request, work on every
 * secret (a few at a time), and either answer CloudFormation once through the ResponseURL or hand the progress on
 * to a fresh asynchronous invocation of the check before Lambda's timeout.
 */
import { checkSecret } from './check-secret';
import { connectionProblem } from './connection-merge';
import { departingEntries, settleDepartures } from './departures';
import type { CheckDependencies } from './dependencies';
import { VerificationError } from './errors';
import { secretLabel, unfinishedMessage } from './messages';
import { CheckProgress, SecretProgress, reportsOnly } from './progress';
import { CONTINUATION_KEY, CloudFormationRequest, Continuation, ReadEvent, readEvent } from './request';
import { Answer, responseBody } from './response';
import { nameFromArn } from './secret-operations';
import { ANSWER_MARGIN_MS, HANDOFF_MARGIN_MS, InvocationContext, TimeBudget } from './time-budget';
import { deriveRotationToken, physicalResourceId } from './token';
import {
  CHECKED_SECRET_PROPERTY_NAMES,
  CHECK_PROPERTY_NAMES,
  CheckProperties,
  ContractError,
  MAX_SERVICE_TIMEOUT_SECONDS,
  decodeCheckProperties,
} from '../../src/private/contract';
import { safeErrorMessage } from '../rotation/log';

/** Secrets worked on at once: bounds the calls per second to Secrets Manager and the concurrent rotations. */
export const CONCURRENT_SECRETS = 8;
/** Longest text per secret in the answer, when several have one: each is named before the answer is cut. */
const MIN_SHARE_PER_MESSAGE = 300;
const MESSAGES_BUDGET = 3200;

/**
 * Serves one invocation. Throws only when nobody can be answered: the event has no usable ResponseURL, or the
 * answer could not be delivered (Lambda then retries the invocation, which does the same again: every step is
 * idempotent). Anything else ends in a FAILED answer rather than leaving CloudFormation waiting.
 */
export async function handleCheckEvent(event: unknown, context: InvocationContext, deps: CheckDependencies): Promise<void> {
  let read: ReadEvent;
  try {
    read = readEvent(event);
  } catch (error) {
    deps.log.error('the event cannot be answered', { error: safeErrorMessage(error) });
    throw error;
  }
  try {
    await serve(read, context, deps);
  } catch (error) {
    if (error instanceof AnswerNotDeliveredError) throw error;
    deps.log.error('the check failed unexpectedly', { requestId: read.request.RequestId, error: safeErrorMessage(error) });
    await sendAnswer(read.request, {
      status: 'FAILED', reason: `The check failed unexpectedly: ${safeErrorMessage(error)}`, physicalResourceId: physicalIdOf(read.request),
    }, context, deps);
  }
}

async function serve({ request, progress, problem }: ReadEvent, context: InvocationContext, deps: CheckDependencies): Promise<void> {
  const physicalId = physicalIdOf(request);
  const answer = (status: Answer['status'], reason: string, data?: Record<string, string>) =>
    sendAnswer(request, { status, reason, physicalResourceId: physicalId, data }, context, deps);

  if (problem !== undefined) return answer('FAILED', problem);
  const serviceTimeoutSeconds = readServiceTimeout(request.ResourceProperties);
  const startedAt = progress?.startedAt ?? deps.clock.now();
  const budget = new TimeBudget(deps.clock, context, startedAt + serviceTimeoutSeconds * 1000 - ANSWER_MARGIN_MS);
  if (request.RequestType === 'Delete') {
    const settled = await settleDepartures(departingEntries(request.ResourceProperties), request, deps, budget);
    deps.log.info('delete: settled what this check left unfinished, nothing else', { requestId: request.RequestId, physicalResourceId: physicalId, settled });
    return answer('SUCCESS', settled.length > 0 ? `Delete settled this check's unfinished rotations: ${settled.join('; ')}` : 'Delete changes no secret.');
  }
  let props: CheckProperties;
  try {
    props = decodeCheckProperties(request.ResourceProperties);
  } catch (error) {
    if (!(error instanceof ContractError)) throw error;
    return answer('FAILED', error.message);
  }
  const propsProblem = propertiesProblem(props) ?? progressProblem(props, progress);
  if (propsProblem !== undefined) return answer('FAILED', propsProblem);

  if (budget.remainingMs() <= 0 && budget.ending === 'hand-off') {
    return answer('FAILED', `The check function's timeout leaves it no time to work: it keeps ${HANDOFF_MARGIN_MS / 1000} seconds for handing on, so it needs a timeout of a minute or more.`);
  }
  const secrets = [...progress?.secrets ?? props.secrets.map((): SecretProgress => ({}))];
  // Settled once, by the request's first invocation (a continuation carries no old properties).
  const departed = request.RequestType === 'Update' && progress === undefined
    ? await settleDepartures(departingEntries(request.OldResourceProperties, request.ResourceProperties), request, deps, budget)
    : [];

  // A secret another one names as its master rotates first: rotating both at once, the other's setSecret could log in
  // with the master's AWSCURRENT password after the master's setSecret changed it and before its finishSecret.
  for (const wave of rotationWaves(props)) {
    await forEachBounded(wave.length, CONCURRENT_SECRETS, async (position) => {
      const index = wave[position];
      if (secrets[index].result !== undefined || budget.remainingMs() <= 0) return;
      const entry = props.secrets[index];
      secrets[index] = await checkSecret({
        entry,
        fn: props.functions[entry.functionIndex],
        resource: request,
        token: deriveRotationToken(request, entry.secretArn),
        deps,
        budget,
      }, secrets[index]);
    });
  }

  let stopped = `reached the end of its ServiceTimeout (${serviceTimeoutSeconds} seconds)`;
  if (secrets.some((secret) => secret.result === undefined) && budget.ending === 'hand-off') {
    const next: CheckProgress = { startedAt, handOffs: (progress?.handOffs ?? 0) + 1, secrets: withShortMessages(secrets) };
    try {
      await handOn(request, next, context, deps);
      return;
    } catch (error) {
      stopped = `could not hand its work on to a fresh invocation of itself (${error instanceof VerificationError ? error.message : safeErrorMessage(error)})`;
    }
  }
  const results = secrets.map((secret, index): SecretProgress => secret.result !== undefined ? secret : {
    ...secret,
    result: {
      outcome: reportsOnly(secret, props.secrets[index].verify, 'state') ? 'reported' : 'failed',
      message: unfinishedMessage(props.secrets[index].secretArn, stopped),
    },
  });
  const summary = summarize(props, results, departed);
  return answer(summary.status, summary.reason, summary.data);
}

/** The entries' indexes in two waves: the secrets another entry names as its master (`masterarn`), then the rest. */
export function rotationWaves(props: CheckProperties): [number[], number[]] {
  const masters = new Set(props.secrets.map((secret) => secret.connection?.masterarn).filter((arn) => typeof arn === 'string'));
  const indexes = props.secrets.map((_, index) => index);
  const isMaster = (index: number) => masters.has(props.secrets[index].secretArn);
  return [indexes.filter(isMaster), indexes.filter((index) => !isMaster(index))];
}

/** Invokes the check itself asynchronously with the request and `progress`. */
async function handOn(request: CloudFormationRequest, progress: CheckProgress, context: InvocationContext, deps: CheckDependencies): Promise<void> {
  const continuation: Continuation = { request: withoutOldProperties(request), progress };
  await deps.functions.invokeAsync(context.invokedFunctionArn, { [CONTINUATION_KEY]: continuation });
  deps.log.info('handed the check on to a fresh invocation', {
    requestId: request.RequestId,
    handOffs: progress.handOffs,
    unfinished: progress.secrets.filter((secret) => secret.result === undefined).length,
  });
}

/** Create gets the stable id of the stack and logical id; Update and Delete keep the id CloudFormation sent. */
function physicalIdOf(request: CloudFormationRequest): string {
  return request.RequestType === 'Create' || request.PhysicalResourceId === undefined ? physicalResourceId(request) : request.PhysicalResourceId;
}

/** What the properties ask that the check refuses, beyond the contract's field checks. */
function propertiesProblem(props: CheckProperties): string | undefined {
  const seen = new Map<string, number>();
  for (const [index, secret] of props.secrets.entries()) {
    const earlier = seen.get(secret.secretArn);
    if (earlier !== undefined) return `${CHECK_PROPERTY_NAMES.secrets}[${index}] names the same secret as ${CHECK_PROPERTY_NAMES.secrets}[${earlier}]: ${secret.secretArn}`;
    seen.set(secret.secretArn, index);
    const problem = secret.connection === undefined ? undefined : connectionProblem(secret.connection);
    if (problem !== undefined) return `${CHECK_PROPERTY_NAMES.secrets}[${index}]: Property \`${CHECKED_SECRET_PROPERTY_NAMES.connection}\` ${problem}`;
  }
  return undefined;
}

function progressProblem(props: CheckProperties, progress: CheckProgress | undefined): string | undefined {
  if (progress === undefined || progress.secrets.length === props.secrets.length) return undefined;
  return `The check's continuation holds progress for ${progress.secrets.length} secrets, but the request has ${props.secrets.length}`;
}

/** ServiceTimeout as CloudFormation passes it (a string of seconds, 1 to 3600), or CloudFormation's default. */
function readServiceTimeout(properties: Readonly<Record<string, unknown>>): number {
  const raw = properties[CHECK_PROPERTY_NAMES.serviceTimeout];
  const seconds = typeof raw === 'string' && /^\d{1,4}$/.test(raw) ? Number(raw) : typeof raw === 'number' ? raw : NaN;
  return seconds >= 1 && seconds <= MAX_SERVICE_TIMEOUT_SECONDS ? seconds : MAX_SERVICE_TIMEOUT_SECONDS;
}

/** The request without OldResourceProperties, which the check never reads: the continuation's payload stays small. */
function withoutOldProperties(request: CloudFormationRequest): CloudFormationRequest {
  const { RequestType, ResponseURL, StackId, RequestId, LogicalResourceId, PhysicalResourceId, ResourceProperties } = request;
  const physical = PhysicalResourceId === undefined ? {} : { PhysicalResourceId };
  return { RequestType, ResponseURL, StackId, RequestId, LogicalResourceId, ...physical, ResourceProperties };
}

/**
 * The answer for every secret's result: FAILED naming each failing secret, or SUCCESS with counts and notes (with what
 * was settled for the secrets that left the check, `departed`).
 */
function summarize(
  props: CheckProperties,
  secrets: readonly SecretProgress[],
  departed: readonly string[],
): { status: Answer['status']; reason: string; data?: Record<string, string> } {
  const named = secrets.map((secret, index) => ({ ...secret.result!, actions: secret.actions ?? [], arn: props.secrets[index].secretArn }));
  const failures = named.filter((secret) => secret.outcome === 'failed');
  if (failures.length > 0) {
    if (failures.length === 1) return { status: 'FAILED', reason: failures[0].message! };
    const share = messageShare(failures.length);
    const listed = failures.map((failure, index) => `[${index + 1}] ${cut(failure.message!, share)}`);
    return { status: 'FAILED', reason: `${failures.length} of ${secrets.length} secrets failed. ${listed.join(' ')}` };
  }
  const count = (outcome: string) => String(named.filter((secret) => secret.outcome === outcome).length);
  const notes = named.flatMap((secret) => {
    const texts = [...secret.actions, ...secret.message ? [secret.message] : []];
    return texts.length > 0 ? [`${secretLabel({ name: nameFromArn(secret.arn), arn: secret.arn })}: ${texts.join('; ')}`] : [];
  }).concat(departed.map((line) => `leaving the check, ${line}`));
  return {
    status: 'SUCCESS',
    reason: `Checked ${secrets.length} secrets: ${count('verified')} rotated and verified, ${count('unchanged')} unchanged, ${count('reported')} left as they are.`,
    data: {
      Secrets: String(secrets.length),
      Verified: count('verified'),
      Unchanged: count('unchanged'),
      Reported: count('reported'),
      ...(notes.length > 0 ? { Notes: notes.join(' | ') } : {}),
    },
  };
}

/** How much of each of `count` messages the answer shows. */
function messageShare(count: number): number {
  return Math.max(MIN_SHARE_PER_MESSAGE, Math.floor(MESSAGES_BUDGET / count));
}

/**
 * Finished secrets' messages cut to what an answer can show of them (each is logged whole when it is decided), so
 * the continuation's payload stays well under Lambda's limit for asynchronous invocations with hundreds of secrets.
 */
function withShortMessages(secrets: readonly SecretProgress[]): SecretProgress[] {
  const share = messageShare(secrets.filter((secret) => secret.result?.message !== undefined).length);
  return secrets.map((secret) => {
    const message = secret.result?.message;
    return message === undefined ? secret : { ...secret, result: { ...secret.result!, message: cut(message, share) } };
  });
}

function cut(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length - 3)}...` : text;
}

/** Logs the whole answer (the pointer's target), then PUTs it, cut to CloudFormation's limit. */
async function sendAnswer(request: CloudFormationRequest, answer: Answer, context: InvocationContext, deps: CheckDependencies): Promise<void> {
  const pointer = `the whole text is in CloudWatch log group ${context.logGroupName}, search for ${request.RequestId}`;
  const body = responseBody(request, answer, pointer);
  deps.log.info('answering CloudFormation', {
    requestId: request.RequestId, status: answer.status, reason: answer.reason, data: answer.data, bytes: Buffer.byteLength(body),
  });
  try {
    await deps.respond(request.ResponseURL, body);
  } catch (error) {
    deps.log.error('the answer to CloudFormation could not be delivered', { requestId: request.RequestId, error: safeErrorMessage(error) });
    throw new AnswerNotDeliveredError(error);
  }
}

/** The ResponseURL did not take the answer: there is nobody else to tell. */
class AnswerNotDeliveredError extends Error {
  constructor(cause: unknown) {
    super(`the answer to CloudFormation could not be delivered: ${safeErrorMessage(cause)}`, { cause });
    this.name = 'AnswerNotDeliveredError';
  }
}

/** Runs `work(0 .. count-1)`, at most `limit` at a time. */
async function forEachBounded(count: number, limit: number, work: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await work(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
}
