import { describeValue, VERSION_ID_PATTERN } from './protocol';
import type { Logger, ProtectedService, SecretsStore } from './types';
import { MAX_PROBE_VERSIONS, ProbeOutcome, ProbeRequest, ProbeResult } from '../../src/private/contract';

/** What a probe runs against. */
export interface ProbeDependencies {
  readonly store: SecretsStore;
  readonly service: ProtectedService;
  readonly log: Logger;
}

/** A probe request that failed validation; the message names the field. */
export class ProbeRequestError extends Error {
  constructor(message: string) {
    super(`invalid probe: ${message}`);
    this.name = 'ProbeRequestError';
  }
}

/**
 * Answers the deploy-time check's probe: which of a secret's versions the protected service accepts now. It reads
 * the versions and tries them (databases: one login each, all at once, so the probe takes one connect timeout),
 * changes nothing, and logs one line with the outcomes, never a value.
 */
export async function runProbe(request: ProbeRequest, deps: ProbeDependencies): Promise<ProbeResult> {
  const { secretId, versionIds } = validateProbeRequest(request);
  const verdicts = await Promise.all(versionIds.map((versionId) =>
    deps.service.probe(() => deps.store.getValue(secretId, { versionId })).then((verdict) => [versionId, verdict] as const)));
  const outcomes: Record<string, ProbeOutcome> = {};
  const reasons: Record<string, string> = {};
  for (const [versionId, verdict] of verdicts) {
    outcomes[versionId] = verdict.outcome;
    if (verdict.reason !== undefined) reasons[versionId] = verdict.reason;
  }
  const result: ProbeResult = Object.keys(reasons).length > 0 ? { outcomes, reasons } : { outcomes };
  deps.log.info('probe answered', { secretId, strategy: deps.service.name, ...result });
  return result;
}

/** The probe's secret and its distinct version ids; errors name the field and never quote more than its shape. */
export function validateProbeRequest(request: ProbeRequest): { readonly secretId: string; readonly versionIds: readonly string[] } {
  const { SecretId: secretId, VersionIds: versionIds } = request.ProbeVersions as unknown as Record<string, unknown>;
  if (typeof secretId !== 'string' || secretId.length === 0) {
    throw new ProbeRequestError(`\`ProbeVersions.SecretId\` must be a non-empty string, got ${describeValue(secretId)}`);
  }
  if (!Array.isArray(versionIds) || versionIds.length === 0 || versionIds.length > MAX_PROBE_VERSIONS) {
    throw new ProbeRequestError(`\`ProbeVersions.VersionIds\` must be a list of 1 to ${MAX_PROBE_VERSIONS} version ids, got ${describeValue(versionIds)}`);
  }
  versionIds.forEach((versionId, index) => {
    if (typeof versionId !== 'string' || !VERSION_ID_PATTERN.test(versionId)) {
      throw new ProbeRequestError(`\`ProbeVersions.VersionIds[${index}]\` must be 32 to 64 characters of [a-zA-Z0-9-], got ${describeValue(versionId)}`);
    }
  });
  return { secretId, versionIds: [...new Set(versionIds as string[])] };
}
