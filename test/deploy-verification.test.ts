import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { RotatingSecret, RotationStrategy, Schedule } from '../src';

function newStack(): Stack {
  return new Stack(new App(), 'Stack', { env: { account: '111111111111', region: 'eu-west-1' } });
}

const SECRETS_IN_ACCOUNT = {
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':secretsmanager:eu-west-1:111111111111:secret:*']],
};

function verificationStatements(template: Template) {
  const [role] = Object.values(template.findResources('AWS::IAM::Role', { Properties: { Description: 'Verifies at deploy time that secret rotation works' } }));
  const statements: any[] = role.Properties.Policies.flatMap((p: any) => p.PolicyDocument.Statement);
  // Without the handlers' own log statement, which is the same for every stack.
  return statements.filter((s) => !JSON.stringify(s.Action).includes('logs:CreateLogStream'));
}

describe('deploy-time verification', () => {
  test('each secret gets a check that waits for its schedule; the schedule does not rotate immediately', () => {
    // GIVEN
    const stack = newStack();

    // WHEN
    new RotatingSecret(stack, 'Secret', { verification: { timeout: Duration.minutes(5) } });

    // THEN
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', { RotateImmediatelyOnUpdate: false });
    const scheduleId = Object.keys(template.findResources('AWS::SecretsManager::RotationSchedule'))[0];
    template.hasResource('Custom::RotationCheck', {
      Properties: {
        ServiceToken: Match.anyValue(),
        SecretArn: { Ref: 'SecretFDB41899' },
        RotationFingerprint: Match.stringLikeRegexp('^[0-9a-f]{16}$'),
        TimeoutSeconds: '300',
        RotationLogGroup: { Ref: Match.stringLikeRegexp('Logs') },
      },
      DependsOn: [scheduleId],
    });
  });

  test('defaults are left out of the check\'s properties (the handler applies them)', () => {
    const stack = newStack();
    new RotatingSecret(stack, 'Secret');

    const [check] = Object.values(Template.fromStack(stack).findResources('Custom::RotationCheck'));
    expect(Object.keys(check.Properties).sort()).toEqual(['RotationFingerprint', 'RotationLogGroup', 'SecretArn', 'ServiceToken']);
  });

  test('with verifyOnDeploy: false CloudFormation rotates immediately and there is no check', () => {
    const stack = newStack();
    new RotatingSecret(stack, 'Secret', { verifyOnDeploy: false });

    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', { RotateImmediatelyOnUpdate: true });
    template.resourceCountIs('Custom::RotationCheck', 0);
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 0);
  });

  test('a stack with 20 rotating secrets has exactly one verification provider', () => {
    const stack = newStack();
    for (let i = 0; i < 20; i++) new RotatingSecret(stack, `Secret${i}`);

    const template = Template.fromStack(stack);
    template.resourceCountIs('Custom::RotationCheck', 20);
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    const tokens = new Set(Object.values(template.findResources('Custom::RotationCheck')).map((r) => JSON.stringify(r.Properties.ServiceToken)));
    expect(tokens.size).toBe(1);
  });

  test('the poll interval sets the provider\'s query interval; a different one gets its own provider', () => {
    const stack = newStack();
    new RotatingSecret(stack, 'Default');
    new RotatingSecret(stack, 'Slow', { verification: { pollInterval: Duration.seconds(30) } });

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 2);
    const definitions = Object.values(template.findResources('AWS::StepFunctions::StateMachine')).map((r) => JSON.stringify(r.Properties.DefinitionString));
    expect(definitions.some((d) => d.includes('\\"IntervalSeconds\\":10'))).toBe(true);
    expect(definitions.some((d) => d.includes('\\"IntervalSeconds\\":30'))).toBe(true);
  });

  test('the fingerprint changes with the schedule, the window and the strategy, not with unrelated props', () => {
    const fingerprint = (props: ConstructorParameters<typeof RotatingSecret>[2]) => {
      const stack = newStack();
      new RotatingSecret(stack, 'Secret', props);
      return Object.values(Template.fromStack(stack).findResources('Custom::RotationCheck'))[0].Properties.RotationFingerprint;
    };
    const base = fingerprint({});
    expect(fingerprint({ description: 'changed' })).toBe(base);
    expect(fingerprint({ schedule: Schedule.rate(Duration.days(7)) })).not.toBe(base);
    expect(fingerprint({ window: Duration.hours(3) })).not.toBe(base);
    expect(fingerprint({ strategy: RotationStrategy.randomPassword({ passwordLength: 40 }) })).not.toBe(base);
  });

  test('the verifier may rotate, describe and list versions of only the stack\'s rotated secrets, invoke their functions and read their logs', () => {
    const stack = newStack();
    new RotatingSecret(stack, 'A');
    new RotatingSecret(stack, 'B', { strategy: RotationStrategy.randomPassword({ passwordLength: 20 }) });

    const template = Template.fromStack(stack);
    const functions = Object.keys(template.findResources('AWS::Lambda::Function', { Properties: { Handler: 'index.handler' } }));
    const logGroups = functions.map((id) => template.toJSON().Resources[id].Properties.LoggingConfig.LogGroup.Ref);
    const arns = functions.map((id) => ({ 'Fn::GetAtt': [id, 'Arn'] }));
    expect(verificationStatements(template)).toEqual([
      {
        Effect: 'Allow',
        Action: ['secretsmanager:RotateSecret', 'secretsmanager:DescribeSecret', 'secretsmanager:ListSecretVersionIds'],
        Resource: SECRETS_IN_ACCOUNT,
        Condition: { StringEquals: { 'secretsmanager:resource/AllowRotationLambdaArn': arns } },
      },
      { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: arns },
      { Effect: 'Allow', Action: 'logs:FilterLogEvents', Resource: logGroups.map((id) => ({ 'Fn::GetAtt': [id, 'Arn'] })) },
    ]);
  });

  test('UpdateSecretVersionStage is granted only when a secret opts into repairStalePending', () => {
    const stack = newStack();
    new RotatingSecret(stack, 'A');
    expect(JSON.stringify(verificationStatements(Template.fromStack(stack)))).not.toContain('UpdateSecretVersionStage');

    const repairing = newStack();
    new RotatingSecret(repairing, 'A', { verification: { repairStalePending: true } });
    const template = Template.fromStack(repairing);
    const fn = Object.keys(template.findResources('AWS::Lambda::Function', { Properties: { Handler: 'index.handler' } }))[0];
    expect(verificationStatements(template)).toContainEqual({
      Effect: 'Allow',
      Action: 'secretsmanager:UpdateSecretVersionStage',
      Resource: SECRETS_IN_ACCOUNT,
      Condition: { StringEquals: { 'secretsmanager:resource/AllowRotationLambdaArn': [{ 'Fn::GetAtt': [fn, 'Arn'] }] } },
    });
    template.hasResourceProperties('Custom::RotationCheck', { RepairStalePending: 'true' });
  });

  test('the verification handlers run the bundled asset on Node.js 24', () => {
    const stack = newStack();
    new RotatingSecret(stack, 'A');

    const template = Template.fromStack(stack);
    for (const handler of ['index.onEvent', 'index.isComplete']) {
      template.hasResourceProperties('AWS::Lambda::Function', { Handler: handler, Runtime: 'nodejs24.x', Architectures: ['arm64'] });
    }
  });
});
