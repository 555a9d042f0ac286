import {
  CancelRotateSecretCommand, GetSecretValueCommand, PutSecretValueCommand, RotateSecretCommand, SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import * as fc from 'fast-check';
import type { RotationServiceEvent, SecretsManagerSimulator } from '../../simulator';
import { randomPassword } from './support/databases';
import { reportFigures } from './support/figures';
import { LeakAudit } from './support/leaks';
import { InProcessRotation, registerInProcessRotation, StepEvent } from './support/rotation-function';
import { LABELS, Stages, stagesOf, valueAt, versionWith } from './support/secrets';
import { createSecret, startSimulator } from './support/simulator';
import { genericStrategy } from '../support/strategies';

/**
 * Random sequences of what happens to a rotating secret: RotateSecret, steps of the rotation function failing
 * (before or after doing their work, once or more often than Secrets Manager retries), the clock moving on
 * (scheduled rotations, and re-attempts of given-up ones), manual PutSecretValue (new values and old ones put
 * back), CancelRotateSecret, and an operator removing a stale AWSPENDING. The invariants are checked after
 * every action, once the simulator is idle. The rotation function is the real generic strategy and engine.
 */

// Trials are bounded, but a loaded CI machine may need more than the default 60 s for one test.
jest.setTimeout(180_000);

const STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;
type Step = typeof STEPS[number];

type Action =
  | { readonly kind: 'rotate' }
  | { readonly kind: 'fail'; readonly step: Step; readonly when: 'before' | 'after'; readonly times: number }
  | { readonly kind: 'advance'; readonly hours: number }
  | { readonly kind: 'put'; readonly restore: boolean }
  | { readonly kind: 'cancel' }
  | { readonly kind: 'repair' };

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ kind: 'rotate' as const }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('fail' as const), step: fc.constantFrom(...STEPS), when: fc.constantFrom('before' as const, 'after' as const), times: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('advance' as const), hours: fc.constantFrom(1, 12, 30, 75) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('put' as const), restore: fc.boolean() }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'cancel' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'repair' as const }) },
);

const MAX_ATTEMPTS = 2;
const NUM_RUNS = 100;

let sim: SecretsManagerSimulator;
let client: SecretsManagerClient;
let fn: InProcessRotation;
const secrets: string[] = [];
/** Injected step failures still to happen for the secret of the current run: step to how and how many times. */
const armed = new Map<Step, { when: 'before' | 'after'; remaining: number }>();
let runSecret = '';
const counts = { propertyRuns: 0, actions: 0, invariantChecks: 0, rotationsSucceeded: 0, rotationsGivenUp: 0 };
const figures = { ...counts, injectedFailures: 0, manualPuts: 0, cancels: 0, repairs: 0 };

function injectFailure(event: StepEvent, when: 'before' | 'after'): void {
  const failure = armed.get(event.Step as Step);
  if (event.SecretId !== runSecret || !failure || failure.when !== when || failure.remaining === 0) return;
  failure.remaining -= 1;
  figures.injectedFailures += 1;
  throw new Error(`injected failure ${when} ${event.Step}`);
}

beforeAll(async () => {
  ({ sim, client } = await startSimulator({ maxRotationAttempts: MAX_ATTEMPTS }));
  fn = registerInProcessRotation(sim, {
    name: 'generic-property',
    strategy: 'generic',
    service: () => genericStrategy(),
    beforeStep: (event) => injectFailure(event, 'before'),
    afterStep: (event) => injectFailure(event, 'after'),
  });
});

afterAll(async () => {
  fn?.destroy();
  client?.destroy();
  await sim?.stop();
});

/** What the test knows about one secret between actions. */
interface Model {
  readonly arn: string;
  /** Every value ever AWSCURRENT or put by hand: a rotation must never produce one of them again. */
  readonly seen: Set<string>;
  /** The value each rotation's version holds, by token, once createSecret stored it. */
  readonly produced: Map<string, string>;
  /** Values that AWSCURRENT held and lost, which a manual put may restore. */
  readonly replaced: string[];
  currentVersion: string;
  currentValue: string;
  configured: boolean;
  eventIndex: number;
}

