/**
 * What the check tells about one secret, shown by CloudFormation in the stack events. Each message is one line
 * that names the secret, what happened, the versions and their labels, which password the service accepts now (from
 * the rotation function's probe, never guessed), and what to run. Advice never removes a label whose value may be
 * the only one the service takes. Messages carry ids, labels and the rotation function's own safe error text,
 * never a secret value.
 */
import type { StallDiagnosis } from './diagnosis';
import type { FunctionErrorsLookup, LogLookup, RotationFailureLine } from './failure-log';
import type { ServiceView } from './service-view';
import { VersionStages, versionWithLabel } from './staging-labels';
import { AWSCURRENT, AWSPENDING, AWSPREVIOUS } from '../../src/private/contract';

/** What DescribeSecret says about a secret, minus anything the messages do not need. */
export interface SecretSnapshot {
  readonly arn: string;
  readonly name: string;
  readonly versionIdsToStages: VersionStages;
}

/** What every message about one secret names. */
export interface SecretFacts {
  readonly secret: SecretSnapshot;
  /** The rotation function's log group; a foreign function's may be unknown. */
  readonly logGroup?: string;
}

/** Longest message about one secret; the answer holds several and must fit 4,096 bytes with them. */
export const MAX_MESSAGE_LENGTH = 2000;
const MAX_LISTED_VERSIONS = 6;

/** A rotation is running on the stale version and the entry's time limit passed while the check waited for it. */
export function rotationRunningMessage(facts: SecretFacts, pendingVersionId: string, timeLimitSeconds: number): string {
  const { secret } = facts;
  return finalize([
    `Secret ${secretLabel(secret)} has ${AWSPENDING} on version ${pendingVersionId}, not on the ${AWSCURRENT} version${currentSuffix(secret)}:`,
    'a rotation may be running (its version was created lately, the rotation function logged a step for it lately, or the check could not tell),',
    'and RotateSecret refuses to start until it ends.',
    `The check waited ${timeLimitSeconds} seconds, its time limit for this secret, and changed nothing; clients keep using ${AWSCURRENT} until the rotation moves it.`,
    versionsSentence(secret.versionIdsToStages),
    `Deploy again when it has finished: the check waits for a running rotation. If it never finishes, see ${logGroupText(facts)}, search for ${pendingVersionId}.`,
  ]);
}

/** A stale AWSPENDING left by a rotation the check did not start, which the check cannot (or may not) settle. */
export function stalePendingMessage(facts: SecretFacts, input: {
  readonly pendingVersionId: string;
  readonly view: ServiceView;
  /** Whether the entry allows the repair (which then could not act on this view). */
  readonly repairAllowed: boolean;
}): string {
  const { secret } = facts;
  const { pendingVersionId, view } = input;
  const repair = input.repairAllowed
    ? `repairStalePending is set, but the check removes the label only when the service accepts the ${AWSCURRENT} password, and completes the rotation only when it accepts the pending one alone.`
    : repairHint(view);
  return finalize([
    `Secret ${secretLabel(secret)} has ${AWSPENDING} on version ${pendingVersionId}, not on the ${AWSCURRENT} version${currentSuffix(secret)}:`,
    'a rotation this check did not start stopped without finishing (nothing logged for it lately), and RotateSecret refuses to start until that label is removed.',
    versionsSentence(secret.versionIdsToStages),
    serviceSentence(secret, view),
    adviceSentence(secret, view, pendingVersionId),
    repair,
  ]);
}

/** This request's rotation, or the check's resumption of an earlier one, failed in a step. */
export function stepFailedMessage(facts: SecretFacts, input: {
  readonly token: string;
  readonly failure: RotationFailureLine;
  readonly view: ServiceView;
  /** The check ran the steps itself, resuming a rotation left by an earlier deploy. */
  readonly resumed: boolean;
}): string {
  const { secret } = facts;
  const what = input.resumed ? `Resuming rotation ${input.token} of secret ${secretLabel(secret)}` : `Rotation of secret ${secretLabel(secret)}`;
  return finalize([
    `${what} failed in step ${input.failure.step}: ${sentence(input.failure.error)}`,
    versionsSentence(secret.versionIdsToStages, input.token),
    serviceSentence(secret, input.view),
    adviceSentence(secret, input.view, pendingOf(secret, input.token)),
    resumeSentence(secret, input.token),
    lookSentence(facts, input.token),
  ]);
}

