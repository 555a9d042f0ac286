import { runScenario, SynthesizedScenario, synthesizeScenario } from '../../../bench/least-privilege/run-scenario';
import { withStatements } from '../../../bench/least-privilege/policy-elements';
import { SCENARIOS } from '../../../bench/least-privilege/scenarios';

/**
 * The constructs through the local deployer with IAM enforced: each scenario's rotation and check pass with the
 * synthesized policies, every wrong caller is denied, and a broken policy makes the scenario fail.
 */

const synthesized = new Map<string, SynthesizedScenario>();
async function scenario(name: string): Promise<SynthesizedScenario> {
  if (!synthesized.has(name)) synthesized.set(name, await synthesizeScenario(SCENARIOS.find((s) => s.name === name)!));
  return synthesized.get(name)!;
}

test.each(SCENARIOS.map((s) => s.name))('%s: passes with the constructs\' own policies, and every wrong caller is denied', async (name) => {
  const outcome = await runScenario(await scenario(name));
  expect(outcome.failure).toBeUndefined();
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
  expect((await runScenario(synth, broken)).failure).toMatch(/AccessDeniedException|not authorized|CREATE_FAILED|ROLLBACK/);
});

test('a dropped KMS action (kms:GenerateDataKey) makes the rotation fail', async () => {
  const synth = await scenario('one-secret');
  const broken = withStatements(synth.template, (statement) => {
    if (Array.isArray(statement.Action) && statement.Action.includes('kms:GenerateDataKey')) {
      statement.Action = statement.Action.filter((action: string) => action !== 'kms:GenerateDataKey');
    }
  });
  const outcome = await runScenario(synth, broken);
  expect(outcome.failure).toBeDefined();
  expect(outcome.decisions.some((decision) => decision.action === 'kms:GenerateDataKey' && decision.decision === 'ImplicitlyDenied')).toBe(true);
});
