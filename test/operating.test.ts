import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Duration, Stack, aws_cloudwatch as cloudwatch, aws_iam as iam, aws_kms as kms, aws_lambda as lambda, aws_secretsmanager as secretsmanager, aws_sns as sns } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ExistingSecretRotation, RotatingSecret, Schedule } from '../src';
import { allStatements, checkEntries, checkEntryOf, managedPolicyStatements } from './support/template';

const env = { account: '111111111111', region: 'eu-west-1' };

function newStack(app = new App()): Stack {
  return new Stack(app, 'Stack', { env });
}

function rotationFunctionArn(template: Template) {
  const [id] = Object.keys(template.findResources('AWS::Lambda::Function', { Properties: { Handler: 'index.handler' } }));
  return { 'Fn::GetAtt': [id, 'Arn'] };
}

describe('rotation for an existing secret', () => {
  test('a secret imported by name: the schedule and the check name it, and IAM matches it by condition, not by ARN', () => {
    // GIVEN
    const stack = newStack();
    const secret = secretsmanager.Secret.fromSecretNameV2(stack, 'Imported', 'prod/api-key');

    // WHEN
    new ExistingSecretRotation(stack, 'Rotation', { secret });

    // THEN
    const template = Template.fromStack(stack);
    const partialArn = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':secretsmanager:eu-west-1:111111111111:secret:prod/api-key']] };
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', { SecretId: partialArn, RotationLambdaARN: rotationFunctionArn(template) });
    expect(checkEntries(template).map((entry) => entry.SecretArn)).toEqual([partialArn]);
    // The check names an imported secret by its ARN (it carries no tag of this stack); the random suffix is matched.
    expect(allStatements(template)).toContainEqual(expect.objectContaining({
      Action: ['secretsmanager:DescribeSecret', 'secretsmanager:ListSecretVersionIds'],
      Resource: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':secretsmanager:eu-west-1:111111111111:secret:prod/api-key-??????']] }],
    }));
    // The real ARN has a random suffix; the statement matches it through AllowRotationLambdaArn.
    expect(managedPolicyStatements(template, /^Rotation function/)).toContainEqual(expect.objectContaining({
      Action: expect.arrayContaining(['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue']),
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':secretsmanager:eu-west-1:111111111111:secret:*']] },
      Condition: { StringEquals: { 'secretsmanager:resource/AllowRotationLambdaArn': rotationFunctionArn(template) } },
    }));
    // A partial ARN cannot be a SourceArn: the account condition remains.
    template.hasResourceProperties('AWS::Lambda::Permission', { SourceAccount: '111111111111', SourceArn: Match.absent() });
  });

  test('a secret imported by complete ARN with an imported KMS key', () => {
    const stack = newStack();
    const keyArn = 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const secretArn = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:prod/token-AbCdEf';
    const secret = secretsmanager.Secret.fromSecretAttributes(stack, 'Imported', {
      secretCompleteArn: secretArn,
      encryptionKey: kms.Key.fromKeyArn(stack, 'Key', keyArn),
    });

    new ExistingSecretRotation(stack, 'Rotation', { secret, schedule: Schedule.rate(Duration.days(7)) });

    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', { SecretId: secretArn, RotationRules: { ScheduleExpression: 'rate(7 days)' } });
    template.hasResourceProperties('AWS::Lambda::Permission', { SourceArn: secretArn });
    expect(allStatements(template)).toContainEqual(expect.objectContaining({ Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: keyArn }));
  });

  test('refuses Schedule.disabled(): removing the construct is how rotation stops', () => {
    const stack = newStack();
    const secret = secretsmanager.Secret.fromSecretNameV2(stack, 'Imported', 'prod/api-key');
    expect(() => new ExistingSecretRotation(stack, 'Rotation', { secret, schedule: Schedule.disabled() })).toThrow(/remove the construct to stop rotating/);
  });

  test('replacesScheduleId: the schedule takes the logical id addRotationSchedule gave it (updated in place, never deleted)', () => {
    const idOf = (build: (stack: Stack, secret: secretsmanager.Secret) => void) => {
      const stack = newStack();
      build(stack, new secretsmanager.Secret(stack, 'Token'));
      return Object.keys(Template.fromStack(stack).findResources('AWS::SecretsManager::RotationSchedule'));
    };
    const before = idOf((stack, secret) => secret.addRotationSchedule('RotationSchedule', {
      rotationLambda: new lambda.Function(stack, 'Own', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => {}') }),
    }));

    expect(idOf((stack, secret) => new ExistingSecretRotation(stack, 'Rotation', { secret, replacesScheduleId: 'RotationSchedule' }))).toEqual(before);
    expect(idOf((stack, secret) => new ExistingSecretRotation(stack, 'Rotation', { secret }))).not.toEqual(before);
  });

  test('replacesScheduleId on an imported secret: refused, naming the secret', () => {
    const stack = newStack();
    const secret = secretsmanager.Secret.fromSecretNameV2(stack, 'Imported', 'prod/api-key');
    expect(() => new ExistingSecretRotation(stack, 'Rotation', { secret, replacesScheduleId: 'RotationSchedule' }))
      .toThrow(/^\[Stack\/Rotation\] `replacesScheduleId` needs a Secret of this stack \(\S+\); \S*Imported is imported or of another stack$/);
  });
});


