import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DescribeSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { functionArn, functionAsset, respond, startDeployer } from './support';

/** Each resource type family with its real semantics, against the simulator's APIs. */

/** AWS's generic rotation template in a few lines: a new random value through the four steps. */
const ROTATION_SOURCE = `
const sm = require('@aws-sdk/client-secrets-manager');
const client = new sm.SecretsManagerClient({});
exports.handler = async ({ Step: step, SecretId: id, ClientRequestToken: token }) => {
  const stages = (await client.send(new sm.DescribeSecretCommand({ SecretId: id }))).VersionIdsToStages;
  if (stages[token].includes('AWSCURRENT')) return;
  if (step === 'createSecret') {
    const { RandomPassword } = await client.send(new sm.GetRandomPasswordCommand({}));
    await client.send(new sm.PutSecretValueCommand({ SecretId: id, ClientRequestToken: token, SecretString: RandomPassword, VersionStages: ['AWSPENDING'] }));
  } else if (step === 'finishSecret') {
    const current = Object.keys(stages).find((version) => stages[version].includes('AWSCURRENT'));
    await client.send(new sm.UpdateSecretVersionStageCommand({ SecretId: id, VersionStage: 'AWSCURRENT', MoveToVersionId: token, RemoveFromVersionId: current }));
  }
};`;

let env: Awaited<ReturnType<typeof startDeployer>>;
// These templates are about deployer semantics and grant no IAM: enforcement is switched off (test/simulator/iam covers it).
beforeEach(async () => (env = await startDeployer({}, { iam: 'off' })));
afterEach(() => env.stop());

const rotationFunction = {
  Type: 'AWS::Lambda::Function',
  Properties: { Code: { S3Bucket: 'assets', S3Key: 'rotation.zip' }, Handler: 'index.handler', Runtime: 'nodejs22.x', Timeout: 30, Role: 'arn:aws:iam::123456789012:role/x' },
};

