import { startDeployer, topic } from './support';

/** Every intrinsic function and pseudo parameter CDK emits, resolved as CloudFormation resolves them, seen in Outputs. */

let env: Awaited<ReturnType<typeof startDeployer>>;
beforeEach(async () => (env = await startDeployer()));
afterEach(() => env.stop());

test('intrinsic functions, pseudo parameters, parameters, conditions and mappings', async () => {
  const result = await env.cfn.deploy({
    stackName: 'Intrinsics',
    parameters: { Stage: 'prod' },
    template: {
      Parameters: {
        Stage: { Type: 'String', AllowedValues: ['dev', 'prod'] },
        Zones: { Type: 'CommaDelimitedList', Default: 'a, b' },
        BootstrapVersion: { Type: 'AWS::SSM::Parameter::Value<String>', Default: '/cdk-bootstrap/hnb659fds/version' },
      },
      Mappings: { Sizes: { prod: { Memory: 1024 }, dev: { Memory: 128 } } },
      Conditions: {
        IsProd: { 'Fn::Equals': [{ Ref: 'Stage' }, 'prod'] },
        IsDev: { 'Fn::Not': [{ Condition: 'IsProd' }] },
        Both: { 'Fn::And': [{ Condition: 'IsProd' }, { 'Fn::Equals': ['1', 1] }] },
        Either: { 'Fn::Or': [{ Condition: 'IsDev' }, { Condition: 'Both' }] },
      },
      Resources: {
        Topic: topic({ Properties: { TopicName: 'alerts' } }),
        DevOnly: topic({ Condition: 'IsDev' }),
      },
      Outputs: {
        Account: { Value: { Ref: 'AWS::AccountId' } },
        Region: { Value: { Ref: 'AWS::Region' } },
        Partition: { Value: { Ref: 'AWS::Partition' } },
        UrlSuffix: { Value: { Ref: 'AWS::URLSuffix' } },
        StackName: { Value: { Ref: 'AWS::StackName' } },
        StackId: { Value: { Ref: 'AWS::StackId' } },
        Notifications: { Value: { 'Fn::Join': [',', { Ref: 'AWS::NotificationARNs' }] } },
        Join: { Value: { 'Fn::Join': ['-', ['a', { Ref: 'Stage' }, { 'Fn::GetAtt': ['Topic', 'TopicName'] }]] } },
        SubString: { Value: { 'Fn::Sub': '${AWS::Region}/${Topic}/${Topic.TopicName}/${!Literal}' } },
        SubWithVariables: { Value: { 'Fn::Sub': ['${Greeting}, ${Stage}', { Greeting: { 'Fn::Select': [1, ['hi', 'hello']] } }] } },
        SelectSplit: { Value: { 'Fn::Select': [2, { 'Fn::Split': [':', { Ref: 'Topic' }] }] } },
        ListParameter: { Value: { 'Fn::Select': [1, { Ref: 'Zones' }] } },
        Bootstrap: { Value: { Ref: 'BootstrapVersion' } },
        If: { Value: { 'Fn::If': ['IsProd', 'production', { Ref: 'DevOnly' }] } },
        IfNoValue: { Value: { 'Fn::Join': ['+', ['x', { 'Fn::If': ['IsDev', 'dev', { Ref: 'AWS::NoValue' }] }]] } },
        Either: { Value: { 'Fn::If': ['Either', 'yes', 'no'] } },
        FindInMap: { Value: { 'Fn::FindInMap': ['Sizes', { Ref: 'Stage' }, 'Memory'] } },
        Base64: { Value: { 'Fn::Base64': 'hello' } },
        Zone: { Value: { 'Fn::Select': [0, { 'Fn::GetAZs': '' }] } },
        Exported: { Value: 'shared', Export: { Name: { 'Fn::Sub': '${AWS::StackName}-Shared' } } },
        DevOutput: { Condition: 'IsDev', Value: { Ref: 'DevOnly' } },
      },
    },
  });

  expect(result.status).toBe('CREATE_COMPLETE');
  const stack = env.cfn.describeStack('Intrinsics')!;
  const topicArn = 'arn:aws:sns:us-east-1:123456789012:alerts';
  expect(stack.outputs).toEqual({
    Account: '123456789012',
    Region: 'us-east-1',
    Partition: 'aws',
    UrlSuffix: 'amazonaws.com',
    StackName: 'Intrinsics',
    StackId: stack.stackId,
    Notifications: '',
    Join: 'a-prod-alerts',
    SubString: `us-east-1/${topicArn}/alerts/\${Literal}`,
    SubWithVariables: 'hello, prod',
    SelectSplit: 'sns',
    ListParameter: 'b',
    Bootstrap: '30',
    If: 'production',
    IfNoValue: 'x',
    Either: 'yes',
    FindInMap: 1024,
    Base64: 'aGVsbG8=',
    Zone: 'us-east-1a',
    Exported: 'shared',
  });
  expect(stack.stackId).toMatch(/^arn:aws:cloudformation:us-east-1:123456789012:stack\/Intrinsics\/[0-9a-f-]{36}$/);
  expect(stack.exports).toEqual({ 'Intrinsics-Shared': 'shared' });
  expect(stack.resources.map((r) => r.logicalId)).toEqual(['Topic']);
});

test('Fn::ImportValue reads another stack\'s export, which then cannot be deleted', async () => {
  await env.cfn.deploy({ stackName: 'Producer', template: { Resources: { T: topic() }, Outputs: { Arn: { Value: { Ref: 'T' }, Export: { Name: 'TopicArn' } } } } });
  await env.cfn.deploy({ stackName: 'Consumer', template: { Resources: { T: topic() }, Outputs: { Imported: { Value: { 'Fn::ImportValue': 'TopicArn' } } } } });

  expect(env.cfn.describeStack('Consumer')!.outputs.Imported).toBe(env.cfn.describeStack('Producer')!.outputs.Arn);
  await expect(env.cfn.delete('Producer')).rejects.toThrow('Export TopicArn cannot be deleted as it is in use by Consumer');
  await env.cfn.delete('Consumer');
  expect((await env.cfn.delete('Producer')).status).toBe('DELETE_COMPLETE');
});

test('an unknown export fails the resource that imports it', async () => {
  const result = await env.cfn.deploy({ stackName: 'Lonely', template: { Resources: { T: topic({ Properties: { DisplayName: { 'Fn::ImportValue': 'Nothing' } } }) } } });

  expect(result.status).toBe('ROLLBACK_COMPLETE');
  expect(env.cfn.events('Lonely').find((e) => e.resourceStatus === 'CREATE_FAILED')?.resourceStatusReason).toBe('No export named Nothing found.');
});