describe('turning rotation off', () => {
  test('Schedule.disabled() keeps the secret and creates no schedule, function or check', () => {
    const stack = newStack();
    const secret = new RotatingSecret(stack, 'Secret', { schedule: Schedule.disabled() });

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    template.resourceCountIs('AWS::SecretsManager::RotationSchedule', 0);
    template.resourceCountIs('AWS::Lambda::Function', 0);
    template.resourceCountIs('Custom::RotationCheck', 0);
    expect(secret.rotationFunction).toBeUndefined();
    expect(secret.scheduleExpression).toBe('disabled');
  });

  test('switching an existing secret to disabled keeps the secret resource and its logical id', () => {
    const on = newStack();
    new RotatingSecret(on, 'Secret');
    const off = newStack();
    new RotatingSecret(off, 'Secret', { schedule: Schedule.disabled() });

    const secretIds = (stack: Stack) => Object.keys(Template.fromStack(stack).findResources('AWS::SecretsManager::Secret'));
    expect(secretIds(off)).toEqual(secretIds(on));
  });

  test('a window with rotation off is refused', () => {
    const stack = newStack();
    expect(() => new RotatingSecret(stack, 'Secret', { schedule: Schedule.disabled(), window: Duration.hours(2) })).toThrow(/no effect with `Schedule.disabled\(\)`/);
  });
});


