/**
 * Failure messages, shown by CloudFormation in the stack events. Each is one line that names the secret, the
 * versions and their labels, where to look and what to do. They carry ids, labels and the rotation
 * function's own safe error text, never a secret value.
 */
import type { StallDiagnosis } from './diagnosis';
import type { LogLookup, RotationFailureLine } from './failure-log';
import {
  StalePending,
  VersionStages,
  findStalePending,
  versionWithLabel,
} from './staging-labels';
import { AWSCURRENT, AWSPENDING, AWSPREVIOUS } from '../../src/private/contract';

/** What DescribeSecret says about a secret, minus anything the messages do not need. */
export interface SecretSnapshot {
  readonly arn: string;
  readonly name: string;
  readonly versionIdsToStages: VersionStages;
}

/** What every message about one rotation needs. */
export interface RotationContext {
  readonly secret: SecretSnapshot;
  /** The rotation's ClientRequestToken, which is also its version id. */
  readonly token: string;
  /** The version that held AWSCURRENT when the rotation started. */
  readonly previousVersionId?: string;
  readonly logGroup: string;
}

/** CloudFormation keeps the whole response under 4 KB; the reason must leave room for the other fields. */
export const MAX_MESSAGE_LENGTH = 2500;
const MAX_LISTED_VERSIONS = 6;

export function stalePendingMessage(input: {
  readonly secret: SecretSnapshot;
  readonly stale: StalePending;
  /** The stale version's id is a token an earlier deploy of this same resource derived. */
  readonly leftByThisResource: boolean;
}): string {
  const { secret, stale } = input;
  const current = stale.currentVersionId ? ` (${stale.currentVersionId})` : '';
  const origin = input.leftByThisResource
    ? 'a rotation started by an earlier deploy of this resource did not finish'
    : 'a previous rotation did not finish, or one is running now';
  return finalize([
    `Secret ${secretLabel(secret)} has ${AWSPENDING} on version ${stale.pendingVersionId},`,
    `which is not the ${AWSCURRENT} version${current}: ${origin}, and RotateSecret refuses to start until that label is removed.`,
    versionsSentence(secret.versionIdsToStages),
    `Once no rotation is running, remove the label with "${removePendingCommand(secret.arn, stale.pendingVersionId)}",`,
    'or set repairStalePending to let the deploy remove it.',
    'Check first that setSecret did not already give that version\'s value to the protected service',
    '(the version stays readable by its id).',
  ]);
}

export function stepFailedMessage(context: RotationContext, failure: RotationFailureLine): string {
  return finalize([
    `Rotation of secret ${secretLabel(context.secret)} failed in step ${failure.step}: ${sentence(failure.error)}`,
    versionsSentence(context.secret.versionIdsToStages, context.token),
    currentSentence(context),
    lookSentence(context),
    blockedSentence(context),
  ]);
}

export function timedOutMessage(
  context: RotationContext,
  details: {
    readonly timeoutSeconds: number;
    readonly diagnosis: StallDiagnosis;
    readonly logLookup: LogLookup;
    /** Lines where the Lambda runtime reports a failure (timeouts, init errors) since the rotation started. */
    readonly runtimeFailures: readonly string[];
  },
): string {
  return finalize([
    `Rotation of secret ${secretLabel(context.secret)} did not finish within ${details.timeoutSeconds} seconds`,
    '(the verification\'s time limit) and the rotation function logged no failure for it.',
    details.diagnosis.explanation,
    logLookupSentence(context, details.logLookup),
    runtimeFailureSentence(details.runtimeFailures),
    versionsSentence(context.secret.versionIdsToStages, context.token),
    currentSentence(context),
    lookSentence(context),
    blockedSentence(context),
  ]);
}

export function inconsistentLabelsMessage(context: RotationContext, problems: readonly string[]): string {
  const stale = findStalePending(context.secret.versionIdsToStages);
  return finalize([
    `Rotation of secret ${secretLabel(context.secret)} moved ${AWSCURRENT} to the new version ${context.token},`,
    `but the staging labels are inconsistent: ${problems.join('; ')}.`,
    'Later rotations would fail with "A previous rotation isn\'t complete".',
    versionsSentence(context.secret.versionIdsToStages, context.token),
    lookSentence(context),
    stale
      ? `Remove the stray label with "${removePendingCommand(context.secret.arn, stale.pendingVersionId)}" and deploy again.`
      : 'Fix the labels with aws secretsmanager update-secret-version-stage and deploy again.',
  ]);
}

export function interruptedMessage(context: RotationContext, tokenLabels: readonly string[]): string {
  const state = tokenLabels.length > 0
    ? `now has the labels ${tokenLabels.join(', ')} instead of ${AWSPENDING} or ${AWSCURRENT}`
    : 'no longer has a staging label';
  return finalize([
    `Rotation of secret ${secretLabel(context.secret)} was interrupted: version ${context.token}, started by this deploy, ${state},`,
    'so something else changed the secret during the deploy (a new value was put, or rotation was cancelled).',
    versionsSentence(context.secret.versionIdsToStages, context.token),
    currentSentence(context),
    'Deploy again to verify rotation.',
  ]);
}

/** The AWS CLI command that removes AWSPENDING from one version. */
export function removePendingCommand(secretArn: string, versionId: string): string {
  return `aws secretsmanager update-secret-version-stage --secret-id ${secretArn} --version-stage ${AWSPENDING} --remove-from-version-id ${versionId}`;
}

function secretLabel(secret: SecretSnapshot): string {
  return `"${secret.name}" (${secret.arn})`;
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

function currentSentence(context: RotationContext): string {
  const current = versionWithLabel(context.secret.versionIdsToStages, AWSCURRENT);
  if (current === undefined) return `No version holds ${AWSCURRENT}.`;
  if (current === context.previousVersionId) {
    return `${AWSCURRENT} is still on version ${current}, the value from before this rotation, so clients keep working with it.`;
  }
  return `${AWSCURRENT} is on version ${current}.`;
}

function lookSentence(context: RotationContext): string {
  return `Details: CloudWatch log group ${context.logGroup}, search for ${context.token}.`;
}

function blockedSentence(context: RotationContext): string {
  return [
    `Version ${context.token} keeps ${AWSPENDING}, which blocks later rotations: after fixing the cause, remove the label`,
    `("${removePendingCommand(context.secret.arn, context.token)}") or set repairStalePending, then deploy again.`,
  ].join(' ');
}

function logLookupSentence(context: RotationContext, lookup: LogLookup): string {
  switch (lookup.kind) {
    case 'no-log-group':
      return `Log group ${context.logGroup} does not exist, so the rotation function has not run (or cannot write logs).`;
    case 'unreadable':
      return `Log group ${context.logGroup} could not be searched (${sentence(lookup.reason)}), so the step is inferred from the secret's state.`;
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
