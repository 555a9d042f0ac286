import { App, Duration, Stack, aws_ec2 as ec2, aws_kms as kms, aws_rds as rds, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { DatabaseTarget, ExistingSecretRotation, RotatingSecret, RotationStrategy } from '../src';
import { checkEntries, checkEntryOf } from './support/template';

function newStack(): Stack {
  return new Stack(new App(), 'Stack', { env: { account: '111111111111', region: 'eu-west-1' } });
}

const SECRETS_IN_ACCOUNT = {
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':secretsmanager:eu-west-1:111111111111:secret:*']],
};
const TAGGED_FOR_THIS_STACK = { 'secretsmanager:ResourceTag/cdk-rotating-secrets:stack': { Ref: 'AWS::StackId' } };

function checkStatements(template: Template): any[] {
  const [role] = Object.values(template.findResources('AWS::IAM::Role', { Properties: { Description: Match.stringLikeRegexp('^Verifies at deploy time') } }));
  const statements: any[] = role.Properties.Policies.flatMap((p: any) => p.PolicyDocument.Statement);
  // Without the function's own log statement, which is the same for every stack.
  return statements.filter((s) => !JSON.stringify(s.Action).includes('logs:CreateLogStream'));
}

function functionArn(template: Template, description: RegExp): unknown {
  const ids = Object.keys(template.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp(description.source) } }));
  expect(ids).toHaveLength(1);
  return { 'Fn::GetAtt': [ids[0], 'Arn'] };
}

