/**
 * The staging-label invariant and the states a rotation passes through, judged from DescribeSecret's
 * VersionIdsToStages alone (no secret value is ever read).
 */

import { AWSCURRENT, AWSPENDING, AWSPREVIOUS } from '../../src/private/contract';

/** Version id to its staging labels, as DescribeSecret returns them (label-less versions are absent). */
export type VersionStages = Readonly<Record<string, readonly string[]>>;

/** The version holding `label`, if any. A label is on at most one version. */
export function versionWithLabel(stages: VersionStages, label: string): string | undefined {
  return Object.keys(stages).find((versionId) => stages[versionId].includes(label));
}

/** AWSPENDING on a version other than the AWSCURRENT one: RotateSecret refuses to start while it is there. */
export interface StalePending {
  readonly pendingVersionId: string;
  readonly currentVersionId?: string;
}

/** The invariant: AWSPENDING is absent, or on the AWSCURRENT version. Returns the violation, if any. */
export function findStalePending(stages: VersionStages): StalePending | undefined {
  const pendingVersionId = versionWithLabel(stages, AWSPENDING);
  const currentVersionId = versionWithLabel(stages, AWSCURRENT);
  if (pendingVersionId === undefined || pendingVersionId === currentVersionId) return undefined;
  return { pendingVersionId, currentVersionId };
}

/** Where a rotation started with `token` stands. */
export type RotationOutcome =
  /** The token's version is AWSCURRENT, the old one AWSPREVIOUS, and the invariant holds. */
  | { readonly status: 'complete'; readonly newVersionId: string; readonly previousVersionId?: string }
  /** The token's version still holds AWSPENDING only. */
  | { readonly status: 'in-progress' }
  /** The token's version is AWSCURRENT but the other labels are wrong; each problem is a sentence. */
  | { readonly status: 'inconsistent'; readonly problems: readonly string[] }
  /** Something else moved the token's labels: it has none left, or neither AWSCURRENT nor AWSPENDING. */
  | { readonly status: 'interrupted'; readonly tokenLabels: readonly string[] };

/**
 * Judges a rotation from the labels. `previousVersionId` is the version that held AWSCURRENT when the rotation
 * started; it must now hold AWSPREVIOUS.
 */
export function assessRotation(stages: VersionStages, token: string, previousVersionId?: string): RotationOutcome {
  const tokenLabels = stages[token] ?? [];
  if (tokenLabels.includes(AWSCURRENT)) {
    const problems: string[] = [];
    const stale = findStalePending(stages);
    if (stale) {
      problems.push(`${AWSPENDING} is on version ${stale.pendingVersionId}, not on the ${AWSCURRENT} version`);
    }
    const previousHolder = versionWithLabel(stages, AWSPREVIOUS);
    if (previousVersionId && previousVersionId !== token && previousHolder !== previousVersionId) {
      const where = previousHolder ? `is on version ${previousHolder}` : 'is on no version';
      problems.push(
        `${AWSPREVIOUS} ${where}, but it belongs on version ${previousVersionId}, the ${AWSCURRENT} version before this rotation`,
      );
    }
    if (problems.length > 0) return { status: 'inconsistent', problems };
    return { status: 'complete', newVersionId: token, previousVersionId: previousHolder };
  }
  if (tokenLabels.includes(AWSPENDING)) return { status: 'in-progress' };
  return { status: 'interrupted', tokenLabels };
}