export function timedOutMessage(facts: SecretFacts, input: {
  readonly token: string;
  readonly timeoutSeconds: number;
  readonly diagnosis: StallDiagnosis;
  readonly logLookup: LogLookup;
  /** Lines where the Lambda runtime reports a failure (timeouts, init errors) since the rotation started. */
  readonly runtimeFailures: readonly string[];
  readonly view: ServiceView;
}): string {
  const { secret } = facts;
  return finalize([
    `Rotation of secret ${secretLabel(secret)} did not finish within ${input.timeoutSeconds} seconds`,
    '(the check\'s time limit for this secret) and the rotation function logged no failure for it.',
    input.diagnosis.explanation,
    logLookupSentence(facts, input.logLookup),
    runtimeFailureSentence(input.runtimeFailures),
    versionsSentence(secret.versionIdsToStages, input.token),
    serviceSentence(secret, input.view),
    adviceSentence(secret, input.view, pendingOf(secret, input.token)),
    resumeSentence(secret, input.token),
    lookSentence(facts, input.token),
  ]);
}

/**
 * A rotation by a function that is not this library's did not finish: it failed (`errors` found in its log group) or
 * ran out of time (`timeoutSeconds`). Says how much the check could tell: the steps the labels leave possible, the
 * error types in the log group (never their messages), and that nothing can be known of the service's passwords.
 */
export function foreignRotationMessage(facts: SecretFacts, input: {
  readonly token: string;
  readonly functionArn: string;
  /** Set when the time limit passed without an error line. */
  readonly timeoutSeconds?: number;
  readonly diagnosis: StallDiagnosis;
  /** The search of the function's log group; undefined when the log group is not known. */
  readonly errors?: FunctionErrorsLookup;
}): string {
  const { secret } = facts;
  const view: ServiceView = { kind: 'unknown', reason: 'the rotation function is not this library\'s, so the check cannot ask it' };
  const outcome = input.timeoutSeconds === undefined ? 'failed' : `did not finish within ${input.timeoutSeconds} seconds (the check's time limit for this secret)`;
  return finalize([
    `Rotation of secret ${secretLabel(secret)} by the rotation function ${input.functionArn} ${outcome}.`,
    'The function is not this library\'s, so the check cannot read its failure record (which step failed, and why):',
    `it tells what the staging labels and the function's log group show. ${input.diagnosis.explanation}`,
    functionErrorsSentence(facts, input.errors),
    versionsSentence(secret.versionIdsToStages, input.token),
    serviceSentence(secret, view),
    adviceSentence(secret, view, pendingOf(secret, input.token)),
    resumeSentence(secret, input.token),
    lookSentence(facts, input.token),
  ]);
}

function functionErrorsSentence(facts: SecretFacts, lookup: FunctionErrorsLookup | undefined): string {
  if (lookup === undefined) {
    return 'The function\'s log group is not known, so the check could not look for its errors (give `logGroup` to `RotationStrategy.fromFunction`).';
  }
  switch (lookup.kind) {
    case 'errors':
      return `Since the rotation started, its log group ${facts.logGroup} shows errors: ${lookup.summaries.join(', ')} `
        + '(their messages are not repeated here: a function that is not this library\'s may put values in them; the function may also serve other secrets).';
    case 'none':
      return `Its log group ${facts.logGroup} shows no error line since the rotation started.`;
    case 'no-log-group':
      return `Log group ${facts.logGroup} does not exist, so the function has not run (or logs elsewhere: give \`logGroup\` to \`RotationStrategy.fromFunction\`).`;
    case 'unreadable':
      return `Log group ${facts.logGroup} could not be searched (${sentence(lookup.reason)})`;
  }
}

/** The check ran every step of a rotation it resumed, yet the version did not become AWSCURRENT. */
export function resumeIncompleteMessage(facts: SecretFacts, token: string): string {
  const { secret } = facts;
  return finalize([
    `Resuming rotation ${token} of secret ${secretLabel(secret)}: every step succeeded, but version ${token} is not ${AWSCURRENT}`,
    '(the rotation function\'s finishSecret did not move the label, or something else moved it).',
    versionsSentence(secret.versionIdsToStages, token),
    lookSentence(facts, token),
  ]);
}

export function inconsistentLabelsMessage(facts: SecretFacts, token: string, problems: readonly string[]): string {
  const { secret } = facts;
  return finalize([
    `Rotation of secret ${secretLabel(secret)} moved ${AWSCURRENT} to the new version ${token},`,
    `but the staging labels are inconsistent: ${problems.join('; ')}.`,
    versionsSentence(secret.versionIdsToStages, token),
    `Clients use the new ${AWSCURRENT} value. Fix the labels with aws secretsmanager update-secret-version-stage and deploy again.`,
    lookSentence(facts, token),
  ]);
}

