import { RotateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { labelProblems, Stages, stagesOf } from './secrets';
import type { RotationServiceEvent, SecretsManagerSimulator } from '../../../simulator';

/** One rotation started by RotateSecret and followed to its end, retries included. */
export interface RotationRun {
  readonly token: string;
  readonly events: readonly RotationServiceEvent[];
  /** Attempts the simulator made (RotationStarted events). */
  readonly attempts: number;
  /** Attempts that failed (RotationFailed events). */
  readonly failedAttempts: number;
  readonly converged: boolean;
  readonly stages: Stages;
  /** Staging-label invariant violations at the end (empty when it holds). */
  readonly labelProblems: readonly string[];
  /** The Secrets Manager calls the rotation made, by operation and order (the RotateSecret that started it excluded). */
  readonly apiCalls: ReadonlyArray<{ readonly operation: string; readonly nth: number }>;
}

/** RotateSecret with `functionArn` (after `arm`, which injects a fault), then waits until the simulator is idle. */
export async function rotateAndWait(
  sim: SecretsManagerSimulator,
  client: SecretsManagerClient,
  secretArn: string,
  functionArn: string,
  arm: () => void = () => undefined,
): Promise<RotationRun> {
  const first = sim.events.length;
  const mark = sim.apiCallMark();
  arm();
  const { VersionId } = await client.send(new RotateSecretCommand({ SecretId: secretArn, RotationLambdaARN: functionArn }));
  await sim.waitForIdle();
  const apiCalls = numberCalls(sim.apiCallLog({ since: mark }).map((call) => call.operation).filter((operation) => operation !== 'RotateSecret'));
  const token = VersionId!;
  const events = sim.events.slice(first).filter((event) => event.secretArn === secretArn && event.token === token);
  const stages = await stagesOf(client, secretArn);
  return {
    token,
    events,
    attempts: events.filter((event) => event.type === 'RotationStarted').length,
    failedAttempts: events.filter((event) => event.type === 'RotationFailed').length,
    converged: events.some((event) => event.type === 'RotationSucceeded') && stages[token]?.includes('AWSCURRENT') === true,
    stages,
    labelProblems: labelProblems(stages),
    apiCalls,
  };
}

/** Numbers each call within its operation: the `nth` the fault hooks take. */
function numberCalls(operations: readonly string[]): Array<{ operation: string; nth: number }> {
  const seen: Record<string, number> = {};
  return operations.map((operation) => {
    seen[operation] = (seen[operation] ?? 0) + 1;
    return { operation, nth: seen[operation] };
  });
}

/** Totals over the trials of one suite, and a line for every trial that broke an invariant. */
export class TrialTally {
  public boundaries = 0;
  public trials = 0;
  /** Trials whose injected fault struck. */
  public faultsFired = 0;
  /** Trials in which at least one attempt failed (the fault was not absorbed within the step). */
  public failedAttempts = 0;
  public converged = 0;
  public lostCredentials = 0;
  public lostPrivileges = 0;

  public readonly violations: string[] = [];

  /** Counts one trial and keeps a line for every invariant it broke. */
  public record(
    trial: string,
    run: RotationRun,
    checks: { faultFired: boolean; credentialsLost?: boolean; privilegesLost?: boolean; problems?: string[] },
  ): void {
    this.trials += 1;
    if (checks.faultFired) this.faultsFired += 1;
    if (run.failedAttempts > 0) this.failedAttempts += 1;
    if (run.converged) this.converged += 1;
    if (checks.credentialsLost) this.lostCredentials += 1;
    if (checks.privilegesLost) this.lostPrivileges += 1;
    const problems = [
      ...checks.faultFired ? [] : ['the injected fault never struck'],
      ...checks.credentialsLost ? ['no staged version logs in: credentials lost'] : [],
      ...run.converged ? [] : [`did not converge in ${run.attempts} attempts (${lastError(run)})`],
      ...run.labelProblems,
      ...unfinishedSuccesses(run),
      ...checks.privilegesLost ? ['AWSCURRENT logs in but cannot read the application table: privileges lost'] : [],
      ...checks.problems ?? [],
    ];
    if (problems.length > 0) this.violations.push(`${trial}: ${problems.join('; ')}`);
  }

  public figures(): Record<string, number> {
    return {
      boundaries: this.boundaries,
      trials: this.trials,
      faultsFired: this.faultsFired,
      attemptsFailed: this.failedAttempts,
      converged: this.converged,
      lostCredentials: this.lostCredentials,
      lostPrivileges: this.lostPrivileges,
    };
  }
}

/**
 * Attempts in which every step reported success though AWSCURRENT did not end on the new version: a step that hides
 * its failure. Secrets Manager's retry may still finish the rotation, so converging alone does not rule it out.
 */
function unfinishedSuccesses(run: RotationRun): string[] {
  return run.events
    .filter((event) => event.type === 'RotationFailed' && event.error?.type === 'RotationIncomplete')
    .map((event) => `attempt ${event.attempt}: every step reported success, but AWSCURRENT was not on the new version`);
}

function lastError(run: RotationRun): string {
  const failed = [...run.events].reverse().find((event) => event.type === 'RotationFailed');
  return failed ? `last failure in ${failed.step}: ${failed.error?.message}` : 'no failure recorded';
}
