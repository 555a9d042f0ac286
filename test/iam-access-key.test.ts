import { App, RemovalPolicy, Stack, aws_iam as iam } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ExistingSecretRotation, RotatingSecret, RotationStrategy } from '../src';
import { ACCESS_KEYS_PROPERTIES, ACCESS_KEYS_RESOURCE_TYPE, CHECK_RESOURCE_TYPE } from '../src/private/contract';

/** The actions of the statement that names the users. */
const KEY_ACTIONS = ['iam:GetUser', 'iam:ListAccessKeys', 'iam:CreateAccessKey', 'iam:UpdateAccessKey', 'iam:DeleteAccessKey'];

function stackWithUser(): { stack: Stack; user: iam.User } {
  const stack = new Stack(new App(), 'Stack');
  return { stack, user: new iam.User(stack, 'Partner', { userName: 'partner-sync' }) };
}

/** Every statement of the rotation function's role, in one list. */
function roleStatements(template: Template): Array<Record<string, unknown>> {
  const policies = { ...template.findResources('AWS::IAM::Policy'), ...template.findResources('AWS::IAM::ManagedPolicy') };
  return Object.values(policies).flatMap((policy) => policy.Properties.PolicyDocument.Statement);
}

describe('RotationStrategy.iamUserAccessKey', () => {
  test('the secret starts with the user\'s name only: no key in the template, no AWS::IAM::AccessKey', () => {
    const { stack, user } = stackWithUser();
    new RotatingSecret(stack, 'PartnerKey', { strategy: RotationStrategy.iamUserAccessKey({ user }) });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::AccessKey', 0);
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      SecretString: { 'Fn::Join': ['', ['{"userName":"', { Ref: Match.stringLikeRegexp('^Partner') }, '"}']] },
      GenerateSecretString: Match.absent(),
    });
    expect(JSON.stringify(template.toJSON())).not.toMatch(/secretAccessKey|SecretAccessKey/);
  });

  test('the function may manage the keys of the strategy\'s users only, and nothing else in IAM', () => {
    const { stack, user } = stackWithUser();
    const other = new iam.User(stack, 'Reporting');
    new RotatingSecret(stack, 'PartnerKey', { strategy: RotationStrategy.iamUserAccessKey({ user }) });
    new RotatingSecret(stack, 'ReportingKey', { strategy: RotationStrategy.iamUserAccessKey({ user: other }) });
    const template = Template.fromStack(stack);
    const iamStatements = roleStatements(template).filter((statement) => JSON.stringify(statement.Action).includes('iam:'));
    expect(iamStatements).toEqual([{
      Effect: 'Allow',
      Action: KEY_ACTIONS,
      Resource: [stack.resolve(user.userArn), stack.resolve(other.userArn)],
    }]);
    // One function for both secrets, which waits for its permissions: whatever waits for it (the check) does too.
    template.resourceCountIs('AWS::SecretsManager::RotationSchedule', 2);
    const rotationFunctions = template.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp('IAM user access keys') } });
    expect(Object.keys(rotationFunctions)).toHaveLength(1);
    const [policyId] = Object.keys(template.findResources('AWS::IAM::ManagedPolicy', { Properties: { Description: Match.stringLikeRegexp('IAM user access keys') } }));
    expect(Object.values(rotationFunctions)[0].DependsOn).toContain(policyId);
  });

  test('Secrets Manager may invoke the function only from this account; the role reaches only the secrets rotating with it', () => {
    const { stack, user } = stackWithUser();
    const secret = new RotatingSecret(stack, 'PartnerKey', { strategy: RotationStrategy.iamUserAccessKey({ user }) });
    const template = Template.fromStack(stack);
    const fnArn = stack.resolve(secret.rotationFunction!.functionArn);
    template.hasResourceProperties('AWS::Lambda::Permission', {
      FunctionName: fnArn,
      Principal: 'secretsmanager.amazonaws.com',
      SourceAccount: { Ref: 'AWS::AccountId' },
      SourceArn: { Ref: Match.stringLikeRegexp('^PartnerKey') },
    });
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: Match.arrayWith(['secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage']),
          Condition: { StringEquals: { 'secretsmanager:resource/AllowRotationLambdaArn': fnArn } },
        })]),
      },
    });
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', { RotationLambdaARN: fnArn });
  });

  test('the deploy-time check runs the first rotation (which makes the first key) and may probe the function', () => {
    const { stack, user } = stackWithUser();
    const secret = new RotatingSecret(stack, 'PartnerKey', { strategy: RotationStrategy.iamUserAccessKey({ user }) });
    const template = Template.fromStack(stack);
    const checks = template.findResources(CHECK_RESOURCE_TYPE);
    expect(Object.keys(checks)).toHaveLength(1);
    const [check] = Object.values(checks);
    const fnArn = stack.resolve(secret.rotationFunction!.functionArn);
    expect(JSON.stringify(check.Properties)).toContain(JSON.stringify(fnArn));
  });

  test('Custom::RotatedAccessKeys, served by the function, is made before the first rotation and deleted after the last, before the user', () => {
    const { stack, user } = stackWithUser();
    const secret = new RotatingSecret(stack, 'PartnerKey', { strategy: RotationStrategy.iamUserAccessKey({ user }) });
    const template = Template.fromStack(stack);
    const cleanups = template.findResources(ACCESS_KEYS_RESOURCE_TYPE);
    expect(Object.keys(cleanups)).toHaveLength(1);
    const [[cleanupId, cleanup]] = Object.entries(cleanups);
    expect(cleanup.Properties).toEqual({
      ServiceToken: stack.resolve(secret.rotationFunction!.functionArn),
      [ACCESS_KEYS_PROPERTIES.secretArn]: stack.resolve(secret.secretArn),
      [ACCESS_KEYS_PROPERTIES.userName]: stack.resolve(user.userName),
      [ACCESS_KEYS_PROPERTIES.retainKeys]: 'false',
    });
    // After the function may read the secret (its managed policy), before the check and the schedule rotate it.
    const [secretsPolicyId] = Object.keys(template.findResources('AWS::IAM::ManagedPolicy', { Properties: { Description: Match.stringLikeRegexp('the secrets cdk-rotating-secrets rotates with it') } }));
    expect(cleanup.DependsOn).toContain(secretsPolicyId);
    for (const type of [CHECK_RESOURCE_TYPE, 'AWS::SecretsManager::RotationSchedule']) {
      expect(Object.values(template.findResources(type))[0].DependsOn).toContain(cleanupId);
    }
  });

  test('a retained secret keeps its keys when the stack is deleted', () => {
    const { stack, user } = stackWithUser();
    new RotatingSecret(stack, 'PartnerKey', { strategy: RotationStrategy.iamUserAccessKey({ user }), removalPolicy: RemovalPolicy.RETAIN });
    const later = new RotatingSecret(stack, 'LaterKey', { strategy: RotationStrategy.iamUserAccessKey({ user }) });
    later.applyRemovalPolicy(RemovalPolicy.RETAIN);
    const cleanups = Object.values(Template.fromStack(stack).findResources(ACCESS_KEYS_RESOURCE_TYPE));
    expect(cleanups.map((cleanup) => cleanup.Properties[ACCESS_KEYS_PROPERTIES.retainKeys])).toEqual(['true', 'true']);
  });

  test('an existing secret that holds the user rotates the same way', () => {
    const { stack, user } = stackWithUser();
    const rotation = new ExistingSecretRotation(stack, 'Existing', {
      secret: RotatingSecret.fromSecretNameV2(stack, 'Imported', 'partner/keys'),
      strategy: RotationStrategy.iamUserAccessKey({ user }),
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', { RotationLambdaARN: stack.resolve(rotation.rotationFunction.functionArn) });
    // The stack does not delete an imported secret: its keys stay.
    template.hasResourceProperties(ACCESS_KEYS_RESOURCE_TYPE, { [ACCESS_KEYS_PROPERTIES.retainKeys]: 'true' });
  });
});