export function interruptedMessage(facts: SecretFacts, token: string, tokenLabels: readonly string[]): string {
  const { secret } = facts;
  const state = tokenLabels.length > 0
    ? `now has the labels ${tokenLabels.join(', ')} instead of ${AWSPENDING} or ${AWSCURRENT}`
    : 'no longer has a staging label';
  return finalize([
    `Rotation of secret ${secretLabel(secret)} was interrupted: version ${token}, started by this deploy, ${state},`,
    'so something else changed the secret during the deploy (a new value was put, or rotation was cancelled).',
    versionsSentence(secret.versionIdsToStages, token),
    `${AWSCURRENT} is on ${versionWithLabel(secret.versionIdsToStages, AWSCURRENT) ?? 'no version'}. Deploy again to verify rotation.`,
  ]);
}

/** The check's answer deadline came before it finished this secret. */
/** The check had to answer before it finished a secret; `why` completes "The check ...". */
export function unfinishedMessage(secretArn: string, why: string): string {
  return finalize([
    `The check ${why} before it finished secret ${secretArn}.`,
    'A rotation it started keeps running; the next deploy waits for it or resumes it.',
  ]);
}

/** A secret's AWSCURRENT value cannot take the connection fields. */
export function mergeRefusedMessage(secret: SecretSnapshot, currentVersionId: string, fields: readonly string[], why: string): string {
  return finalize([
    `The connection fields (${fields.join(', ')}) cannot be merged into secret ${secretLabel(secret)}:`,
    `its ${AWSCURRENT} value (version ${currentVersionId}) ${why}. Nothing was changed.`,
  ]);
}

/** The AWS CLI command that removes AWSPENDING from one version. */
export function removePendingCommand(secretArn: string, versionId: string): string {
  return `aws secretsmanager update-secret-version-stage --secret-id ${secretArn} --version-stage ${AWSPENDING} --remove-from-version-id ${versionId}`;
}

/** The AWS CLI command that moves AWSCURRENT (what finishSecret does). */
function moveCurrentCommand(secretArn: string, toVersionId: string, fromVersionId: string): string {
  return `aws secretsmanager update-secret-version-stage --secret-id ${secretArn} --version-stage ${AWSCURRENT} --move-to-version-id ${toVersionId} --remove-from-version-id ${fromVersionId}`;
}

/** The AWS CLI command that shows one version's value (run by the operator, never by the check). */
function readVersionCommand(secretArn: string, versionId: string): string {
  return `aws secretsmanager get-secret-value --secret-id ${secretArn} --version-id ${versionId} --query SecretString --output text`;
}

export function secretLabel(secret: { readonly name: string; readonly arn: string }): string {
  return `"${secret.name}" (${secret.arn})`;
}

function currentSuffix(secret: SecretSnapshot): string {
  const current = versionWithLabel(secret.versionIdsToStages, AWSCURRENT);
  return current ? ` (${current})` : '';
}

/** The version holding AWSPENDING when it is `token`'s (the rotation is still pending), else undefined. */
function pendingOf(secret: SecretSnapshot, token: string): string | undefined {
  return versionWithLabel(secret.versionIdsToStages, AWSPENDING) === token ? token : undefined;
}

/** Which password the service accepts now. */
function serviceSentence(secret: SecretSnapshot, view: ServiceView): string {
  const current = versionWithLabel(secret.versionIdsToStages, AWSCURRENT) ?? 'none';
  switch (view.kind) {
    case 'no-service':
      return `The secret protects no service the rotation function logs in to, so the ${AWSCURRENT} value (version ${current}) is the one in use and a pending value was never used.`;
    case 'current-accepted':
      return `The service accepts the ${AWSCURRENT} password (version ${current}): clients keep working.`;
    case 'other-accepted':
      return `The service refuses the ${AWSCURRENT} password (version ${current}) and accepts version ${view.versionId}'s (${view.label}): `
        + `clients reading ${AWSCURRENT} cannot log in now${view.label === AWSPENDING ? ' (setSecret already gave the service the pending password)' : ''}.`;
    case 'none-accepted':
      return 'The service refuses every labelled password of the secret.';
    case 'unknown':
      return `Which password the service accepts is unknown: ${sentence(view.reason)}`;
  }
}

