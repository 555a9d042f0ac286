import { readCheckProperties } from './check-properties';
import type { VerifyDependencies } from './dependencies';
import { VerificationError } from './errors';
import type { CustomResourceEvent, OnEventResult } from './events';
import { SecretSnapshot, stalePendingMessage } from './messages';
import { findStalePending, versionWithLabel } from './staging-labels';
import { deriveRotationToken, isTokenOfResource } from './token';
import { AWSCURRENT, AWSPENDING, AWSPREVIOUS, CHECK_PROPERTY_NAMES, CheckProperties } from '../../src/private/contract';

/**
 * Create, and Update with a new rotation fingerprint: check the invariant (repairing it if allowed), then
 * start one rotation with a token derived from the request. Update without a new fingerprint only checks
 * the invariant. Delete leaves the secret alone.
 *
 * Data always carries the same keys, so `Fn::GetAtt` works after every event; isComplete adds
 * NewVersionId and Verified to a rotation's Data once it is verified.
 */
export async function handleOnEvent(event: CustomResourceEvent, deps: VerifyDependencies): Promise<OnEventResult> {
  if (!['Create', 'Update', 'Delete'].includes(event.RequestType)) {
    throw new VerificationError(`\`RequestType\` must be Create, Update or Delete, got ${JSON.stringify(event.RequestType)}`);
  }
  if (event.RequestType === 'Delete') {
    deps.log.info('delete: the secret is left as it is', { physicalResourceId: event.PhysicalResourceId });
    return { PhysicalResourceId: event.PhysicalResourceId };
  }

  const props = readCheckProperties(event.ResourceProperties);
  const rotate = shouldRotate(event, props);
  const token = deriveRotationToken(event);
  const startedAt = deps.now();
  const secret = await deps.secrets.describe(props.secretArn);
  const stages = secret.versionIdsToStages;
  const currentVersionId = versionWithLabel(stages, AWSCURRENT);
  const fields = { requestType: event.RequestType, secretArn: secret.arn, rotate, token };

  if (rotate && stages[token] !== undefined) {
    // A retried event: this request's rotation already exists. isComplete follows it; a second RotateSecret
    // would be refused anyway while its AWSPENDING is there.
    const previousVersionId = currentVersionId === token ? versionWithLabel(stages, AWSPREVIOUS) : currentVersionId;
    deps.log.info('rotation already started by an earlier attempt of this request', { ...fields, labels: stages[token] });
    return {
      PhysicalResourceId: props.secretArn,
      Data: rotationData({ token, startedAt, rotated: true, previousVersionId }),
    };
  }

  const repairedVersionId = await settleStalePending(event, props, secret, deps);

  if (!rotate) {
    deps.log.info('rotation settings unchanged: invariant checked, no rotation', { ...fields, repairedVersionId });
    return {
      PhysicalResourceId: props.secretArn,
      Data: {
        ...rotationData({ token: '', startedAt, rotated: false, previousVersionId: versionWithLabel(stages, AWSPREVIOUS), repairedVersionId }),
        NewVersionId: currentVersionId ?? '',
        Verified: 'true',
      },
    };
  }

  await deps.secrets.rotate(props.secretArn, token);
  deps.log.info('rotation started', { ...fields, previousVersionId: currentVersionId, repairedVersionId });
  return {
    PhysicalResourceId: props.secretArn,
    Data: rotationData({ token, startedAt, rotated: true, previousVersionId: currentVersionId, repairedVersionId }),
  };
}

/** Rotate on Create, and on an Update that changes what rotation depends on or which secret it is. */
function shouldRotate(event: CustomResourceEvent, props: CheckProperties): boolean {
  if (event.RequestType === 'Create') return true;
  const old = event.OldResourceProperties ?? {};
  return old[CHECK_PROPERTY_NAMES.rotationFingerprint] !== props.rotationFingerprint || old[CHECK_PROPERTY_NAMES.secretArn] !== props.secretArn;
}

/**
 * Fails on AWSPENDING left on a version other than AWSCURRENT, or removes it when the construct allows.
 * Returns the repaired version's id.
 */
async function settleStalePending(
  event: CustomResourceEvent,
  props: CheckProperties,
  secret: SecretSnapshot,
  deps: VerifyDependencies,
): Promise<string | undefined> {
  const stale = findStalePending(secret.versionIdsToStages);
  if (!stale) return undefined;
  if (!props.repairStalePending) {
    const message = stalePendingMessage({ secret, stale, leftByThisResource: isTokenOfResource(stale.pendingVersionId, event) });
    deps.log.error(`stale ${AWSPENDING} label`, { secretArn: secret.arn, ...stale, reason: message });
    throw new VerificationError(message);
  }
  deps.log.warn(`removing a stale ${AWSPENDING} label (repairStalePending)`, { secretArn: secret.arn, ...stale });
  await deps.secrets.removePendingLabel(props.secretArn, stale.pendingVersionId);
  return stale.pendingVersionId;
}

function rotationData(input: {
  readonly token: string;
  readonly startedAt: number;
  readonly rotated: boolean;
  readonly previousVersionId?: string;
  readonly repairedVersionId?: string;
}): Record<string, string> {
  return {
    RotationToken: input.token,
    StartedAt: String(input.startedAt),
    Rotated: String(input.rotated),
    PreviousVersionId: input.previousVersionId ?? '',
    RepairedStalePendingVersion: input.repairedVersionId ?? '',
  };
}
