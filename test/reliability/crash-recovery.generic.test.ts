import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SecretsManagerSimulator } from '../../simulator';
import { randomPassword } from './support/databases';
import { reportFigures } from './support/figures';
import { LeakAudit } from './support/leaks';
import { valueAt } from './support/secrets';
import { createSecret, functionArn, GENERIC_ASSET, logGroupOf, startSimulator } from './support/simulator';
import { rotateAndWait, TrialTally } from './support/trials';
import { rotationEnvironment } from '../support/strategies';

/**
 * Crash recovery of the generic strategy, as shipped (the bundled asset in child processes): the rotation is
 * crashed at every Secrets Manager call of every step, before the call is applied (failCall) and after it is
 * applied but before its answer arrives (dropResponse), and Secrets Manager's retry (same token) must finish it.
 * AWS_MAX_ATTEMPTS=1 keeps the SDK from retrying the call itself, so each fault fails the step.
 */

// Trials are bounded, but a loaded CI machine may need more than the default 60 s for one test.
jest.setTimeout(180_000);

const MODES = [
  { name: 'plain', functionArn: functionArn('generic-plain'), environment: rotationEnvironment('generic'), initial: `initial-api-key-${randomPassword()}` },
  {
    name: 'json',
    functionArn: functionArn('generic-json'),
    environment: rotationEnvironment('generic', { generateStringKey: 'password' }),
    initial: JSON.stringify({ username: 'reporting', password: `initial-${randomPassword()}` }),
  },
] as const;

let sim: SecretsManagerSimulator;
let client: SecretsManagerClient;
const secrets: string[] = [];
const tally = new TrialTally();

beforeAll(async () => {
  ({ sim, client } = await startSimulator({ maxRotationAttempts: 3 }));
  for (const mode of MODES) {
    sim.registerFunction(mode.functionArn, {
      assetDir: GENERIC_ASSET,
      environment: { AWS_MAX_ATTEMPTS: '1', ...mode.environment },
      timeoutSeconds: 30,
    });
  }
});

afterAll(async () => {
  client?.destroy();
  await sim?.stop();
});

/** The password a value carries: the whole string, or the `password` field in JSON mode. */
function passwordOf(mode: typeof MODES[number], value: string | undefined): string | undefined {
  if (value === undefined || mode.name === 'plain') return value;
  return JSON.parse(value).password;
}

describe.each(MODES)('generic strategy ($name)', (mode) => {
  test('a crash at every API-call boundary of every step: each rotation converges on retry, with the invariant', async () => {
    // A clean rotation first, to enumerate the calls a rotation makes.
    const cleanArn = await createSecret(client, `generic-${mode.name}`, mode.initial);
    secrets.push(cleanArn);
    const clean = await rotateAndWait(sim, client, cleanArn, mode.functionArn);
    expect(clean).toMatchObject({ converged: true, attempts: 1, labelProblems: [] });
    const calls = clean.apiCalls;
    expect(new Set(calls.map((call) => call.operation))).toEqual(new Set(['DescribeSecret', 'GetSecretValue', 'PutSecretValue', 'UpdateSecretVersionStage']));

    for (const call of calls) {
      for (const kind of ['failCall', 'dropResponse'] as const) {
        tally.boundaries += 1;
        const arn = await createSecret(client, `generic-${mode.name}`, mode.initial);
        secrets.push(arn);
        const run = await rotateAndWait(sim, client, arn, mode.functionArn, () => {
          sim.faults.clear();
          if (kind === 'failCall') sim.faults.failCall(call.operation, { nth: call.nth });
          else sim.faults.dropResponse(call.operation, { nth: call.nth });
        });
        const current = await valueAt(client, arn, 'AWSCURRENT');
        const password = passwordOf(mode, current);
        const problems: string[] = [];
        if (!password || password.length !== 32) problems.push('AWSCURRENT does not hold a new 32-character password');
        if (current === mode.initial) problems.push('AWSCURRENT still holds the initial value');
        if (await valueAt(client, arn, 'AWSPREVIOUS') !== mode.initial) problems.push('AWSPREVIOUS is not the initial value');
        tally.record(`${mode.name} ${kind} ${call.operation} #${call.nth}`, run, { faultFired: sim.faults.pending === 0, problems });
      }
    }
    sim.faults.clear();
  });
});

test('the trials kept every invariant, and no secret value reached a log line or an error', async () => {
  const audit = new LeakAudit();
  await audit.addStoredValues(client, secrets);
  audit.addSimulatorOutput(sim, MODES.map((mode) => logGroupOf(mode.functionArn)));
  const leaks = audit.hits();
  reportFigures('crash-recovery generic', { ...tally.figures(), secretsAudited: audit.secretCount, textsAudited: audit.textCount, leakHits: leaks.length });

  expect(tally.violations).toEqual([]);
  expect(tally.trials).toBe(tally.boundaries);
  expect(tally.converged).toBe(tally.trials);
  expect(leaks).toEqual([]);
});