/** What to run by hand, for the service view; never a removal that may lose the only working password. */
function adviceSentence(secret: SecretSnapshot, view: ServiceView, pendingVersionId: string | undefined): string {
  const stages = secret.versionIdsToStages;
  const current = versionWithLabel(stages, AWSCURRENT);
  switch (view.kind) {
    case 'no-service':
    case 'current-accepted':
      return pendingVersionId ? `Removing ${AWSPENDING} from version ${pendingVersionId} loses nothing: "${removePendingCommand(secret.arn, pendingVersionId)}".` : '';
    case 'other-accepted': {
      const keep = view.label === AWSPENDING ? `Do not remove ${AWSPENDING} from version ${view.versionId}: its value is the one that works.` : '';
      const move = current ? ` To let clients work now, move ${AWSCURRENT} to it: "${moveCurrentCommand(secret.arn, view.versionId, current)}".` : '';
      return `${keep}${move}`;
    }
    case 'none-accepted':
    case 'unknown': {
      const versions = [pendingVersionId, current].filter((id): id is string => id !== undefined);
      const reads = versions.map((id) => `"${readVersionCommand(secret.arn, id)}"`).join(' and ');
      return `Keep every label until you know which password the service takes: after setSecret, a single-user strategy has already given it the pending password, which may be the only one that works.${reads ? ` Read the values with ${reads} and try them.` : ''}`;
    }
  }
}

/** What the repair would do, for a message about a stale label when the entry does not allow it. */
function repairHint(view: ServiceView): string {
  switch (view.kind) {
    case 'no-service':
    case 'current-accepted':
      return `Or set repairStalePending: the check then removes the label, since the ${AWSCURRENT} password works.`;
    case 'other-accepted':
      return view.label === AWSPENDING ? 'Or set repairStalePending: the check then completes that rotation, since only its password works.' : '';
    case 'none-accepted':
    case 'unknown':
      return '';
  }
}

/** The rollback settles a rotation this check started, or the next deploy resumes it. */
function resumeSentence(secret: SecretSnapshot, token: string): string {
  if (versionWithLabel(secret.versionIdsToStages, AWSPENDING) !== token) return '';
  return `If the stack rolls back, the rollback settles this rotation (the check's log says how); otherwise, after fixing the cause, deploy again: the check resumes rotation ${token} with the deployed function and verifies it.`;
}

/** Labelled versions, the interesting ones first: `Versions: id [AWSCURRENT]; id [AWSPENDING] (this rotation).` */
function versionsSentence(stages: VersionStages, token?: string): string {
  const rank = (labels: readonly string[]) =>
    labels.includes(AWSCURRENT) ? 0 : labels.includes(AWSPENDING) ? 1 : labels.includes(AWSPREVIOUS) ? 2 : 3;
  const ids = Object.keys(stages).sort((a, b) => rank(stages[a]) - rank(stages[b]));
  if (ids.length === 0) return 'The secret has no labelled versions.';
  const listed = ids.slice(0, MAX_LISTED_VERSIONS).map((id) => {
    const labels = stages[id].length > 0 ? stages[id].join(', ') : 'no labels';
    return `${id} [${labels}]${id === token ? ' (this rotation)' : ''}`;
  });
  const more = ids.length > MAX_LISTED_VERSIONS ? `; and ${ids.length - MAX_LISTED_VERSIONS} more` : '';
  return `Versions: ${listed.join('; ')}${more}.`;
}

function lookSentence(facts: SecretFacts, token: string): string {
  return facts.logGroup === undefined ? '' : `Details: CloudWatch log group ${facts.logGroup}, search for ${token}.`;
}

function logGroupText(facts: SecretFacts): string {
  return facts.logGroup === undefined ? 'the rotation function\'s log group' : `log group ${facts.logGroup}`;
}

function logLookupSentence(facts: SecretFacts, lookup: LogLookup): string {
  switch (lookup.kind) {
    case 'no-log-group':
      return `Log group ${facts.logGroup} does not exist, so the rotation function has not run (or cannot write logs).`;
    case 'unreadable':
      return `Log group ${facts.logGroup} could not be searched (${sentence(lookup.reason)}), so the step is inferred from the secret's state.`;
    case 'none':
    case 'found':
      return '';
  }
}

function runtimeFailureSentence(lines: readonly string[]): string {
  if (lines.length === 0) return '';
  const quoted = lines.map((line) => `"${line}"`).join(', ');
  return [
    `Since the rotation started, the rotation function's log group also shows ${quoted}`,
    '(the function may serve other secrets too). A timeout usually means the function cannot reach the',
    'Secrets Manager endpoint or the database from its network (VPC endpoint, NAT, security groups).',
  ].join(' ');
}

/** Ends a quoted error text with a period, so the next sentence reads as one. */
function sentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

function finalize(parts: readonly string[]): string {
  const text = parts.filter((part) => part.length > 0).join(' ').replace(/\s+/g, ' ').trim();
  return text.length > MAX_MESSAGE_LENGTH ? `${text.slice(0, MAX_MESSAGE_LENGTH - 3)}...` : text;
}