describe('the deploy-time check', () => {
  test('one check per stack, before every rotation schedule; the schedules do not rotate immediately', () => {
    // GIVEN
    const stack = newStack();

    // WHEN
    for (const id of ['One', 'Two', 'Three']) new RotatingSecret(stack, id);

    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs('Custom::RotationCheck', 1);
    const [checkId] = Object.keys(template.findResources('Custom::RotationCheck'));
    const schedules = Object.values(template.findResources('AWS::SecretsManager::RotationSchedule'));
    expect(schedules).toHaveLength(3);
    for (const schedule of schedules) {
      expect(schedule.Properties.RotateImmediatelyOnUpdate).toBe(false);
      expect(schedule.DependsOn).toContain(checkId);
    }
    expect(checkEntries(template).map((entry) => entry.SecretArn.Ref)).toEqual([
      expect.stringMatching(/^One/), expect.stringMatching(/^Two/), expect.stringMatching(/^Three/),
    ]);
  });

  test('its fixed cost is five resources: the function, its role, its log group, the self-invoke policy and the resource', () => {
    const resources = (count: number) => {
      const stack = newStack();
      for (let i = 0; i < count; i++) new RotatingSecret(stack, `Secret${i}`, { verifyOnDeploy: false });
      const withCheck = newStack();
      for (let i = 0; i < count; i++) new RotatingSecret(withCheck, `Secret${i}`);
      const count_ = (s: Stack) => Object.keys(Template.fromStack(s).toJSON().Resources).length;
      return count_(withCheck) - count_(stack);
    };
    expect(resources(1)).toBe(5);
    expect(resources(20)).toBe(5);
  });

  test('an entry names the secret, its function, schedule and fingerprint; defaults are left out', () => {
    const stack = newStack();
    new RotatingSecret(stack, 'Secret');
    new RotatingSecret(stack, 'Slow', { verification: { timeout: Duration.minutes(20), pollInterval: Duration.seconds(30), repairStalePending: true } });

    const template = Template.fromStack(stack);
    const [check] = Object.values(template.findResources('Custom::RotationCheck'));
    expect(check.Properties.RotationFunctions).toEqual([{
      FunctionArn: functionArn(template, /^Rotates Secrets Manager secrets/),
      LogGroupName: { Ref: expect.stringMatching(/^GenericRotationLogs/) },
      TimeoutSeconds: '60',
    }]);
    expect(checkEntryOf(template, 'Secret')).toEqual({
      SecretArn: { Ref: expect.stringMatching(/^Secret/) },
      Fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/),
      FunctionIndex: '0',
      ScheduleRule: 'rate(30 days)',
    });
    expect(checkEntryOf(template, 'Slow')).toMatchObject({ TimeoutSeconds: '1200', PollSeconds: '30', RepairStalePending: 'true' });
    // CloudFormation waits for the longest entry, plus room for the check's own calls and answer.
    expect(check.Properties.ServiceTimeout).toBe(1200 + 240);
  });

  test('a fingerprint is the same on every synth, whatever constructs come earlier in the app: an update rotates nothing again', () => {
    // The fingerprint covers tokens (the cluster's host, the master secret's ARN): hashed as placeholders, whose
    // numbers follow construction order, it would change with every unrelated construct and rotate on each deploy.
    const fingerprintOf = (addUnrelatedFirst: boolean) => {
      const stack = newStack();
      if (addUnrelatedFirst) new ec2.Vpc(stack, 'Unrelated', { maxAzs: 1, natGateways: 0 });
      const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
      const cluster = new rds.DatabaseCluster(stack, 'Cluster', {
        engine: rds.DatabaseClusterEngine.auroraMysql({ version: rds.AuroraMysqlEngineVersion.VER_3_08_0 }),
        writer: rds.ClusterInstance.serverlessV2('Writer'),
        vpc,
      });
      new RotatingSecret(stack, 'AppUser', {
        strategy: RotationStrategy.mysqlAlternatingUsers({
          database: DatabaseTarget.fromCluster(cluster), username: 'app', masterSecret: cluster.secret!, createUser: {}, vpc,
        }),
      });
      return checkEntryOf(Template.fromStack(stack), 'AppUser').Fingerprint;
    };
    const reference = fingerprintOf(false);
    expect(fingerprintOf(false)).toBe(reference);
    expect(fingerprintOf(true)).toBe(reference);
  });

  test('with verifyOnDeploy: false the schedule rotates immediately, and a generic secret has no entry', () => {
    const stack = newStack();
    new RotatingSecret(stack, 'Secret', { verifyOnDeploy: false });

    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', { RotateImmediatelyOnUpdate: true });
    template.resourceCountIs('Custom::RotationCheck', 0);
  });

  test('a database secret without verification still has an entry: the check merges its connection fields, nothing else', () => {
    const stack = newStack();
    new RotatingSecret(stack, 'AppUser', {
      verifyOnDeploy: false,
      strategy: RotationStrategy.postgresSingleUser({ database: DatabaseTarget.fromEndpoint({ host: 'db.internal' }), username: 'app', dbname: 'orders' }),
    });

    const template = Template.fromStack(stack);
    expect(checkEntryOf(template, 'AppUser')).toMatchObject({ VerifyRotation: 'false', ConnectionFields: '{"engine":"postgres","host":"db.internal","port":5432,"dbname":"orders"}' });
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', { RotateImmediatelyOnUpdate: true });
  });

  test('a database the secret is attached to: the check and the schedule wait for the attachment (and so the database)', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc');
    const master = new RotatingSecret(stack, 'Master', { strategy: RotationStrategy.postgresSingleUser({ username: 'postgres', vpc }) });
    new rds.DatabaseInstance(stack, 'Db', {
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16 }),
      vpc,
      credentials: rds.Credentials.fromSecret(master),
    });

    const template = Template.fromStack(stack);
    const [attachmentId] = Object.keys(template.findResources('AWS::SecretsManager::SecretTargetAttachment'));
    expect(Object.values(template.findResources('Custom::RotationCheck'))[0].DependsOn).toContain(attachmentId);
    expect(Object.values(template.findResources('AWS::SecretsManager::RotationSchedule'))[0].DependsOn).toContain(attachmentId);
    // The attachment writes engine, host, port and the instance's identifier; the check merges what it does not.
    expect(checkEntryOf(template, 'Master').ConnectionFields).toBe('{"engine":"postgres"}');
  });
});

