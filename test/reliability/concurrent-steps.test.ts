import { randomUUID } from 'node:crypto';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { InvokeResult, SecretsManagerSimulator } from '../../simulator';
import { DatabaseFixtures, familyOf, startDatabaseFixtures } from './support/database-fixtures';
import { DatabaseStrategyName, isAlternating } from './support/databases';
import { reportFigures } from './support/figures';
import { LeakAudit } from './support/leaks';
import { labelProblems, stagesOf, valueAt, versionWith } from './support/secrets';
import { createSecret, DATABASE_ASSET, functionArn, GENERIC_ASSET, logGroupOf, parkedRotation } from './support/simulator';
import { rotationEnvironment } from '../support/strategies';

/**
 * Duplicate and concurrent invocations of the shipped rotation functions (the bundled assets, each invocation
 * in its own warm child process, so they really run at once) with the same token, against the simulator and
 * real databases. RotateSecret names a function that fails at once, which leaves the AWSPENDING placeholder for the
 * test to drive the steps itself.
 */

// Trials are bounded, but a loaded CI machine may need more than the default 60 s for one test.
jest.setTimeout(180_000);

type StrategyName = 'generic' | DatabaseStrategyName;
const STRATEGIES: readonly StrategyName[] = [
  'generic', 'postgres-single-user', 'postgres-alternating-users', 'mysql-single-user', 'mysql-alternating-users',
];
const STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;

/**
 * Errors a concurrent invocation may surface, each with why it is harmless: the step fails, the invocation that
 * won has done the work, and the retried step finds the pending password working. Any other error fails the test,
 * and whatever the errors, the end state must be the one a single rotation reaches.
 */
const BENIGN_ERRORS: ReadonlyArray<{ readonly strategies: readonly StrategyName[]; readonly pattern: RegExp; readonly why: string }> = [
  {
    strategies: ['postgres-single-user', 'postgres-alternating-users'],
    pattern: /^RotationError: setSecret failed for secret \S+ \(token [\w-]+\): DatabaseQueryError: tuple concurrently updated \(XX000\)$/,
    why: 'PostgreSQL refuses the second of two concurrent ALTER USER of one role; the first sets the same password',
  },
  {
    strategies: ['postgres-single-user', 'mysql-single-user'],
    pattern: /^RotationError: setSecret failed for secret \S+ \(token [\w-]+\): Unable to log into database with previous, current, or pending secret \(pending: [^;]*(28P01|ER_ACCESS_DENIED_ERROR)\); current: [^;]*(28P01|ER_ACCESS_DENIED_ERROR)\)(; previous: [^;]*(28P01|ER_ACCESS_DENIED_ERROR)\))?\)$/,
    why: 'another invocation changed the password between this one\'s pending login (too early) and its current login (too late); '
      + 'when that invocation has also finished, AWSPREVIOUS holds the replaced password, refused too',
  },
];

let fixtures: DatabaseFixtures;
let sim: SecretsManagerSimulator;
let client: SecretsManagerClient;
let servers: DatabaseFixtures['servers'];
let masters: DatabaseFixtures['masters'];
const secrets: string[] = [];
const audit = new LeakAudit();
const figures = { scenarios: 0, invocations: 0, concurrentInvocations: 0, errors: 0, benignErrors: 0 };

beforeAll(async () => {
  fixtures = await startDatabaseFixtures();
  ({ sim, client, servers, masters } = fixtures);
  secrets.push(masters.postgres, masters.mysql);
  for (const strategy of STRATEGIES) {
    sim.registerFunction(functionArn(strategy), {
      assetDir: strategy === 'generic' ? GENERIC_ASSET : DATABASE_ASSET,
      environment: rotationEnvironment(strategy),
      timeoutSeconds: 30,
    });
  }
}, 60_000);

afterAll(async () => {
  await fixtures?.stop();
});


/** A secret for `strategy` (and its database user), with its initial value. */
async function newSecret(strategy: StrategyName): Promise<{ arn: string; initial: string }> {
  let initial = `initial-api-key-${randomUUID()}`;
  if (strategy !== 'generic') {
    const family = familyOf(strategy);
    initial = (await servers[family].createUser(isAlternating(strategy) ? { masterarn: masters[family] } : {})).secretValue;
  }
  const arn = await createSecret(client, strategy, initial);
  secrets.push(arn);
  return { arn, initial };
}

