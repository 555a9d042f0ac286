import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DatabaseCalls, FaultEffect, FaultTiming } from './database-faults';
import { databaseStrategy, DatabaseServer, DatabaseStrategyName, isAlternating, mariaDbServer, postgresServer, redisServer } from './databases';
import { reportFigures } from './figures';
import { LeakAudit } from './leaks';
import { InProcessRotation, registerInProcessRotation } from './rotation-function';
import { valueAt } from './secrets';
import { createSecret, DATABASE_ASSET, functionArn, logGroupOf, startSimulator } from './simulator';
import { RotationRun, rotateAndWait, TrialTally } from './trials';
import type { SecretsManagerSimulator } from '../../../simulator';
import { rotationFunctionTimeoutSeconds } from '../../../src/private/contract';
import { rotationEnvironment } from '../../support/strategies';

const TIMINGS: readonly FaultTiming[] = ['before', 'after'];
const EFFECTS: readonly FaultEffect[] = ['connection-lost', 'crash'];

export type Phase = 'first rotation' | 'later rotation';

/** A database-call boundary of a clean rotation. */
export interface Boundary {
  readonly strategy: DatabaseStrategyName;
  readonly phase: Phase;
  /** The clean rotation's database calls, in order. */
  readonly calls: readonly string[];
  /** Index into `calls` of the call the fault strikes. */
  readonly index: number;
  readonly timing: FaultTiming;
}

/**
 * Crash recovery of one engine's two database strategies against a real server. For each strategy:
 * - every Secrets Manager call of a rotation fails before it is applied (failCall) or loses its answer after
 *   (dropResponse), in the shipped database function (the bundle in a child process, its environment parsed and
 *   its strategy looked up as in Lambda);
 * - every database call (login or statement) of a rotation loses its connection, or crashes the process, before
 *   it runs or after it ran, in the same engine and strategy code run in-process, where the connector can be faulted;
 * and Secrets Manager's retry (same token, up to 3 attempts) must finish the rotation. Alternating users are
 * crashed in their first rotation (which creates the clone) and in a later one (which changes the other user).
 *
 * After every trial: the rotation converged, the labels hold the invariant, AWSCURRENT logs in and reads the
 * application's table (for alternating users AWSPREVIOUS too), and at least one staged version logs in.
 */
