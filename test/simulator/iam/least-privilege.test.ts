import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetSecretValueCommand, RotateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { App } from 'aws-cdk-lib';
import { ScenarioEnvironment } from '../../../bench/least-privilege/environment';
import { policyStatements, statementShape, Template, withStatements } from '../../../bench/least-privilege/policy-elements';
import { runScenario, SynthesizedScenario, synthesizeScenario } from '../../../bench/least-privilege/run-scenario';
import { OTHER_SECRET_NAME, ScenarioRun, SCENARIOS } from '../../../bench/least-privilege/scenarios';
import { ExampleStack } from '../../../examples/example-stack';

/**
 * The constructs through the local deployer with IAM enforced: each scenario's rotation and check pass with the
 * synthesized policies, nothing is denied, every wrong caller is kept out (and answered as AWS answers it), a broken
 * policy makes the scenario fail, and the scenarios hold every kind of statement the example app synthesizes.
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

test('wrong callers of a deployed stack are answered as AWS answers them: AccessDeniedException, naming the caller and the action', async () => {
  // What each wrong caller was answered, and what AWS answers it (known only once the stack's names are).
  const answers: Record<string, unknown> = {};
  const expected: Record<string, unknown> = {};
  const inspect = async (run: ScenarioRun) => {
    const role = (rolePath: string) => `arn:aws:iam::${run.sim.accountId}:role/${run.physicalId('AWS::IAM::Role', rolePath)}`;
    const session = (rolePath: string) => `arn:aws:sts::${run.sim.accountId}:assumed-role/${run.physicalId('AWS::IAM::Role', rolePath)}/wrong-caller`;
    const secretsManagerAs = (arn: string) => new SecretsManagerClient({ ...run.sim.clientConfig(), credentials: run.sim.iam.credentialsFor(arn, 'wrong-caller'), maxAttempts: 1 });
    const rotationFunction = run.physicalId('AWS::Lambda::Function', 'GenericRotation/Resource/Resource');
    const functionArn = `arn:aws:lambda:${run.sim.region}:${run.sim.accountId}:function:${rotationFunction}`;
    const refusal = async (call: Promise<unknown>) => call.then(() => 'allowed', (error) => ({ name: error.name, message: error.message }));

    const rotation = secretsManagerAs(role('GenericRotation/Role'));
    answers.rotationFunctionReadsAnotherSecret = await refusal(rotation.send(new GetSecretValueCommand({ SecretId: OTHER_SECRET_NAME })));
    expected.rotationFunctionReadsAnotherSecret = {
      name: 'AccessDeniedException',
      message: `User: ${session('GenericRotation/Role')} is not authorized to perform: secretsmanager:GetSecretValue on resource: ${OTHER_SECRET_NAME} `
        + 'because no identity-based policy allows the secretsmanager:GetSecretValue action',
    };
    const check = secretsManagerAs(role('RotationCheck/Role'));
    answers.checkRotatesAnotherSecret = await refusal(check.send(new RotateSecretCommand({
      SecretId: OTHER_SECRET_NAME, RotationLambdaARN: functionArn, RotateImmediately: false,
    })));
    expected.checkRotatesAnotherSecret = {
      name: 'AccessDeniedException',
      message: `User: ${session('RotationCheck/Role')} is not authorized to perform: secretsmanager:RotateSecret on resource: ${OTHER_SECRET_NAME} `
        + 'because no identity-based policy allows the secretsmanager:RotateSecret action',
    };
    // A role of another account, allowed everything by its own account: the function's policy does not name it.
    const outsider = 'arn:aws:iam::210987654321:role/outsider';
    run.sim.iam.putIdentity(outsider, [{ name: 'everything', document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } }]);
    const lambda = new LambdaClient({ ...run.sim.clientConfig(), credentials: run.sim.iam.credentialsFor(outsider, 'wrong-caller'), maxAttempts: 1 });
    answers.invokeFromAnotherAccount = await refusal(lambda.send(new InvokeCommand({ FunctionName: functionArn, Payload: '{}' })));
    expected.invokeFromAnotherAccount = {
      name: 'AccessDeniedException',
      message: `User: arn:aws:sts::210987654321:assumed-role/outsider/wrong-caller is not authorized to perform: lambda:InvokeFunction on resource: ${functionArn} `
        + 'because no resource-based policy allows the lambda:InvokeFunction action',
    };
    for (const client of [rotation, check, lambda]) client.destroy();
  };

  const outcome = await runScenario(await scenario('one-secret'), undefined, inspect);

  expect(outcome.failure).toBeUndefined();
  expect(Object.keys(expected)).toHaveLength(3);
  expect(answers).toEqual(expected);
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
  // The rollback's check waits out one rotation-function timeout before it asks the database again.
}, 600_000);

test('the scenarios grant every kind of statement the example app\'s constructs synthesize (so the report covers them)', async () => {
  const shapes = (template: Template) => policyStatements(template).map(statementShape);
  const covered = new Set<string>();
  for (const { name } of SCENARIOS) shapes((await scenario(name)).template).forEach((shape) => covered.add(shape));
  const example = new Set<string>();
  for (const revised of [false, true]) {
    const app = new App({ context: { 'aws:cdk:enable-path-metadata': true } });
    const stack = new ExampleStack(app, 'RotatingSecretsExample', { revised });
    shapes(app.synth().getStackByName(stack.stackName).template).forEach((shape) => example.add(shape));
  }
  expect(example.size).toBeGreaterThan(10);
  expect([...example].filter((shape) => !covered.has(shape))).toEqual([]);
});