describe('the check\'s permissions', () => {
  test('constant size: the stack\'s tagged secrets; RotateSecret only with the stack\'s rotation functions; the verified tag only', () => {
    const stack = newStack();
    for (let i = 0; i < 5; i++) new RotatingSecret(stack, `Secret${i}`);

    const template = Template.fromStack(stack);
    const rotation = functionArn(template, /^Rotates Secrets Manager secrets/);
    const statements = checkStatements(template);
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: ['secretsmanager:DescribeSecret', 'secretsmanager:ListSecretVersionIds'],
      Resource: SECRETS_IN_ACCOUNT,
      Condition: { StringEquals: TAGGED_FOR_THIS_STACK },
    });
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: 'secretsmanager:RotateSecret',
      Resource: SECRETS_IN_ACCOUNT,
      Condition: { StringEquals: { ...TAGGED_FOR_THIS_STACK, 'secretsmanager:RotationLambdaARN': [rotation] } },
    });
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: 'secretsmanager:TagResource',
      Resource: SECRETS_IN_ACCOUNT,
      Condition: { 'StringEquals': TAGGED_FOR_THIS_STACK, 'ForAllValues:StringEquals': { 'aws:TagKeys': ['cdk-rotating-secrets:verified'] } },
    });
    expect(statements).toContainEqual({ Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: [rotation] });
    expect(statements).toContainEqual({ Effect: 'Allow', Action: 'logs:FilterLogEvents', Resource: [{ 'Fn::GetAtt': [expect.stringMatching(/^GenericRotationLogs/), 'Arn'] }] });
    // A rollback settles the check's own unfinished rotations: only on secrets whose rotation the stack's functions run.
    const labelMoves = statements.filter((statement: { Action: unknown }) => JSON.stringify(statement.Action).includes('UpdateSecretVersionStage'));
    expect(labelMoves).toEqual([{
      Effect: 'Allow',
      Action: ['secretsmanager:DescribeSecret', 'secretsmanager:UpdateSecretVersionStage'],
      Resource: SECRETS_IN_ACCOUNT,
      Condition: { StringEquals: { 'secretsmanager:resource/AllowRotationLambdaArn': [rotation] } },
    }]);
    expect(JSON.stringify(statements)).not.toMatch(/GetSecretValue|PutSecretValue|kms:/);
    // It may hand a long wait on to itself, through a separate policy (no dependency cycle).
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: functionArn(template, /^Verifies at deploy time/) }] },
    });
  });

  test('removing a stale label only when a secret opts in; merging (with its key, through Secrets Manager) only for database secrets', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key');
    new RotatingSecret(stack, 'Repaired', { verification: { repairStalePending: true } });
    new RotatingSecret(stack, 'AppUser', {
      encryptionKey: key,
      strategy: RotationStrategy.mysqlSingleUser({ database: DatabaseTarget.fromEndpoint({ host: 'db.internal' }), username: 'app' }),
    });

    const statements = checkStatements(Template.fromStack(stack));
    expect(statements).toContainEqual(expect.objectContaining({
      Action: [
        'secretsmanager:DescribeSecret', 'secretsmanager:ListSecretVersionIds', 'secretsmanager:UpdateSecretVersionStage',
        'secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue',
      ],
      Condition: { StringEquals: TAGGED_FOR_THIS_STACK },
    }));
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: [stack.resolve(key.keyArn)],
      Condition: { StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['secretsmanager.eu-west-1.', { Ref: 'AWS::URLSuffix' }]] } } },
    });
  });

  test('each kind of secret gets its own statements, with only what its secrets ask: none on tagged secrets when the stack has none', () => {
    const stackWith = (created: boolean) => {
      const stack = newStack();
      new ExistingSecretRotation(stack, 'Imported', {
        secret: secretsmanager.Secret.fromSecretNameV2(stack, 'Token', 'billing/token'),
        verification: { repairStalePending: true },
      });
      if (created) new RotatingSecret(stack, 'Created');
      return checkStatements(Template.fromStack(stack));
    };

    const onlyImported = JSON.stringify(stackWith(false));
    expect(onlyImported).not.toContain('secretsmanager:ResourceTag');
    expect(onlyImported).toContain(':secret:billing/token-??????');
    expect(onlyImported).toContain('secretsmanager:UpdateSecretVersionStage');
    // The imported secret's repair adds nothing to what the check may do to the stack's own secrets.
    expect(stackWith(true)).toContainEqual({
      Effect: 'Allow',
      Action: ['secretsmanager:DescribeSecret', 'secretsmanager:ListSecretVersionIds'],
      Resource: SECRETS_IN_ACCOUNT,
      Condition: { StringEquals: TAGGED_FOR_THIS_STACK },
    });
  });
});