test('a secret with a generated value, a schedule that rotates it asynchronously, and their deletion', async () => {
  const result = await env.cfn.deploy({
    stackName: 'Secrets',
    assets: { 'rotation.zip': functionAsset(ROTATION_SOURCE) },
    template: {
      Resources: {
        Credentials: {
          Type: 'AWS::SecretsManager::Secret',
          Properties: {
            Description: 'app credentials',
            GenerateSecretString: { SecretStringTemplate: '{"username":"app"}', GenerateStringKey: 'password', PasswordLength: 24, ExcludePunctuation: true },
            Tags: [{ Key: 'team', Value: 'core' }],
          },
        },
        Rotator: rotationFunction,
        Schedule: {
          Type: 'AWS::SecretsManager::RotationSchedule',
          Properties: { SecretId: { Ref: 'Credentials' }, RotationLambdaARN: { 'Fn::GetAtt': ['Rotator', 'Arn'] }, RotationRules: { ScheduleExpression: 'rate(30 days)' } },
        },
      },
      Outputs: { Arn: { Value: { Ref: 'Credentials' } }, ScheduleRef: { Value: { Ref: 'Schedule' } } },
    },
  });

  expect(result.status).toBe('CREATE_COMPLETE');
  const { Arn: arn, ScheduleRef: scheduleRef } = env.cfn.describeStack('Secrets')!.outputs as Record<string, string>;
  expect(arn).toMatch(/^arn:aws:secretsmanager:us-east-1:123456789012:secret:Credentials-[A-Za-z0-9]{12}-[A-Za-z0-9]{6}$/);
  expect(scheduleRef).toBe(arn);
  const initial = JSON.parse((await env.client.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString!);
  expect(initial).toEqual({ username: 'app', password: expect.stringMatching(/^[A-Za-z0-9]{24}$/) });
  const described = await env.client.send(new DescribeSecretCommand({ SecretId: arn }));
  expect(described).toMatchObject({ Description: 'app credentials', Tags: [{ Key: 'team', Value: 'core' }], RotationEnabled: true });
  // RotateImmediatelyOnUpdate defaults to true: the deploy started a rotation and did not wait for it.
  await env.sim.waitForIdle();
  expect(env.sim.events.filter((e) => e.secretArn === arn).map((e) => e.type)).toEqual(['RotationStarted', 'RotationSucceeded']);

  expect((await env.cfn.delete('Secrets')).status).toBe('DELETE_COMPLETE');
  // Deleting the schedule cancelled rotation; deleting the secret force-deleted it (no recovery window).
  await expect(env.client.send(new DescribeSecretCommand({ SecretId: arn }))).rejects.toThrow(/can't find the specified secret/);
});

test('a dynamic reference is resolved when the resource is created, and never shows in events or descriptions', async () => {
  const received: any[] = [];
  env.sim.registerFunction(functionArn('echo'), {
    handler: async (event: any) => {
      received.push(event);
      await respond(event, { Status: 'SUCCESS', PhysicalResourceId: 'echo' });
    },
  });

  await env.cfn.deploy({
    stackName: 'Dynamic',
    template: {
      Resources: {
        Secret: { Type: 'AWS::SecretsManager::Secret', Properties: { SecretString: '{"password":"s3cr3t-value","user":"u"}' } },
        Consumer: {
          Type: 'Custom::Consumer',
          Properties: {
            ServiceToken: functionArn('echo'),
            Password: { 'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: 'Secret' }, ':SecretString:password::}}']] },
            Whole: { 'Fn::Sub': 'user={{resolve:secretsmanager:${Secret}}}' },
          },
        },
      },
    },
  });

  expect(received[0].ResourceProperties.Password).toBe('s3cr3t-value');
  expect(received[0].ResourceProperties.Whole).toBe('user={"password":"s3cr3t-value","user":"u"}');
  const shown = JSON.stringify([env.cfn.events('Dynamic'), env.cfn.describeStack('Dynamic')]);
  expect(shown).not.toContain('s3cr3t-value');
});

test('a function from its asset and one from inline code: environment, log group, name, invoked with the real Lambda client', async () => {
  const asset = functionAsset('exports.handler = async (event) => ({ table: process.env.TABLE, name: process.env.AWS_LAMBDA_FUNCTION_NAME, got: event });');
  await env.cfn.deploy({
    stackName: 'Functions',
    assets: { 'code.zip': asset },
    template: {
      Resources: {
        Logs: { Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 7 } },
        Fn: {
          Type: 'AWS::Lambda::Function',
          Properties: {
            Code: { S3Bucket: 'b', S3Key: 'code.zip' },
            Handler: 'index.handler',
            Runtime: 'nodejs22.x',
            Role: 'arn:aws:iam::123456789012:role/r',
            Environment: { Variables: { TABLE: { 'Fn::Sub': '${AWS::StackName}-table' } } },
            LoggingConfig: { LogGroup: { Ref: 'Logs' } },
          },
        },
        Inline: {
          Type: 'AWS::Lambda::Function',
          Properties: { Code: { ZipFile: 'exports.handler = async () => 42;' }, Handler: 'index.handler', Runtime: 'nodejs22.x', Role: 'arn:aws:iam::123456789012:role/r' },
        },
      },
      Outputs: { Name: { Value: { Ref: 'Fn' } }, Arn: { Value: { 'Fn::GetAtt': ['Fn', 'Arn'] } }, Logs: { Value: { Ref: 'Logs' } }, LogsArn: { Value: { 'Fn::GetAtt': ['Logs', 'Arn'] } }, Inline: { Value: { Ref: 'Inline' } } },
    },
  });
  const outputs = env.cfn.describeStack('Functions')!.outputs as Record<string, string>;
  expect(outputs.Name).toMatch(/^Functions-Fn-[A-Za-z0-9]{12}$/);
  expect(outputs.Arn).toBe(`arn:aws:lambda:us-east-1:123456789012:function:${outputs.Name}`);
  expect(outputs.LogsArn).toBe(`arn:aws:logs:us-east-1:123456789012:log-group:${outputs.Logs}:*`);

  const lambda = new LambdaClient(env.sim.clientConfig());
  const answer = await lambda.send(new InvokeCommand({ FunctionName: outputs.Arn, Payload: JSON.stringify({ hello: 1 }) }));
  const inline = await lambda.send(new InvokeCommand({ FunctionName: outputs.Inline }));
  lambda.destroy();

  expect(JSON.parse(Buffer.from(answer.Payload!).toString())).toEqual({ table: 'Functions-table', name: outputs.Name, got: { hello: 1 } });
  expect(Buffer.from(inline.Payload!).toString()).toBe('42');
  expect(env.sim.logs.events(outputs.Logs).some((e) => e.message.startsWith('START RequestId'))).toBe(true);
});