describe('failure alarms', () => {
  test('an alarm on the rotation function\'s errors and a rule on RotationFailed / RotationAbandoned, to a new encrypted topic', () => {
    const stack = newStack();
    new RotatingSecret(stack, 'A', { failureAlarms: true });
    new RotatingSecret(stack, 'B', { failureAlarms: true });

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.resourceCountIs('AWS::CloudWatch::Alarm', 1);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Namespace: 'AWS/Lambda',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: Match.stringLikeRegexp('^GenericRotation') } }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [{ Ref: Match.stringLikeRegexp('FailureAlarmsTopic') }],
    });
    template.resourceCountIs('AWS::Events::Rule', 1);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['aws.secretsmanager'],
        'detail-type': ['AWS Service Event via CloudTrail'],
        'detail': {
          eventSource: ['secretsmanager.amazonaws.com'],
          eventName: ['RotationFailed', 'RotationAbandoned'],
          additionalEventData: { SecretId: [{ Ref: Match.stringLikeRegexp('^A') }, { Ref: Match.stringLikeRegexp('^B') }] },
        },
      },
      Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('FailureAlarmsTopic') } })],
    });
  });

  test('a user topic receives them; secrets imported by name match by prefix; rules hold 30 secrets each', () => {
    const stack = newStack();
    const topic = new sns.Topic(stack, 'OnCall');
    new ExistingSecretRotation(stack, 'Imported', { secret: secretsmanager.Secret.fromSecretNameV2(stack, 'S', 'prod/x'), failureAlarms: true, alarmTopic: topic });
    for (let i = 0; i < 30; i++) new RotatingSecret(stack, `Secret${i}`, { failureAlarms: true, alarmTopic: topic });

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SNS::Topic', 1);
    const rules = Object.values(template.findResources('AWS::Events::Rule'));
    expect(rules).toHaveLength(2);
    expect(rules.map((r) => r.Properties.EventPattern.detail.additionalEventData.SecretId.length).sort()).toEqual([1, 30]);
    expect(JSON.stringify(rules[0].Properties.EventPattern)).toContain('"prefix"');
    for (const rule of rules) expect(rule.Properties.Targets[0].Arn).toEqual(stack.resolve(topic.topicArn));
  });

  test('the constructs expose the alarm they create and its topic; without failureAlarms there is none', () => {
    const stack = newStack();
    const topic = new sns.Topic(stack, 'OnCall');
    const a = new RotatingSecret(stack, 'A', { failureAlarms: true, alarmTopic: topic });
    const imported = new ExistingSecretRotation(stack, 'Imported', { secret: secretsmanager.Secret.fromSecretNameV2(stack, 'S', 'prod/x'), failureAlarms: true, alarmTopic: topic });
    const quiet = new RotatingSecret(stack, 'Quiet');

    // One alarm per rotation function: the two secrets share it.
    expect(a.rotationErrorsAlarm).toBeDefined();
    expect(imported.rotationErrorsAlarm).toBe(a.rotationErrorsAlarm);
    expect(a.alarmTopic).toBe(topic);
    expect(quiet.rotationErrorsAlarm).toBeUndefined();
    expect(quiet.alarmTopic).toBeUndefined();
    const [alarmId] = Object.keys(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm'));
    expect(stack.resolve(a.rotationErrorsAlarm!.alarmArn)).toEqual({ 'Fn::GetAtt': [alarmId, 'Arn'] });
  });

  test('alarmTopic without failureAlarms, or two topics in one stack, are refused', () => {
    const stack = newStack();
    expect(() => new RotatingSecret(stack, 'A', { alarmTopic: new sns.Topic(stack, 'T') })).toThrow(/`alarmTopic` needs `failureAlarms: true`/);
    new RotatingSecret(stack, 'B', { failureAlarms: true, alarmTopic: new sns.Topic(stack, 'T1') });
    expect(() => new RotatingSecret(stack, 'C', { failureAlarms: true, alarmTopic: new sns.Topic(stack, 'T2') })).toThrow(/must be the same for every rotating secret of a stack/);
  });

  test('our grants of the topic\'s key to CloudWatch and EventBridge hold for this account only', () => {
    // GIVEN
    const stack = newStack();

    // WHEN
    new RotatingSecret(stack, 'A', { failureAlarms: true });

    // THEN: without aws:SourceAccount, CloudWatch or EventBridge acting for another account could use the key.
    const keys = Template.fromStack(stack).findResources('AWS::KMS::Key');
    expect(Object.keys(keys)).toHaveLength(1);
    const statements = Object.values(keys)[0].Properties.KeyPolicy.Statement as Array<Record<string, any>>;
    const publish = { Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], Resource: '*' };
    const sourceAccount = { StringEquals: { 'aws:SourceAccount': env.account } };
    expect(statements.filter((statement) => statement.Principal?.Service !== undefined)).toEqual([
      { ...publish, Principal: { Service: 'cloudwatch.amazonaws.com' }, Condition: sourceAccount },
      { ...publish, Principal: { Service: 'events.amazonaws.com' }, Condition: sourceAccount },
      // aws-events-targets' SnsTopic grants EventBridge the topic's key itself, with no condition.
      { ...publish, Principal: { Service: 'events.amazonaws.com' } },
    ]);
  });

});

describe('replicas', () => {
  test('rotation and its check run on the primary secret; replicas follow', () => {
    const stack = newStack();
    new RotatingSecret(stack, 'Secret', { replicaRegions: [{ region: 'eu-central-1' }, { region: 'us-east-1' }] });

    const template = Template.fromStack(stack);
    const [secretId] = Object.keys(template.findResources('AWS::SecretsManager::Secret'));
    template.hasResourceProperties('AWS::SecretsManager::Secret', { ReplicaRegions: [{ Region: 'eu-central-1' }, { Region: 'us-east-1' }] });
    template.resourceCountIs('AWS::SecretsManager::RotationSchedule', 1);
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', { SecretId: { Ref: secretId } });
    expect(checkEntryOf(template, secretId).SecretArn).toEqual({ Ref: secretId });
  });
});

describe('cross-stack', () => {
  // With a customer managed key in the secrets' stack, aws-cdk-lib's own `grantRead` adds the reader to the key
  // policy and so makes a cycle whatever rotates the secret; the README shows the principal-policy alternative.
  test('a consumer in another stack reads the secret with no cyclic reference', () => {
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'cross-stack-')) });
    const secrets = new Stack(app, 'Secrets', { env });
    const rotating = new RotatingSecret(secrets, 'Secret', { failureAlarms: true });
    const consumers = new Stack(app, 'Consumers', { env });
    const reader = new lambda.Function(consumers, 'Reader', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => {}'),
      environment: { SECRET_ARN: rotating.secret.secretArn },
    });
    rotating.secret.grantRead(reader);
    reader.role!.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['secretsmanager:DescribeSecret'], resources: [rotating.secret.secretArn] }));

    const assembly = app.synth();

    expect(consumers.dependencies.map((s) => s.stackName)).toEqual(['Secrets']);
    expect(secrets.dependencies).toEqual([]);
    const consumerTemplate = JSON.stringify(assembly.getStackByName('Consumers').template);
    expect(consumerTemplate).toContain('Fn::ImportValue');
  });
});

