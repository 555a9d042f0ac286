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
    ...(secret.skipped !== undefined ? [`skipped: ${secret.skipped}`, '', ''] : [stage(secret.created), stage(secret.scheduled), stage(secret.updated)]),
    secret.skipped !== undefined ? 'skipped' : problemsOf(secret).length === 0 ? 'yes' : 'NO',
  ]);
  return [...stacks, '', table([header, ...rows])].join('\n');
}

/** One line per problem: a stack operation that did not complete, a secret whose state is wrong. */
export function sandboxFailures(result: SandboxResult): string[] {
  return [
    ...result.stacks.filter((stack) => stack.failure !== undefined).map((stack) => `${stack.stackName}: ${stack.failure}`),
    ...result.secrets.flatMap((secret) => problemsOf(secret).map((problem) => `${secret.plan.stackName}/${secret.plan.secretLogicalId}: ${problem}`)),
  ];
}

/** What is wrong with a secret that was not skipped: a broken invariant, a missing rotation, a wrong login. */
function problemsOf(secret: SecretReport): string[] {
  if (secret.skipped !== undefined) return [];
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
