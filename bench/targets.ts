import { CLOUDFORMATION_RESOURCE_LIMIT } from './footprint';
import { describeFindings } from './lint';
import { MANAGED_POLICY_LIMIT, ROLE_INLINE_LIMIT } from './policy-size';
import { ApproachFootprint, BenchResults, TargetResult } from './results';
import { formatCell } from './support/markdown';

/** The synth-time target is judged at this N. */
const SYNTH_TARGET_COUNT = 100;

/** The targets, judged on this run's figures. */
export function evaluateTargets(results: Omit<BenchResults, 'targets'>): TargetResult[] {
  const ours = footprintOf(results, 'ours');
  const unverified = footprintOf(results, 'ours-noverify');
  const handRolled = footprintOf(results, 'hand-rolled');
  const synthMedian = (key: string) => results.synth.find((timing) => timing.key === key && timing.count === SYNTH_TARGET_COUNT)!.medianMs;
  const { verification: v, apiCalls } = results;
  const ratio = (value: number, reference: number) => `${formatCell(value)} (${(value / reference).toFixed(2)}× baseline's ${formatCell(reference)})`;

  return [
    {
      target: 'Resources per added secret, verification on: at most 3',
      measured: formatCell(ours.resourcesPerSecret),
      value: ours.resourcesPerSecret,
      met: ours.resourcesPerSecret <= 3,
    },
    {
      target: 'Resources per added secret, verification off: at most 2',
      measured: formatCell(unverified.resourcesPerSecret),
      value: unverified.resourcesPerSecret,
      met: unverified.resourcesPerSecret <= 2,
    },
    {
      target: 'Template bytes per added secret, verification on: at most the hand-rolled baseline\'s',
      measured: ratio(ours.bytesPerSecret, handRolled.bytesPerSecret),
      value: ours.bytesPerSecret,
      met: ours.bytesPerSecret <= handRolled.bytesPerSecret,
    },
    {
      target: 'Template bytes per added secret, verification off: at most 70% of the hand-rolled baseline\'s',
      measured: ratio(unverified.bytesPerSecret, handRolled.bytesPerSecret),
      value: unverified.bytesPerSecret,
      met: unverified.bytesPerSecret <= 0.7 * handRolled.bytesPerSecret,
    },
    capacity('verification on', ours),
    capacity('verification off', unverified),
    synthTarget('verification on', synthMedian('ours'), synthMedian('hand-rolled')),
    synthTarget('verification off', synthMedian('ours-noverify'), synthMedian('hand-rolled')),
    {
      target: 'Cold start of the generic bundle (require + first invocation): at most 1.2× the minimal handler\'s',
      measured: `${results.coldStartRatio.toFixed(2)}×`,
      value: results.coldStartRatio,
      met: results.coldStartRatio <= 1.2,
    },
    {
      target: `Secrets Manager calls per generic rotation: fewer than AWS's generic template (${apiCalls.awsTemplateTotal})`,
      measured: String(apiCalls.total),
      value: apiCalls.total,
      met: apiCalls.total < apiCalls.awsTemplateTotal,
    },
    {
      target: 'Deploy-time verification: done at most one poll interval (plus 1 s for the look that sees it, the tag and the answer) after the rotation',
      measured: `max ${formatCell(v.maxDelayMs)} ms = ${(v.maxDelayMs / v.intervalMs).toFixed(2)} intervals of ${formatCell(v.intervalMs)} ms`,
      value: v.maxDelayMs / v.intervalMs,
      met: v.maxExcessMs <= 1000,
    },
  ];
}

function footprintOf(results: Omit<BenchResults, 'targets'>, key: string): ApproachFootprint {
  const footprint = results.footprint.find((approach) => approach.key === key);
  if (!footprint) throw new Error(`no footprint measured for ${key}`);
  return footprint;
}

/** Synthesizes (aws-cdk-lib refuses more than 500 resources), passes cfn-lint, IAM policies within limits. */
function capacity(variant: string, footprint: ApproachFootprint): TargetResult {
  const largest = footprint.points[footprint.points.length - 1];
  const fits = largest.resources <= CLOUDFORMATION_RESOURCE_LIMIT;
  const lint = describeFindings(footprint.lintFindings);
  const policiesFit = largest.largestRoleInline <= ROLE_INLINE_LIMIT && largest.largestManaged <= MANAGED_POLICY_LIMIT;
  return {
    target: `${largest.count} secrets in one stack, ${variant}: synthesizes (at most ${CLOUDFORMATION_RESOURCE_LIMIT} resources), cfn-lint clean, IAM policies within limits`,
    measured: `${largest.resources} resources${fits ? '' : ' (over the limit: aws-cdk-lib refuses to synthesize)'}; cfn-lint ${lint}; `
      + `largest role inline ${formatCell(largest.largestRoleInline)}/${formatCell(ROLE_INLINE_LIMIT)}, managed ${formatCell(largest.largestManaged)}/${formatCell(MANAGED_POLICY_LIMIT)}`,
    value: largest.resources,
    met: fits && lint === 'clean' && policiesFit,
  };
}

function synthTarget(variant: string, oursMs: number, handRolledMs: number): TargetResult {
  return {
    target: `Synth time of ${SYNTH_TARGET_COUNT} secrets, ${variant}: at most the hand-rolled baseline's (median)`,
    measured: `${formatCell(oursMs)} ms vs ${formatCell(handRolledMs)} ms (${(oursMs / handRolledMs).toFixed(2)}×)`,
    value: oursMs / handRolledMs,
    met: oursMs <= handRolledMs,
  };
}
