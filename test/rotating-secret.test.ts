import { App, Duration, RemovalPolicy, Stack, aws_kms as kms, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ExistingSecretRotation, RotatingSecret, RotationStrategy, Schedule } from '../src';
import { allStatements, managedPolicyStatements } from './support/template';

function newStack(): Stack {
  return new Stack(new App(), 'Stack', { env: { account: '111111111111', region: 'eu-west-1' } });
}

const SECRETS_IN_ACCOUNT = {
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':secretsmanager:eu-west-1:111111111111:secret:*']],
};

/**
 * The rotation function's environment variables as CloudFormation renders them in the `aws` partition (the stack is in
 * a known account and Region, so a secret's ARN is a join of literals and the partition).
 */
function rotationVariables(template: Template): Record<string, string> {
  const fn = template.findResources('AWS::Lambda::Function')[rotationFunctionId(template)];
  const variables = fn.Properties.Environment.Variables as Record<string, unknown>;
  return Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, inAwsPartition(value)]));
}

function inAwsPartition(value: unknown): string {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join === undefined) throw new Error(`not a string or a join: ${JSON.stringify(value)}`);
  return join[1].map((part) => (typeof part === 'string' ? part : (part as { Ref?: string }).Ref === 'AWS::Partition' ? 'aws' : inAwsPartition(part))).join(join[0]);
}

function optionSets(template: Template): Record<string, Record<string, string>> {
  return JSON.parse(rotationVariables(template).PASSWORD_OPTION_SETS);
}

/** The option set the secret built with construct id `secret` selects with its tag. */
function optionSetId(template: Template, secret: string): string {
  const [resource] = Object.entries(template.findResources('AWS::SecretsManager::Secret')).filter(([id]) => id.startsWith(secret)).map(([, r]) => r);
  return resource.Properties.Tags.find((tag: { Key: string }) => tag.Key === 'cdk-rotating-secrets:password-options').Value;
}

function optionSetOf(template: Template, secret: string): Record<string, string> {
  const sets = optionSets(template);
  const id = optionSetId(template, secret);
  expect(Object.keys(sets)).toContain(id);
  return sets[id];
}

function rotationFunctionId(template: Template): string {
  const functions = template.findResources('AWS::Lambda::Function', {
    Properties: { Description: Match.stringLikeRegexp('^Rotates Secrets Manager secrets') },
  });
  const ids = Object.keys(functions);
  expect(ids).toHaveLength(1);
  return ids[0];
}

