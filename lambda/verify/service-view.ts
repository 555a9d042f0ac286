/**
 * Which of a secret's passwords the protected service accepts now, judged from the rotation function's probe
 * answer. It decides what the check may do to a stale AWSPENDING and what its messages may advise: a label whose
 * value is the only one the service takes must never be removed.
 */
import type { ProbeAnswer } from './rotation-functions';
import { VersionStages, versionWithLabel } from './staging-labels';
import { AWSCURRENT, AWSPENDING, AWSPREVIOUS } from '../../src/private/contract';

export type ServiceView =
  /** The strategy protects no service (generic): AWSCURRENT's value is the one in use, a pending one was never used. */
  | { readonly kind: 'no-service' }
  /** The service takes AWSCURRENT's password: clients keep working. */
  | { readonly kind: 'current-accepted' }
  /** The service refuses AWSCURRENT's password and takes this other version's (the newest such). */
  | { readonly kind: 'other-accepted'; readonly versionId: string; readonly label: string }
  /** The service refused every labelled password it was asked about. */
  | { readonly kind: 'none-accepted' }
  /** The service could not be asked, or the function could not answer. */
  | { readonly kind: 'unknown'; readonly reason: string };

/** The versions worth asking about, newest role first: AWSCURRENT, AWSPENDING, AWSPREVIOUS (each once). */
export function labelledVersions(stages: VersionStages): ReadonlyArray<{ readonly versionId: string; readonly label: string }> {
  const seen = new Set<string>();
  const versions: Array<{ versionId: string; label: string }> = [];
  for (const label of [AWSCURRENT, AWSPENDING, AWSPREVIOUS]) {
    const versionId = versionWithLabel(stages, label);
    if (versionId !== undefined && !seen.has(versionId)) {
      seen.add(versionId);
      versions.push({ versionId, label });
    }
  }
  return versions;
}

/** Judges the probe answer for the versions of `labelledVersions(stages)`. */
export function judgeService(stages: VersionStages, answer: ProbeAnswer): ServiceView {
  if (!answer.answered) return { kind: 'unknown', reason: `the rotation function did not answer the probe: ${answer.reason}` };
  const versions = labelledVersions(stages);
  const current = versions.find((version) => version.label === AWSCURRENT);
  const outcomes = answer.result.outcomes;
  if (current !== undefined && outcomes[current.versionId] === 'no-service') return { kind: 'no-service' };
  if (current !== undefined && outcomes[current.versionId] === 'accepted') return { kind: 'current-accepted' };
  const other = versions.find((version) => version.label !== AWSCURRENT && outcomes[version.versionId] === 'accepted');
  if (other !== undefined) return { kind: 'other-accepted', versionId: other.versionId, label: other.label };
  const unreachable = versions.find((version) => outcomes[version.versionId] === 'unreachable');
  if (unreachable !== undefined) {
    const reason = answer.result.reasons?.[unreachable.versionId];
    return { kind: 'unknown', reason: `the service could not be reached${reason ? ` (${reason})` : ''}` };
  }
  return { kind: 'none-accepted' };
}