export function describeDatabaseCrashRecovery(family: DatabaseServer['family']): void {
  // Trials are bounded, but a loaded CI machine may need more than the default 60 s for one test.
  jest.setTimeout(180_000);
  const strategies: DatabaseStrategyName[] = [`${family}-single-user`, `${family}-alternating-users`];
  let sim: SecretsManagerSimulator;
  let client: SecretsManagerClient;
  let server: DatabaseServer;
  let masterArn: string;
  const calls = new DatabaseCalls();
  const functions = new Map<DatabaseStrategyName, InProcessRotation>();
  const bundledFunctions = new Map(strategies.map((strategy) => [strategy, functionArn(`${strategy}-bundled`)]));
  const secrets: string[] = [];
  const tallies = new Map(strategies.map((strategy) => [strategy, { api: new TrialTally(), database: new TrialTally() }]));

  beforeAll(async () => {
    ({ sim, client } = await startSimulator({ maxRotationAttempts: 3 }));
    server = await { postgres: postgresServer, mysql: mariaDbServer, redis: redisServer }[family]();
    masterArn = await createSecret(client, `${family}-master`, server.masterSecretValue());
    secrets.push(masterArn);
    for (const strategy of strategies) {
      functions.set(strategy, registerInProcessRotation(sim, {
        name: strategy,
        strategy,
        service: (invocation) => databaseStrategy(strategy, calls.engine(server.engine, invocation)),
      }));
      sim.registerFunction(bundledFunctions.get(strategy)!, {
        assetDir: DATABASE_ASSET,
        // One SDK attempt per call, so that an injected API fault fails the step.
        environment: { AWS_MAX_ATTEMPTS: '1', ...rotationEnvironment(strategy) },
        timeoutSeconds: rotationFunctionTimeoutSeconds(strategy),
      });
    }
  }, 60_000);

  afterAll(async () => {
    for (const fn of functions.values()) fn.destroy();
    client?.destroy();
    await sim?.stop();
    await server?.destroy();
  });

  /** A new user and its secret. */
  async function newSecret(strategy: DatabaseStrategyName): Promise<string> {
    const user = await server.createUser(isAlternating(strategy) ? { masterarn: masterArn } : {});
    const arn = await createSecret(client, strategy, user.secretValue);
    secrets.push(arn);
    return arn;
  }

  /** A rotation by the in-process function, or by the shipped bundle. */
  function rotate(strategy: DatabaseStrategyName, arn: string, arm?: () => void, by: 'in-process' | 'bundle' = 'in-process'): Promise<RotationRun> {
    return rotateAndWait(sim, client, arn, by === 'bundle' ? bundledFunctions.get(strategy)! : functions.get(strategy)!.arn, arm);
  }

  /** What the staged versions can do on the server, as problems (empty when all is well). */
  async function credentialChecks(strategy: DatabaseStrategyName, arn: string) {
    const access = async (stage: string) => {
      const value = await valueAt(client, arn, stage);
      if (value === undefined) return undefined;
      const { username, password } = JSON.parse(value);
      return server.access(username, password);
    };
    const current = await access('AWSCURRENT');
    const previous = await access('AWSPREVIOUS');
    const problems: string[] = [];
    if (current !== 'works') problems.push(`AWSCURRENT: ${current ?? 'no value'}`);
    if (isAlternating(strategy) && previous !== 'works') problems.push(`AWSPREVIOUS (the other user): ${previous ?? 'no value'}`);
    return {
      credentialsLost: (current ?? 'refused') === 'refused' && (previous ?? 'refused') === 'refused',
      privilegesLost: current === 'no-privilege',
      problems,
    };
  }

  describe.each(strategies)('%s', (strategy) => {
    test('a crash at every API-call boundary of the shipped function: every rotation converges on retry, and the credentials keep working', async () => {
      const tally = tallies.get(strategy)!.api;
      const clean = await rotate(strategy, await newSecret(strategy), undefined, 'bundle');
      expect(clean).toMatchObject({ converged: true, attempts: 1, labelProblems: [] });
      expect(clean.apiCalls.length).toBeGreaterThanOrEqual(9);

      for (const call of clean.apiCalls) {
        for (const kind of ['failCall', 'dropResponse'] as const) {
          tally.boundaries += 1;
          const arn = await newSecret(strategy);
          const run = await rotate(strategy, arn, () => {
            sim.faults.clear();
            if (kind === 'failCall') sim.faults.failCall(call.operation, { nth: call.nth });
            else sim.faults.dropResponse(call.operation, { nth: call.nth });
          }, 'bundle');
          tally.record(`${kind} ${call.operation} #${call.nth}`, run, { faultFired: sim.faults.pending === 0, ...await credentialChecks(strategy, arn) });
        }
      }
      sim.faults.clear();
      expect(tally.violations).toEqual([]);
      expect(tally.converged).toBe(tally.trials);
    });

    const phases: readonly Phase[] = isAlternating(strategy) ? ['first rotation', 'later rotation'] : ['first rotation'];
    test.each(phases)('a lost connection or a crash at every database-call boundary (%s): every rotation converges, no credential is lost', async (phase) => {
      const tally = tallies.get(strategy)!.database;
      const violationsBefore = tally.violations.length;
      /** A secret ready for the rotation under test: new, or already rotated once. */
      const prepare = async () => {
        const arn = await newSecret(strategy);
        if (phase === 'later rotation') {
          calls.reset();
          expect(await rotate(strategy, arn)).toMatchObject({ converged: true });
        }
        return arn;
      };

      const cleanArn = await prepare();
      calls.reset();
      expect(await rotate(strategy, cleanArn)).toMatchObject({ converged: true, attempts: 1 });
      const cleanCalls = [...calls.calls];
      const descriptions = cleanCalls.map((call) => call.description);
      expect(cleanCalls.length).toBeGreaterThanOrEqual(5);

      for (let index = 0; index < cleanCalls.length; index++) {
        // A call that fails by itself (the login with the pending password before setSecret) has no result to lose.
        for (const timing of cleanCalls[index].succeeded ? TIMINGS : ['before'] as const) {
          tally.boundaries += 1;
          for (const effect of EFFECTS) {
            const arn = await prepare();
            const run = await rotate(strategy, arn, () => calls.reset({ call: index + 1, timing, effect }));
            const trial = `${phase}: ${effect} ${timing} call ${index + 1} (${descriptions[index]})`;
            const checks = { faultFired: calls.faultFired, ...await credentialChecks(strategy, arn) };
            tally.record(trial, run, checks);
          }
        }
      }
      calls.reset();
      expect(tally.violations.slice(violationsBefore)).toEqual([]);
    });
  });

  test('figures, and no secret value in any log line or error of these rotations', async () => {
    const audit = new LeakAudit();
    await audit.addStoredValues(client, secrets);
    audit.addSecret(server.master.password);
    audit.addSimulatorOutput(sim, [...[...functions.values()].map((fn) => fn.logGroup), ...[...bundledFunctions.values()].map(logGroupOf)]);
    const leaks = audit.hits();
    for (const strategy of strategies) {
      const { api, database } = tallies.get(strategy)!;
      reportFigures(`crash-recovery ${strategy}`, {
        apiBoundaries: api.boundaries,
        apiTrials: api.trials,
        databaseBoundaries: database.boundaries,
        databaseTrials: database.trials,
        ...sumFigures(api.figures(), database.figures()),
      });
    }
    reportFigures(`leak audit crash-recovery ${family}`, { secretsAudited: audit.secretCount, textsAudited: audit.textCount, leakHits: leaks.length });
    expect(leaks).toEqual([]);
  });
}

function sumFigures(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.keys(a).map((key) => [key, a[key] + b[key]]));
}