test('IAM roles and policies, key policies, secret resource policies and Lambda permissions are recorded for queries', async () => {
  const document = (action: string, resource: unknown) => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: resource }] });
  await env.cfn.deploy({
    stackName: 'Iam',
    template: {
      Resources: {
        Secret: { Type: 'AWS::SecretsManager::Secret', Properties: { SecretString: 'x' } },
        Role: {
          Type: 'AWS::IAM::Role',
          Properties: {
            AssumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
            Policies: [{ PolicyName: 'inline', PolicyDocument: document('logs:PutLogEvents', '*') }],
            ManagedPolicyArns: [{ Ref: 'Managed' }],
          },
        },
        Managed: { Type: 'AWS::IAM::ManagedPolicy', Properties: { PolicyDocument: document('secretsmanager:GetSecretValue', { Ref: 'Secret' }) } },
        Attached: { Type: 'AWS::IAM::Policy', Properties: { PolicyName: 'attached', Roles: [{ Ref: 'Role' }], PolicyDocument: document('kms:Decrypt', { 'Fn::GetAtt': ['Key', 'Arn'] }) } },
        Key: { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: document('kms:*', '*') } },
        SecretPolicy: { Type: 'AWS::SecretsManager::ResourcePolicy', Properties: { SecretId: { Ref: 'Secret' }, ResourcePolicy: document('secretsmanager:GetSecretValue', '*') } },
        Invoke: { Type: 'AWS::Lambda::Permission', Properties: { Action: 'lambda:InvokeFunction', FunctionName: 'rotator', Principal: 'secretsmanager.amazonaws.com', SourceAccount: { Ref: 'AWS::AccountId' }, SourceArn: { Ref: 'Secret' } } },
      },
      Outputs: { RoleArn: { Value: { 'Fn::GetAtt': ['Role', 'Arn'] } }, Secret: { Value: { Ref: 'Secret' } }, KeyArn: { Value: { 'Fn::GetAtt': ['Key', 'Arn'] } } },
    },
  });
  const { RoleArn: roleArn, Secret: secretArn, KeyArn: keyArn } = env.cfn.describeStack('Iam')!.outputs as Record<string, string>;

  expect(roleArn).toMatch(/^arn:aws:iam::123456789012:role\/Iam-Role-[A-Za-z0-9]{12}$/);
  expect(env.cfn.policies.role(roleArn)?.trustPolicy.Statement[0].Principal).toEqual({ Service: 'lambda.amazonaws.com' });
  expect(env.cfn.policies.identityPolicies(roleArn).flatMap((d) => d.Statement.map((s) => [s.Action, s.Resource]))).toEqual([
    ['logs:PutLogEvents', '*'],
    ['secretsmanager:GetSecretValue', secretArn],
    ['kms:Decrypt', keyArn],
  ]);
  expect(env.cfn.policies.resourcePolicies(secretArn)[0].Statement[0].Action).toBe('secretsmanager:GetSecretValue');
  expect(env.cfn.policies.resourcePolicies(keyArn)).toHaveLength(1);
  expect(env.cfn.policies.resourcePolicies('arn:aws:lambda:us-east-1:123456789012:function:rotator')[0].Statement[0]).toMatchObject({
    Effect: 'Allow',
    Principal: { Service: 'secretsmanager.amazonaws.com' },
    Action: 'lambda:InvokeFunction',
    Condition: { ArnLike: { 'AWS:SourceArn': secretArn }, StringEquals: { 'AWS:SourceAccount': '123456789012' } },
  });

  await env.cfn.delete('Iam');
  expect(env.cfn.policies.records()).toEqual([]);
});