describe('RotatingSecret', () => {
  test('creates a secret with a constant first value, tagged for the stack\'s check, and a rotation schedule of 30 days by default', () => {
    // GIVEN
    const stack = newStack();

    // WHEN
    new RotatingSecret(stack, 'ApiKey', { secretName: 'api-key', description: 'An API key' });

    // THEN
    const template = Template.fromStack(stack);
    template.hasResource('AWS::SecretsManager::Secret', {
      Properties: {
        Name: 'api-key',
        Description: 'An API key',
        // A constant generator: the strategy's password options apply from the first rotation, so changing them never
        // regenerates the value (CloudFormation generates a new one whenever GenerateSecretString changes).
        GenerateSecretString: { PasswordLength: 30, ExcludePunctuation: true },
        Tags: [
          { Key: 'cdk-rotating-secrets:password-options', Value: Match.stringLikeRegexp('^[0-9a-f]{8}$') },
          { Key: 'cdk-rotating-secrets:stack', Value: { Ref: 'AWS::StackId' } },
        ],
      },
      DeletionPolicy: 'Delete',
    });
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      SecretId: { Ref: Match.stringLikeRegexp('^ApiKey') },
      RotationLambdaARN: { 'Fn::GetAtt': [rotationFunctionId(template), 'Arn'] },
      RotationRules: { ScheduleExpression: 'rate(30 days)' },
    });
  });

  test('the rotation function is a bundled Node.js 24 arm64 function; the secret\'s password options are a set in its environment, selected by the secret\'s tag', () => {
    const stack = newStack();
    new RotatingSecret(stack, 'Token', {
      strategy: RotationStrategy.randomPassword({ passwordLength: 48, excludePunctuation: true }),
    });

    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      Timeout: 60,
      Environment: { Variables: { ROTATION_STRATEGY: 'generic', PASSWORD_OPTION_SETS: Match.anyValue() } },
    });
    // Options equal to the defaults are left out of the set.
    expect(optionSetOf(template, 'Token')).toEqual({ PASSWORD_LENGTH: '48', EXCLUDE_PUNCTUATION: 'true' });
  });

  test('a JSON template keeps its fields and names the generated key', () => {
    const stack = newStack();
    new RotatingSecret(stack, 'Service', {
      strategy: RotationStrategy.randomPassword({ secretStringTemplate: '{"username":"svc"}', generateStringKey: 'password' }),
    });

    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({ SecretStringTemplate: '{"username":"svc"}', GenerateStringKey: 'password' }),
    });
    expect(optionSetOf(template, 'Service')).toEqual({ GENERATE_STRING_KEY: 'password' });
  });

  test('one rotation function serves every generic secret, whatever its password options: each selects its own set', () => {
    const stack = newStack();
    new RotatingSecret(stack, 'One');
    new RotatingSecret(stack, 'Two');
    new RotatingSecret(stack, 'Three', { schedule: Schedule.rate(Duration.days(7)) });
    new RotatingSecret(stack, 'Long', { strategy: RotationStrategy.randomPassword({ passwordLength: 64 }) });
    new RotatingSecret(stack, 'Json', { strategy: RotationStrategy.randomPassword({ secretStringTemplate: '{}', generateStringKey: 'token' }) });

    const template = Template.fromStack(stack);
    const fn = rotationFunctionId(template);
    template.resourceCountIs('AWS::SecretsManager::RotationSchedule', 5);
    for (const schedule of Object.values(template.findResources('AWS::SecretsManager::RotationSchedule'))) {
      expect(schedule.Properties.RotationLambdaARN).toEqual({ 'Fn::GetAtt': [fn, 'Arn'] });
    }
    // Three distinct option sets, declared once each; equal options share a set.
    expect(Object.keys(optionSets(template))).toHaveLength(3);
    expect(optionSetId(template, 'One')).toBe(optionSetId(template, 'Two'));
    expect(optionSetOf(template, 'Long')).toEqual({ PASSWORD_LENGTH: '64' });
    expect(optionSetOf(template, 'Json')).toEqual({ GENERATE_STRING_KEY: 'token' });
  });

  test('a set\'s id is a hash of its options: the same options give the same id in any stack and order', () => {
    const idOf = (build: (stack: Stack) => void, secret: string) => {
      const stack = newStack();
      build(stack);
      return optionSetId(Template.fromStack(stack), secret);
    };
    const long = RotationStrategy.randomPassword({ passwordLength: 64 });
    expect(idOf((stack) => new RotatingSecret(stack, 'Long', { strategy: long }), 'Long'))
      .toBe(idOf((stack) => { new RotatingSecret(stack, 'Other'); new RotatingSecret(stack, 'Long', { strategy: long }); }, 'Long'));
    expect(idOf((stack) => new RotatingSecret(stack, 'Long', { strategy: long }), 'Long')).not.toBe(idOf((stack) => new RotatingSecret(stack, 'Long'), 'Long'));
  });

  test('an imported secret, which the app cannot tag, is named by ARN in the function\'s configuration', () => {
    const stack = newStack();
    new ExistingSecretRotation(stack, 'PartnerKeyRotation', {
      secret: secretsmanager.Secret.fromSecretNameV2(stack, 'PartnerKey', 'partner-key'),
      strategy: RotationStrategy.randomPassword({ passwordLength: 20 }),
    });
    const variables = rotationVariables(Template.fromStack(stack));
    const bySecret = JSON.parse(variables.OPTION_SET_BY_SECRET);
    const arn = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:partner-key';
    expect(Object.keys(bySecret)).toEqual([arn]);
    expect(JSON.parse(variables.PASSWORD_OPTION_SETS)[bySecret[arn]]).toEqual({ PASSWORD_LENGTH: '20' });
  });

  describe('IAM', () => {
    test('the role may read and stage only the secrets its function rotates, with a constant-size statement', () => {
      const stack = newStack();
      for (let i = 0; i < 5; i++) new RotatingSecret(stack, `Secret${i}`);

      const template = Template.fromStack(stack);
      const fn = rotationFunctionId(template);
      const logGroup = template.toJSON().Resources[fn].Properties.LoggingConfig.LogGroup.Ref;
      expect(managedPolicyStatements(template, /^Rotation function/)).toEqual([
        { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [logGroup, 'Arn'] } },
        {
          Effect: 'Allow',
          Action: [
            'secretsmanager:DescribeSecret',
            'secretsmanager:GetSecretValue',
            'secretsmanager:PutSecretValue',
            'secretsmanager:UpdateSecretVersionStage',
          ],
          Resource: SECRETS_IN_ACCOUNT,
          Condition: { StringEquals: { 'secretsmanager:resource/AllowRotationLambdaArn': { 'Fn::GetAtt': [fn, 'Arn'] } } },
        },
      ]);
    });

    test('the role never gets GetRandomPassword or a "*" resource', () => {
      const stack = newStack();
      new RotatingSecret(stack, 'Secret');

      const statements = allStatements(Template.fromStack(stack));
      expect(JSON.stringify(statements)).not.toContain('GetRandomPassword');
      for (const statement of statements) {
        expect([statement.Resource].flat()).not.toContain('*');
      }
    });

    test('the function role has no inline or AWS managed policy: one customer managed policy, attached after the function', () => {
      const stack = newStack();
      new RotatingSecret(stack, 'Secret');

      const template = Template.fromStack(stack);
      const [fnResource] = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Handler: 'index.handler' } }));
      const roleId = fnResource.Properties.Role['Fn::GetAtt'][0];
      const role = template.toJSON().Resources[roleId].Properties;
      expect(role.Policies).toBeUndefined();
      expect(role.ManagedPolicyArns).toBeUndefined();
      template.hasResourceProperties('AWS::IAM::ManagedPolicy', { Description: Match.stringLikeRegexp('^Rotation function'), Roles: [{ Ref: roleId }] });
    });

    test('KMS use is limited to Secrets Manager and secrets, one statement per key', () => {
      const stack = newStack();
      const key = new kms.Key(stack, 'Key');
      new RotatingSecret(stack, 'A', { encryptionKey: key });
      new RotatingSecret(stack, 'B', { encryptionKey: key });

      const template = Template.fromStack(stack);
      template.hasResourceProperties('AWS::SecretsManager::Secret', { KmsKeyId: { 'Fn::GetAtt': ['Key961B73FD', 'Arn'] } });
      const statements = allStatements(template).filter((s) => JSON.stringify(s.Action).includes('kms:'));
      expect(statements).toEqual([
        {
          Effect: 'Allow',
          Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
          Resource: { 'Fn::GetAtt': ['Key961B73FD', 'Arn'] },
          Condition: {
            StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['secretsmanager.eu-west-1.', { Ref: 'AWS::URLSuffix' }]] } },
            StringLike: { 'kms:EncryptionContext:SecretARN': SECRETS_IN_ACCOUNT },
          },
        },
      ]);
    });

    test('Secrets Manager may invoke the function only from this account, and only for its secret when it has one', () => {
      const stack = newStack();
      new RotatingSecret(stack, 'Only');

      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::Lambda::Permission', 1);
      template.hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunction',
        Principal: 'secretsmanager.amazonaws.com',
        SourceAccount: '111111111111',
        SourceArn: { Ref: Match.stringLikeRegexp('^Only') },
      });
    });

    test('a shared function keeps the account condition and drops the single-secret condition', () => {
      const stack = newStack();
      new RotatingSecret(stack, 'A');
      new RotatingSecret(stack, 'B');

      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::Lambda::Permission', 1);
      template.hasResourceProperties('AWS::Lambda::Permission', {
        SourceAccount: '111111111111',
        SourceArn: Match.absent(),
      });
    });

    test('the schedule waits for the function\'s permissions, so the first rotation can run', () => {
      const stack = newStack();
      new RotatingSecret(stack, 'Secret');

      const template = Template.fromStack(stack);
      const [schedule] = Object.values(template.findResources('AWS::SecretsManager::RotationSchedule'));
      const permission = Object.keys(template.findResources('AWS::Lambda::Permission'))[0];
      const policy = Object.keys(template.findResources('AWS::IAM::ManagedPolicy', {
        Properties: { Description: Match.stringLikeRegexp('^Rotation function') },
      }))[0];
      expect(schedule.DependsOn).toEqual(expect.arrayContaining([permission, policy]));
    });
  });

  test('cron schedule and window render as RotationRules', () => {
    const stack = newStack();
    new RotatingSecret(stack, 'Secret', {
      schedule: Schedule.cron({ hour: '3', weekDay: 'SUN' }),
      window: Duration.hours(2),
    });

    Template.fromStack(stack).hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      RotationRules: { ScheduleExpression: 'cron(0 3 ? * SUN *)', Duration: '2h' },
    });
  });

  test('passes the key, replicas and removal policy to the secret', () => {
    const stack = newStack();
    new RotatingSecret(stack, 'Secret', {
      replicaRegions: [{ region: 'eu-central-1' }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    Template.fromStack(stack).hasResource('AWS::SecretsManager::Secret', {
      Properties: Match.objectLike({ ReplicaRegions: [{ Region: 'eu-central-1' }] }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('exposes the secret and the rotation function', () => {
    const stack = newStack();
    const rotating = new RotatingSecret(stack, 'Secret');

    expect(stack.resolve(rotating.secret.secretArn)).toEqual({ Ref: 'SecretFDB41899' });
    expect(stack.resolve(rotating.rotationFunction!.functionArn)).toEqual({
      'Fn::GetAtt': [rotationFunctionId(Template.fromStack(stack)), 'Arn'],
    });
    expect(rotating.scheduleExpression).toBe('rate(30 days)');
  });
});