async function attempt<T>(call: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: Error }> {
  try {
    return { ok: true, value: await call() };
  } catch (error) {
    return { ok: false, error: error as Error };
  }
}

/** A stale AWSPENDING: on a version other than AWSCURRENT's. */
function stalePending(stages: Stages): string | undefined {
  const pending = versionWith(stages, 'AWSPENDING');
  return pending !== undefined && pending !== versionWith(stages, 'AWSCURRENT') ? pending : undefined;
}

/** Runs one action; returns the value it put by hand, if any. */
async function apply(model: Model, step: Action, before: Stages): Promise<string | undefined> {
  switch (step.kind) {
    case 'rotate': {
      const result = await attempt(() => client.send(new RotateSecretCommand({
        SecretId: model.arn, RotationLambdaARN: fn.arn, RotationRules: { AutomaticallyAfterDays: 1 },
      })));
      // Refused exactly when an earlier rotation left AWSPENDING on another version than AWSCURRENT's.
      const stale = stalePending(before);
      expect(result.ok ? undefined : result.error.message).toBe(stale ? "A previous rotation isn't complete. That rotation will be reattempted." : undefined);
      model.configured = true;
      return undefined;
    }
    case 'fail':
      armed.set(step.step, { when: step.when, remaining: step.times });
      return undefined;
    case 'advance':
      await sim.clock.advance(step.hours * 3600_000);
      return undefined;
    case 'put': {
      figures.manualPuts += 1;
      const value = step.restore && model.replaced.length > 0 ? model.replaced[0] : `manual-${randomPassword()}`;
      await client.send(new PutSecretValueCommand({ SecretId: model.arn, SecretString: value }));
      return value;
    }
    case 'cancel': {
      figures.cancels += 1;
      const result = await attempt(() => client.send(new CancelRotateSecretCommand({ SecretId: model.arn })));
      // Refused only when rotation was never configured.
      expect(result.ok).toBe(model.configured);
      return undefined;
    }
    case 'repair': {
      const stale = stalePending(before);
      if (stale) {
        figures.repairs += 1;
        await client.send(new UpdateSecretVersionStageCommand({ SecretId: model.arn, VersionStage: 'AWSPENDING', RemoveFromVersionId: stale }));
      }
      return undefined;
    }
  }
}

/** A version's value, or undefined for the value-less placeholder. */
async function valueOf(arn: string, versionId: string): Promise<string | undefined> {
  const result = await attempt(() => client.send(new GetSecretValueCommand({ SecretId: arn, VersionId: versionId })));
  return result.ok ? result.value.SecretString : undefined;
}