test('other types are recorded with plausible ids and attributes', async () => {
  await env.cfn.deploy({
    stackName: 'Network',
    template: {
      Resources: {
        Vpc: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.0.0.0/16' } },
        Subnet: { Type: 'AWS::EC2::Subnet', Properties: { VpcId: { Ref: 'Vpc' }, CidrBlock: '10.0.0.0/24', AvailabilityZone: { 'Fn::Select': [1, { 'Fn::GetAZs': '' }] } } },
        Group: { Type: 'AWS::EC2::SecurityGroup', Properties: { GroupDescription: 'db', VpcId: { Ref: 'Vpc' } } },
        Alarm: { Type: 'AWS::CloudWatch::Alarm', Properties: { MetricName: 'Errors' } },
      },
      Outputs: {
        Vpc: { Value: { Ref: 'Vpc' } },
        Cidr: { Value: { 'Fn::GetAtt': ['Vpc', 'CidrBlock'] } },
        Zone: { Value: { 'Fn::GetAtt': ['Subnet', 'AvailabilityZone'] } },
        Group: { Value: { 'Fn::GetAtt': ['Group', 'GroupId'] } },
        AlarmArn: { Value: { 'Fn::GetAtt': ['Alarm', 'Arn'] } },
      },
    },
  });
  const outputs = env.cfn.describeStack('Network')!.outputs as Record<string, string>;
  expect(outputs).toEqual({
    Vpc: expect.stringMatching(/^vpc-[0-9a-f]{17}$/),
    Cidr: '10.0.0.0/16',
    Zone: 'us-east-1b',
    Group: expect.stringMatching(/^sg-[0-9a-f]{17}$/),
    AlarmArn: expect.stringMatching(/^arn:aws:cloudwatch:us-east-1:123456789012:alarm:Network-Alarm-[A-Za-z0-9]{12}$/),
  });
});

test('a transform the deployer cannot run: the resources it serves are recorded with a note, not simulated', async () => {
  const result = await env.cfn.deploy({
    stackName: 'Hosted',
    template: {
      Transform: 'AWS::SecretsManager-2020-07-23',
      Resources: {
        Secret: { Type: 'AWS::SecretsManager::Secret', Properties: { GenerateSecretString: {} } },
        Schedule: {
          Type: 'AWS::SecretsManager::RotationSchedule',
          Properties: { SecretId: { Ref: 'Secret' }, HostedRotationLambda: { RotationType: 'PostgreSQLSingleUser' }, RotationRules: { AutomaticallyAfterDays: 30 } },
        },
      },
    },
  });

  expect(result.status).toBe('CREATE_COMPLETE');
  const schedule = env.cfn.describeStack('Hosted')!.resources.find((r) => r.logicalId === 'Schedule')!;
  expect(schedule.notSimulated).toBe('served by the AWS::SecretsManager-2020-07-23 transform, which is not simulated');
  const secretArn = env.cfn.describeStack('Hosted')!.resources.find((r) => r.logicalId === 'Secret')!.physicalId!;
  expect((await env.client.send(new DescribeSecretCommand({ SecretId: secretArn }))).RotationEnabled).toBeUndefined();
});

test('what this machine cannot simulate fails, or with skipUnsimulated is skipped with its dependents and the reason', async () => {
  const template = {
    Resources: {
      Python: { Type: 'AWS::Lambda::Function', Properties: { Code: { ZipFile: 'def handler(e, c): pass' }, Handler: 'index.handler', Runtime: 'python3.12', Role: 'arn:aws:iam::123456789012:role/r' } },
      Uses: { Type: 'AWS::Lambda::Permission', Properties: { Action: 'lambda:InvokeFunction', FunctionName: { Ref: 'Python' }, Principal: 'sns.amazonaws.com' } },
      Independent: { Type: 'AWS::SNS::Topic' },
    },
  };
  const failing = await env.cfn.deploy({ stackName: 'Strict', template });
  expect(failing.status).toBe('ROLLBACK_COMPLETE');
  expect(env.cfn.events('Strict').find((e) => e.logicalResourceId === 'Python' && e.resourceStatus === 'CREATE_FAILED')?.resourceStatusReason)
    .toMatch(/runtime python3\.12 is not simulated/);

  const lenient = await startDeployer({ skipUnsimulated: true });
  try {
    expect((await lenient.cfn.deploy({ stackName: 'Lenient', template })).status).toBe('CREATE_COMPLETE');
    const resources = lenient.cfn.describeStack('Lenient')!.resources;
    expect(Object.fromEntries(resources.map((r) => [r.logicalId, r.notSimulated]))).toEqual({
      Python: 'runtime python3.12 is not simulated (Node.js runtimes are)',
      Uses: 'depends on Python, which is not simulated',
      Independent: undefined,
    });
    expect((await lenient.cfn.delete('Lenient')).status).toBe('DELETE_COMPLETE');
  } finally {
    await lenient.stop();
  }
});
