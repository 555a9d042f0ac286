import { ScenarioEnvironment } from '../../../bench/least-privilege/environment';
import { withStatements } from '../../../bench/least-privilege/policy-elements';
import { runScenario, SynthesizedScenario, synthesizeScenario } from '../../../bench/least-privilege/run-scenario';
import { SCENARIOS } from '../../../bench/least-privilege/scenarios';

/**
 * The constructs through the local deployer with IAM enforced: each scenario's rotation and check pass with the
 * synthesized policies, nothing is denied, every wrong caller is kept out, and a broken policy makes the scenario fail.
 */

const environment = new ScenarioEnvironment();
afterAll(() => environment.stop());

const synthesized = new Map<string, SynthesizedScenario>();
async function scenario(name: string): Promise<SynthesizedScenario> {
  if (!synthesized.has(name)) synthesized.set(name, await synthesizeScenario(SCENARIOS.find((s) => s.name === name)!, environment));
  return synthesized.get(name)!;
}

/** The actions IAM denied, each once. */
const denials = (decisions: ReadonlyArray<{ decision: string; action: string }>) =>
  [...new Set(decisions.filter((decision) => decision.decision.endsWith('Denied')).map((decision) => decision.action))];

test.each(SCENARIOS.map((s) => s.name))('%s: passes with the constructs\' own policies, nothing denied, every wrong caller kept out', async (name) => {
  const outcome = await runScenario(await scenario(name));
  expect(outcome.failure).toBeUndefined();
  expect(denials(outcome.decisions)).toEqual([]);
  expect(outcome.allowedProbes).toEqual([]);
  expect(outcome.decisions.some((decision) => decision.decision === 'Allowed' && decision.identity?.includes('Rotation'))).toBe(true);
});

test('a misspelled condition key (AllowRotationLambdaArn) makes the rotation fail', async () => {
  const synth = await scenario('one-secret');
  const broken = withStatements(synth.template, (statement) => {
    const equals = statement.Condition?.StringEquals;
    if (equals?.['secretsmanager:resource/AllowRotationLambdaArn'] === undefined) return;
    equals['secretsmanager:resource/AllowRotationLambda'] = equals['secretsmanager:resource/AllowRotationLambdaArn'];
    delete equals['secretsmanager:resource/AllowRotationLambdaArn'];
  });
  const outcome = await runScenario(synth, broken);
  expect(outcome.failure).toMatch(/ROLLBACK_COMPLETE/);
  expect(denials(outcome.decisions)).toContain('secretsmanager:DescribeSecret');
});

test('a dropped KMS action (kms:GenerateDataKey) makes the rotation fail', async () => {
  const synth = await scenario('one-secret');
  const broken = withStatements(synth.template, (statement) => {
    if (Array.isArray(statement.Action) && statement.Action.includes('kms:GenerateDataKey')) {
      statement.Action = statement.Action.filter((action: string) => action !== 'kms:GenerateDataKey');
    }
  });
  const outcome = await runScenario(synth, broken);
  expect(outcome.failure).toMatch(/ROLLBACK_COMPLETE/);
  expect(denials(outcome.decisions)).toEqual(['kms:GenerateDataKey']);
});

test('the master secret imported by name without its `-??????` suffix wildcard makes the rotation fail', async () => {
  const synth = await scenario('postgres-alternating-users');
  let edited = 0;
  const broken = withStatements(synth.template, (statement) => {
    const resource = JSON.stringify(statement.Resource);
    if (!resource.includes('/master-??????')) return;
    statement.Resource = JSON.parse(resource.replace('/master-??????', '/master'));
    edited++;
  });
  expect(edited).toBe(1);
  const outcome = await runScenario(synth, broken);
  expect(outcome.failure).toMatch(/failed in step setSecret/);
  expect(denials(outcome.decisions)).toEqual(['secretsmanager:GetSecretValue']);
});
