import { readCheckProperties } from './check-properties';
import type { VerifyDependencies } from './dependencies';
import { diagnoseStall } from './diagnosis';
import { VerificationError } from './errors';
import type { IsCompleteEvent, IsCompleteResult } from './events';
import {
  RotationContext,
  inconsistentLabelsMessage,
  interruptedMessage,
  stepFailedMessage,
  timedOutMessage,
} from './messages';
import { assessRotation } from './staging-labels';
import { ROTATION_TOKEN_PATTERN } from './token';

/**
 * Polled by the provider until it answers IsComplete or throws. Complete when the rotation's version is
 * AWSCURRENT, the old one AWSPREVIOUS and the invariant holds. Throws as soon as the rotation function logged
 * a failure for this token, or the time limit has passed. Reads labels and logs only: it never changes the
 * secret, so a failed verification leaves AWSCURRENT where it was.
 */
export async function handleIsComplete(event: IsCompleteEvent, deps: VerifyDependencies): Promise<IsCompleteResult> {
  if (event.RequestType === 'Delete' || event.Data?.Rotated !== 'true') {
    return { IsComplete: true };
  }

  const props = readCheckProperties(event.ResourceProperties);
  const { token, startedAt, previousVersionId } = readRotationData(event.Data);
  const secret = await deps.secrets.describe(props.secretArn);
  const context: RotationContext = { secret, token, previousVersionId, logGroup: props.rotationLogGroup };
  const fields = { secretArn: secret.arn, token, elapsedSeconds: Math.round((deps.now() - startedAt) / 1000) };
  const outcome = assessRotation(secret.versionIdsToStages, token, previousVersionId);

  switch (outcome.status) {
    case 'complete':
      deps.log.info('rotation verified', { ...fields, newVersionId: outcome.newVersionId, previousVersionId: outcome.previousVersionId });
      return {
        IsComplete: true,
        Data: { NewVersionId: outcome.newVersionId, PreviousVersionId: outcome.previousVersionId ?? '', Verified: 'true' },
      };
    case 'inconsistent':
      throw fail(deps, fields, inconsistentLabelsMessage(context, outcome.problems));
    case 'interrupted':
      throw fail(deps, fields, interruptedMessage(context, outcome.tokenLabels));
    case 'in-progress':
      break;
  }

  const logLookup = await deps.logs.findFailure(props.rotationLogGroup, token, startedAt);
  if (logLookup.kind === 'found') {
    throw fail(deps, fields, stepFailedMessage(context, logLookup.failure));
  }

  if (deps.now() - startedAt > props.timeoutSeconds * 1000) {
    const evidence = await deps.secrets.pendingValueEvidence(props.secretArn, token);
    const runtimeFailures = logLookup.kind === 'no-log-group'
      ? []
      : await deps.logs.findRuntimeFailures(props.rotationLogGroup, startedAt);
    throw fail(deps, fields, timedOutMessage(context, {
      timeoutSeconds: props.timeoutSeconds,
      diagnosis: diagnoseStall(token, evidence),
      logLookup,
      runtimeFailures,
    }));
  }

  deps.log.info('rotation in progress', { ...fields, logSearch: logLookup.kind });
  return { IsComplete: false };
}

/** The rotation's token, start time and previous version, as onEvent returned them in Data. */
function readRotationData(data: Readonly<Record<string, unknown>> | undefined): {
  token: string;
  startedAt: number;
  previousVersionId?: string;
} {
  const token = data?.RotationToken;
  if (typeof token !== 'string' || !ROTATION_TOKEN_PATTERN.test(token)) {
    throw new VerificationError(`Data.RotationToken from onEvent must be a rotation token, got ${JSON.stringify(token)}`);
  }
  const startedAtText = data?.StartedAt;
  const startedAt = Number(startedAtText);
  if (typeof startedAtText !== 'string' || !/^\d+$/.test(startedAtText) || !Number.isSafeInteger(startedAt)) {
    throw new VerificationError(`Data.StartedAt from onEvent must be epoch milliseconds, got ${JSON.stringify(startedAtText)}`);
  }
  const previous = data?.PreviousVersionId;
  return { token, startedAt, previousVersionId: typeof previous === 'string' && previous.length > 0 ? previous : undefined };
}

function fail(deps: VerifyDependencies, fields: Record<string, unknown>, message: string): VerificationError {
  deps.log.error('rotation verification failed', { ...fields, reason: message });
  return new VerificationError(message);
}