/** Invokes the shipped function once per event, all at once, and keeps every error. */
async function invokeAll(strategy: StrategyName, events: ReadonlyArray<Record<string, string>>, concurrent = events.length > 1): Promise<string[]> {
  const results: InvokeResult[] = await Promise.all(events.map((event) => sim.invokeFunction(functionArn(strategy), event)));
  figures.invocations += results.length;
  if (concurrent) figures.concurrentInvocations += results.length;
  const errors: string[] = [];
  for (const result of results) {
    audit.addInvokeResult(`invocation of ${strategy}`, result);
    if (!result.ok) errors.push(`${result.errorType}: ${result.errorMessage}`);
  }
  return errors;
}

/** The errors no entry of BENIGN_ERRORS explains for this strategy. */
function unexplained(strategy: StrategyName, errors: readonly string[]): string[] {
  figures.errors += errors.length;
  const benign = BENIGN_ERRORS.filter((entry) => entry.strategies.includes(strategy));
  const rest = errors.filter((error) => !benign.some(({ pattern }) => pattern.test(error)));
  figures.benignErrors += errors.length - rest.length;
  return rest;
}

/** The end state one clean rotation reaches: the token AWSCURRENT, the initial value AWSPREVIOUS, all of it working. */
async function expectRotated(strategy: StrategyName, arn: string, initial: string, token: string): Promise<void> {
  const stages = await stagesOf(client, arn);
  expect(labelProblems(stages)).toEqual([]);
  expect(versionWith(stages, 'AWSCURRENT')).toBe(token);
  expect(await valueAt(client, arn, 'AWSPREVIOUS')).toBe(initial);
  const current = await valueAt(client, arn, 'AWSCURRENT');
  expect(current).not.toBe(initial);
  if (strategy === 'generic') {
    expect(current).toHaveLength(32);
    return;
  }
  const server = servers[familyOf(strategy)];
  const access = async (value: string) => server.access(JSON.parse(value).username, JSON.parse(value).password);
  expect(await access(current!)).toBe('works');
  // Single user: the old password is gone. Alternating users: the previous user keeps working.
  expect(await access(initial)).toBe(isAlternating(strategy) ? 'works' : 'refused');
}

describe.each(STRATEGIES)('%s', (strategy) => {
  test.each([2, 3, 4])('each step %i times at once, then once more: no unexplained error, one rotation\'s end state', async (copies) => {
    figures.scenarios += 1;
    const { arn, initial } = await newSecret(strategy);
    const token = await parkedRotation(sim, client, arn);
    const event = (step: string) => ({ Step: step, SecretId: arn, ClientRequestToken: token, RotationToken: randomUUID() });

    const errors: string[] = [];
    for (const step of STEPS) {
      errors.push(...await invokeAll(strategy, Array.from({ length: copies }, () => event(step))));
      // The pending value is stored once: every copy of createSecret left the same one.
      if (step === 'createSecret') expect(versionWith(await stagesOf(client, arn), 'AWSPENDING')).toBe(token);
    }
    // Duplicates after the fact, as a late retry delivers them: every step is then a no-op.
    for (const step of STEPS) expect(await invokeAll(strategy, [event(step)])).toEqual([]);

    await expectRotated(strategy, arn, initial, token);
    expect(unexplained(strategy, errors)).toEqual([]);
  });

  test('whole rotations with the same token, three at once (steps of one racing other steps of another)', async () => {
    figures.scenarios += 1;
    const { arn, initial } = await newSecret(strategy);
    const token = await parkedRotation(sim, client, arn);
    const rotation = async () => {
      const errors: string[] = [];
      for (const step of STEPS) {
        const stepErrors = await invokeAll(strategy, [{ Step: step, SecretId: arn, ClientRequestToken: token, RotationToken: randomUUID() }], true);
        errors.push(...stepErrors);
        // Secrets Manager stops a rotation at its first failed step.
        if (stepErrors.length > 0) break;
      }
      return errors;
    };

    const errors = (await Promise.all([rotation(), rotation(), rotation()])).flat();
    // A rotation stopped by a benign error is retried by Secrets Manager: here, once more on its own.
    if (errors.length > 0) expect(await rotation()).toEqual([]);

    await expectRotated(strategy, arn, initial, token);
    expect(unexplained(strategy, errors)).toEqual([]);
  });
});

test('figures, and no secret value in any log line or error of these invocations', async () => {
  await audit.addStoredValues(client, secrets);
  audit.addSimulatorOutput(sim, STRATEGIES.map((strategy) => logGroupOf(functionArn(strategy))));
  const leaks = audit.hits();
  reportFigures('concurrent invocations', { ...figures, secretsAudited: audit.secretCount, textsAudited: audit.textCount, leakHits: leaks.length });
  expect(leaks).toEqual([]);
});