describe('metrics', () => {
  test('rotation failures: a rule of the secret\'s own counts its failure events, made once and only when asked for', () => {
    const stack = newStack();
    const secret = new RotatingSecret(stack, 'ApiKey');
    const imported = new ExistingSecretRotation(stack, 'Imported', { secret: secretsmanager.Secret.fromSecretNameV2(stack, 'S', 'prod/x') });
    const unmeasured = newStack();
    new RotatingSecret(unmeasured, 'ApiKey');
    expect(Template.fromStack(unmeasured).findResources('AWS::Events::Rule')).toEqual({});

    const failures = secret.metricRotationFailures();
    secret.metricRotationFailures({ period: Duration.hours(1) });
    imported.metricRotationFailures();
    const template = Template.fromStack(stack);
    const rules = template.findResources('AWS::Events::Rule');
    expect(Object.keys(rules)).toHaveLength(2);
    const [ruleId, rule] = Object.entries(rules).find(([id]) => id.startsWith('ApiKey'))!;
    expect(rule.Properties.Targets).toBeUndefined();
    expect(rule.Properties.EventPattern.detail).toEqual({
      eventSource: ['secretsmanager.amazonaws.com'],
      eventName: ['RotationFailed', 'RotationAbandoned'],
      additionalEventData: { SecretId: [{ Ref: expect.stringMatching(/^ApiKey/) }] },
    });
    expect(stack.resolve(failures.dimensions)).toEqual({ RuleName: { Ref: ruleId } });
    expect(failures).toMatchObject({ namespace: 'AWS/Events', metricName: 'MatchedEvents', statistic: 'Sum', period: Duration.minutes(5) });
    // A secret imported by name matches its real ARN by prefix.
    const importedRule = Object.entries(rules).find(([id]) => id.startsWith('Imported'))![1];
    expect(JSON.stringify(importedRule.Properties.EventPattern.detail.additionalEventData.SecretId)).toContain('"prefix"');
  });

  test('errors and duration are the shared rotation function\'s', () => {
    const stack = newStack();
    const secret = new RotatingSecret(stack, 'ApiKey');
    const functionName = stack.resolve((secret.rotationFunction as lambda.IFunction).functionName);
    expect(secret.metricRotationErrors()).toMatchObject({ namespace: 'AWS/Lambda', metricName: 'Errors', statistic: 'Sum', period: Duration.minutes(5) });
    expect(stack.resolve(secret.metricRotationErrors().dimensions)).toEqual({ FunctionName: functionName });
    expect(secret.metricRotationDuration({ statistic: 'p99' })).toMatchObject({ namespace: 'AWS/Lambda', metricName: 'Duration', statistic: 'p99' });
  });

  test('a dashboard widget takes them, with the exposed alarm', () => {
    const stack = newStack();
    const secret = new RotatingSecret(stack, 'ApiKey', { failureAlarms: true });
    new cloudwatch.Dashboard(stack, 'Rotation', {
      widgets: [[
        new cloudwatch.GraphWidget({ title: 'ApiKey rotation', left: [secret.metricRotationFailures()], right: [secret.metricRotationErrors(), secret.metricRotationDuration()] }),
        new cloudwatch.AlarmStatusWidget({ alarms: [secret.rotationErrorsAlarm!] }),
      ]],
    });
    const body = JSON.stringify(Template.fromStack(stack).findResources('AWS::CloudWatch::Dashboard'));
    for (const name of ['MatchedEvents', 'Errors', 'Duration', 'AWS/Events', 'AWS/Lambda', 'GenericRotationErrorsAlarm']) expect(body).toContain(name);
  });

  test('a secret whose rotation is off has no metrics, and says why', () => {
    const stack = newStack();
    const secret = new RotatingSecret(stack, 'Off', { schedule: Schedule.disabled() });
    expect(() => secret.metricRotationFailures()).toThrow('[Stack/Off] rotation is off (`Schedule.disabled()`): there is no rotation to measure');
  });
});
