import { Backend, BackendName, startMotoBackend, startSimulatorBackend } from './backends';
import { MOTO_DEVIATIONS } from './deviations';
import { SCENARIOS } from './scenarios';

const BACKENDS: Record<BackendName, () => Promise<Backend>> = {
  simulator: startSimulatorBackend,
  moto: startMotoBackend,
};

test('every known moto deviation names a scenario', () => {
  const names = new Set(SCENARIOS.map((scenario) => scenario.name));
  expect(Object.keys(MOTO_DEVIATIONS).filter((name) => !names.has(name))).toEqual([]);
});

describe.each(Object.keys(BACKENDS) as BackendName[])('%s', (name) => {
  let backend: Backend;
  beforeAll(async () => {
    backend = await BACKENDS[name]();
  });
  afterAll(async () => {
    await backend?.stop();
  });

  for (const scenario of SCENARIOS) {
    const deviation = name === 'moto' ? MOTO_DEVIATIONS[scenario.name] : undefined;
    if (deviation === undefined) {
      test(scenario.name, () => scenario.run(backend));
    } else {
      // Asserted to deviate, so this list stays honest: once moto answers as AWS does, this test fails.
      test(`${scenario.name} [moto deviates: ${deviation.says}]`, async () => {
        const failure = await scenario.run(backend).then(() => undefined, (error: unknown) => error);
        expect(failure).toBeDefined();
        expect(isAssertionOrServiceError(failure)).toBe(true);
        expect(failureText(failure)).toMatch(deviation.shows);
      });
    }
  }
});

/** A deviation shows as a failed expectation or an unexpected AWS error, not as a broken test harness. */
function isAssertionOrServiceError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && ('matcherResult' in error || '$metadata' in error);
}

/** A failed expectation's message without colours, or an AWS error as `<name> (HTTP <status>): <message>`. */
function failureText(error: unknown): string {
  const failure = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  if ('$metadata' in failure) return `${failure.name} (HTTP ${failure.$metadata?.httpStatusCode}): ${failure.message}`;
  return String(failure.message).replace(/\x1b\[[0-9;]*m/g, '');
}
