import type { SandboxResult, SecretReport, SecretState } from './run';
import { AWSCURRENT, AWSPENDING } from '../src/private/contract';

/** The stacks' statuses, then a table of the secrets: each stage's labels, invariant, rotations and logins. */
export function formatReport(result: SandboxResult): string {
  const stacks = result.stacks.map((stack) =>
    `${stack.stackName}: ${Object.entries(stack.statuses).map(([operation, status]) => `${operation} ${status}`).join(', ')}`);
  const header = ['secret', 'strategy', 'after create', 'after scheduled rotation', 'after update', 'proven'];
  const rows = result.secrets.map((secret) => [
    `${secret.plan.stackName}/${secret.plan.secretLogicalId}`,
    secret.plan.strategy,
    ...(secret.skipped !== undefined ? [`skipped: ${secret.skipped}`, '', '']
      : secret.created === undefined ? ['not created: its stack did not deploy', '', '']
        : [stage(secret.created), stage(secret.scheduled), stage(secret.updated)]),
    secret.skipped !== undefined ? 'skipped' : isProven(secret, result) ? 'yes' : 'NO',
  ]);
  return [...stacks, '', table([header, ...rows])].join('\n');
}

/** How many secrets the run proved (rotated at create, on schedule, and at the update if any), and how many it skipped. */
export function summaryLine(result: SandboxResult): string {
  const skipped = result.secrets.filter((secret) => secret.skipped !== undefined).length;
  const proven = result.secrets.filter((secret) => isProven(secret, result)).length;
  return `${proven} of ${result.secrets.length - skipped} rotating secret(s) proven${skipped > 0 ? `; ${skipped} skipped` : ''}`;
}

/** One line per problem: a stack operation that did not complete, a secret whose state is wrong. */
export function sandboxFailures(result: SandboxResult): string[] {
  return [
    ...result.stacks.filter((stack) => stack.failure !== undefined).map((stack) => `${stack.stackName}: ${stack.failure}`),
    ...result.secrets.flatMap((secret) => problemsOf(secret, result).map((problem) => `${secret.plan.stackName}/${secret.plan.secretLogicalId}: ${problem}`)),
  ];
}

function isProven(secret: SecretReport, result: SandboxResult): boolean {
  return secret.skipped === undefined && secret.created !== undefined && problemsOf(secret, result).length === 0;
}

function stackFailed(result: SandboxResult, stackName: string): boolean {
  return result.stacks.some((stack) => stack.stackName === stackName && stack.failure !== undefined);
}

/**
 * What is wrong with a secret that was not skipped: a broken invariant, a missing rotation, a wrong login. A secret
 * of a stack that failed has only the stack's failure.
 */
function problemsOf(secret: SecretReport, result: SandboxResult): string[] {
  if (secret.skipped !== undefined) return [];
  if (secret.created === undefined && stackFailed(result, secret.plan.stackName)) return [];
  const problems: string[] = [];
  for (const [name, state] of [['after create', secret.created], ['after the scheduled rotation', secret.scheduled], ['after the update', secret.updated]] as const) {
    if (state === undefined) continue;
    if (!state.invariant) problems.push(`${name}: ${AWSPENDING} is on a version other than ${AWSCURRENT} (${state.labels})`);
    if (state.problem !== undefined) problems.push(`${name}: ${state.problem}`);
  }
  if (secret.created === undefined) problems.push('it was not created');
  else if (total(secret.created) === 0) problems.push('no rotation after create (neither the deploy-time check nor the schedule rotated it)');
  const scheduled = (state: SecretState | undefined) => state?.rotations.schedule ?? 0;
  if (secret.scheduled !== undefined && secret.created !== undefined && scheduled(secret.scheduled) <= scheduled(secret.created)) {
    problems.push('the scheduled rotation did not happen');
  }
  return problems;
}

function stage(state: SecretState | undefined): string {
  if (state === undefined) return '';
  const rotations = Object.entries(state.rotations).map(([trigger, count]) => `${count} by ${trigger}`).join(', ') || 'none';
  return `${state.labels}; rotations: ${rotations}${state.logins ? `; ${state.logins}` : ''}${state.invariant ? '' : '; INVARIANT BROKEN'}`;
}

function total(state: SecretState): number {
  return Object.values(state.rotations).reduce((sum, count) => sum + count, 0);
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column])).join(' | ').trimEnd();
  return [line(rows[0]), widths.map((width) => '-'.repeat(width)).join('-|-'), ...rows.slice(1).map(line)].join('\n');
}