/** The invariants, checked once the simulator is idle after an action. */
async function checkInvariants(model: Model, put: string | undefined): Promise<void> {
  figures.invariantChecks += 1;
  const stages = await stagesOf(client, model.arn);
  const events: RotationServiceEvent[] = sim.events.slice(model.eventIndex).filter((event) => event.secretArn === model.arn);
  model.eventIndex = sim.events.length;
  figures.rotationsSucceeded += events.filter((event) => event.type === 'RotationSucceeded').length;
  figures.rotationsGivenUp += events.filter((event) => event.type === 'RotationFailed' && event.final).length;

  // A label is on at most one version, and AWSCURRENT always holds a value.
  for (const label of LABELS) expect(Object.keys(stages).filter((id) => stages[id].includes(label)).length).toBeLessThanOrEqual(1);
  const currentVersion = versionWith(stages, 'AWSCURRENT');
  const currentValue = await valueAt(client, model.arn, 'AWSCURRENT');
  expect(currentVersion).toBeDefined();
  expect(currentValue).toBeTruthy();

  // Every failure is one the test injected: the protocol itself never fails in these sequences.
  for (const failure of events.filter((event) => event.type === 'RotationFailed')) {
    expect(failure.error?.message).toMatch(/^injected failure (before|after) \w+$/);
  }

  // The values rotations stored: each new one never seen before and of the policy's shape, and a stored pending
  // value never replaced (a re-attempt, even an action later, keeps it).
  for (const token of new Set(events.map((event) => event.token))) {
    const value = await valueOf(model.arn, token);
    if (value === undefined) continue;
    const known = model.produced.get(token);
    if (known !== undefined) {
      expect(value).toBe(known);
      continue;
    }
    expect(model.seen.has(value)).toBe(false);
    expect([...model.produced.values()]).not.toContain(value);
    expect(value).toHaveLength(32);
    model.produced.set(token, value);
  }

  if (put !== undefined) {
    // A manual put becomes AWSCURRENT and ends any rotation: no AWSPENDING is left.
    expect(currentValue).toBe(put);
    expect(versionWith(stages, 'AWSPENDING')).toBeUndefined();
  } else if (currentVersion !== model.currentVersion) {
    // Only a rotation of this action moved AWSCURRENT, to the value it stored; AWSPREVIOUS holds a value that
    // was current before, or that a rotation of this action stored.
    expect(events.map((event) => event.token)).toContain(currentVersion);
    expect(currentValue).toBe(model.produced.get(currentVersion!));
    const previous = await valueOf(model.arn, versionWith(stages, 'AWSPREVIOUS')!);
    expect(model.seen.has(previous!) || [...model.produced.values()].includes(previous!)).toBe(true);
  } else {
    expect(currentValue).toBe(model.currentValue);
  }

  // Idle: AWSPENDING is absent or on AWSCURRENT's version, unless a rotation gave up (or failed after its
  // finishSecret) and left it on its own, never-current version, for the schedule to re-attempt.
  const stale = stalePending(stages);
  if (stale) {
    const last = sim.events.filter((event) => event.secretArn === model.arn && event.token === stale).pop();
    expect(last).toMatchObject({ type: 'RotationFailed', final: true });
    expect(model.seen.has(await valueOf(model.arn, stale) ?? '')).toBe(false);
  }

  if (currentVersion !== model.currentVersion && currentValue !== model.currentValue) model.replaced.push(model.currentValue);
  model.seen.add(currentValue!);
  model.currentVersion = currentVersion!;
  model.currentValue = currentValue!;
}

test('random sequences of rotations, failures, retries, manual changes, cancellations and clock moves keep the invariants', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 12 }), async (actions) => {
      figures.propertyRuns += 1;
      armed.clear();
      const initial = `initial-${randomPassword()}`;
      const arn = await createSecret(client, 'property', initial);
      secrets.push(arn);
      runSecret = arn;
      const model: Model = {
        arn,
        seen: new Set([initial]),
        produced: new Map(),
        replaced: [],
        currentVersion: versionWith(await stagesOf(client, arn), 'AWSCURRENT')!,
        currentValue: initial,
        configured: false,
        eventIndex: sim.events.length,
      };
      try {
        for (const step of actions) {
          figures.actions += 1;
          const before = await stagesOf(client, arn);
          const put = await apply(model, step, before);
          await sim.waitForIdle();
          await checkInvariants(model, put);
        }
      } finally {
        // Later runs move the clock on: this secret must not keep rotating on its schedule meanwhile.
        if (model.configured) await client.send(new CancelRotateSecretCommand({ SecretId: arn }));
      }
    }),
    { numRuns: NUM_RUNS },
  );
});

test('figures, and no secret value in any log line or error of these rotations', async () => {
  const audit = new LeakAudit();
  await audit.addStoredValues(client, secrets);
  audit.addSimulatorOutput(sim, [fn.logGroup]);
  const leaks = audit.hits();
  reportFigures('property: rotation sequences', { ...figures, secretsAudited: audit.secretCount, textsAudited: audit.textCount, leakHits: leaks.length });
  expect(figures.propertyRuns).toBeGreaterThanOrEqual(NUM_RUNS);
  expect(leaks).toEqual([]);
});
