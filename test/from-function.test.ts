import * as path from 'node:path';
import { App, Stack, aws_iam as iam, aws_kms as kms, aws_lambda as lambda, aws_logs as logs } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { RotatingSecret, RotationStrategy } from '../src';
import { CHECK_RESOURCE_TYPE } from '../src/private/contract';

/** A user's own rotation function, as an app defines it (inline code: only its template matters here). */
function ownFunction(stack: Stack, props: Partial<lambda.FunctionProps> = {}): lambda.Function {
  return new lambda.Function(stack, 'OwnRotation', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => {};'),
    ...props,
  });
}

const functionArn = (fn: lambda.IFunction, stack: Stack) => stack.resolve(fn.functionArn);

describe('RotationStrategy.fromFunction', () => {
  test('Secrets Manager may invoke the function only from this account and for this secret; no bundled rotation function', () => {
    // GIVEN
    const stack = new Stack(new App(), 'Stack');
    const fn = ownFunction(stack);
    // WHEN
    const secret = new RotatingSecret(stack, 'WebhookKey', { strategy: RotationStrategy.fromFunction(fn) });
    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Lambda::Permission', 1);
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: functionArn(fn, stack),
      Principal: 'secretsmanager.amazonaws.com',
      SourceAccount: { Ref: 'AWS::AccountId' },
      SourceArn: { Ref: Match.stringLikeRegexp('^WebhookKey') },
    });
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', { RotationLambdaARN: functionArn(fn, stack) });
    // The user's function and the deploy-time check's: no function of this library rotates the secret.
    template.resourceCountIs('AWS::Lambda::Function', 2);
    expect(secret.rotationFunction).toBe(fn);
  });

  test('secrets sharing the function share its permission, which then keeps only the account condition', () => {
    const stack = new Stack(new App(), 'Stack');
    const fn = ownFunction(stack);
    new RotatingSecret(stack, 'First', { strategy: RotationStrategy.fromFunction(fn) });
    new RotatingSecret(stack, 'Second', { strategy: RotationStrategy.fromFunction(fn) });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Lambda::Permission', 1);
    template.hasResourceProperties('AWS::Lambda::Permission', { SourceAccount: { Ref: 'AWS::AccountId' }, SourceArn: Match.absent() });
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 1);
  });

  test('the function\'s role may reach exactly the secrets that rotate with it, and their key only through Secrets Manager', () => {
    const stack = new Stack(new App(), 'Stack');
    const fn = ownFunction(stack);
    const key = new kms.Key(stack, 'Key');
    new RotatingSecret(stack, 'WebhookKey', { strategy: RotationStrategy.fromFunction(fn), encryptionKey: key });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Roles: [stack.resolve(fn.role!.roleName)],
      PolicyDocument: {
        Statement: [
          {
            Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'],
            Effect: 'Allow',
            Resource: Match.anyValue(),
            Condition: { StringEquals: { 'secretsmanager:resource/AllowRotationLambdaArn': functionArn(fn, stack) } },
          },
          {
            Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
            Effect: 'Allow',
            Resource: stack.resolve(key.keyArn),
            Condition: Match.objectLike({ StringEquals: { 'kms:ViaService': Match.anyValue() } }),
          },
        ],
      },
    });
  });

  test('an imported function gets the permission all the same (fn.addPermission would skip it), and no policy: its role is not the app\'s', () => {
    const stack = new Stack(new App(), 'Stack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const arn = 'arn:aws:lambda:eu-west-1:111111111111:function:SecretsManagerRotation';
    new RotatingSecret(stack, 'WebhookKey', { strategy: RotationStrategy.fromFunction(lambda.Function.fromFunctionArn(stack, 'FromSar', arn)) });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Permission', { FunctionName: arn, Principal: 'secretsmanager.amazonaws.com', SourceAccount: '111111111111' });
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
  });

  test('the check knows the function is not this library\'s, and where it logs: its own log group, a given one, or none for an import', () => {
    const stack = new Stack(new App(), 'Stack');
    const own = ownFunction(stack);
    const given = new logs.LogGroup(stack, 'SarLogs');
    const sar = lambda.Function.fromFunctionArn(stack, 'FromSar', 'arn:aws:lambda:us-east-1:123456789012:function:sar-rotation');
    const unknown = lambda.Function.fromFunctionArn(stack, 'Other', 'arn:aws:lambda:us-east-1:123456789012:function:other-rotation');
    new RotatingSecret(stack, 'Own', { strategy: RotationStrategy.fromFunction(own) });
    new RotatingSecret(stack, 'Sar', { strategy: RotationStrategy.fromFunction(sar, { logGroup: given }) });
    new RotatingSecret(stack, 'Unknown', { strategy: RotationStrategy.fromFunction(unknown) });
    const template = Template.fromStack(stack);
    template.hasResourceProperties(CHECK_RESOURCE_TYPE, {
      RotationFunctions: [
        { FunctionArn: functionArn(own, stack), LogGroupName: { 'Fn::Join': ['', ['/aws/lambda/', { Ref: Match.stringLikeRegexp('^OwnRotation') }]] }, TimeoutSeconds: '3', FunctionKind: 'foreign' },
        { FunctionArn: sar.functionArn, LogGroupName: { Ref: Match.stringLikeRegexp('^SarLogs') }, TimeoutSeconds: '900', FunctionKind: 'foreign' },
        { FunctionArn: unknown.functionArn, TimeoutSeconds: '900', FunctionKind: 'foreign' },
      ],
    });
    // The check may search only the log groups it knows, and invoke the functions (RotateSecret requires it).
    const policy = Object.values(template.findResources('AWS::IAM::Role', { Properties: { Description: Match.stringLikeRegexp('Verifies at deploy time') } }))[0];
    const statements = policy.Properties.Policies[0].PolicyDocument.Statement as Array<{ Action: unknown; Resource: unknown }>;
    expect(statements.find((s) => s.Action === 'logs:FilterLogEvents')!.Resource).toHaveLength(2);
    expect(statements.find((s) => s.Action === 'lambda:InvokeFunction')!.Resource).toEqual([functionArn(own, stack), sar.functionArn, unknown.functionArn]);
  });

  test('a function with its own log group is searched there, without adding a log-retention resource', () => {
    const stack = new Stack(new App(), 'Stack');
    const logGroup = new logs.LogGroup(stack, 'OwnLogs');
    new RotatingSecret(stack, 'Own', { strategy: RotationStrategy.fromFunction(ownFunction(stack, { logGroup })) });
    const template = Template.fromStack(stack);
    template.hasResourceProperties(CHECK_RESOURCE_TYPE, { RotationFunctions: [Match.objectLike({ LogGroupName: { Ref: Match.stringLikeRegexp('^OwnLogs') } })] });
    template.resourceCountIs('Custom::LogRetention', 0);
  });

  test('the first value follows the given JSON shape; failure alarms watch the function\'s errors', () => {
    const stack = new Stack(new App(), 'Stack');
    const fn = ownFunction(stack);
    const secret = new RotatingSecret(stack, 'Partner', {
      strategy: RotationStrategy.fromFunction(fn, { secretStringTemplate: '{"clientId":"app"}', generateStringKey: 'clientSecret' }),
      failureAlarms: true,
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({ SecretStringTemplate: '{"clientId":"app"}', GenerateStringKey: 'clientSecret' }),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: stack.resolve(fn.functionName) }],
    });
    expect(stack.resolve(secret.metricRotationErrors().dimensions)).toEqual({ FunctionName: stack.resolve(fn.functionName) });
  });

  test('the function\'s code is part of what the check verified: new code rotates again', () => {
    const fingerprintWith = (code: string) => {
      const stack = new Stack(new App(), 'Stack');
      new RotatingSecret(stack, 'Own', { strategy: RotationStrategy.fromFunction(ownFunction(stack, { code: lambda.Code.fromInline(code) })) });
      return Template.fromStack(stack).findResources(CHECK_RESOURCE_TYPE);
    };
    const fingerprint = (resources: Record<string, any>) => Object.values(resources)[0].Properties.RotatedSecrets[0].Fingerprint;
    expect(fingerprint(fingerprintWith('exports.handler = async () => 1;'))).not.toEqual(fingerprint(fingerprintWith('exports.handler = async () => 2;')));
    expect(fingerprint(fingerprintWith('exports.handler = async () => 1;'))).toEqual(fingerprint(fingerprintWith('exports.handler = async () => 1;')));
  });

  test('a role given to the function by the app is granted the same way', () => {
    const stack = new Stack(new App(), 'Stack');
    const role = new iam.Role(stack, 'RotationRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    new RotatingSecret(stack, 'Own', { strategy: RotationStrategy.fromFunction(ownFunction(stack, { role })) });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::ManagedPolicy', { Roles: [{ Ref: Match.stringLikeRegexp('^RotationRole') }] });
  });
});

describe('RotationStrategy.custom', () => {
  const ENTRY = path.join(__dirname, '..', 'examples', 'webhook-rotation.ts');

  test('bundles the entry with the engine into one function per stack and strategy, which runs this library\'s engine for the check', () => {
    const stack = new Stack(new App(), 'Stack');
    const strategy = RotationStrategy.custom({
      entry: ENTRY,
      environment: { WEBHOOK_RECEIVER_URL: 'https://hooks.example.com' },
      policyStatements: [new iam.PolicyStatement({ actions: ['ssm:GetParameter'], resources: ['arn:aws:ssm:us-east-1:123456789012:parameter/hooks/*'] })],
    });
    new RotatingSecret(stack, 'First', { strategy });
    new RotatingSecret(stack, 'Second', { strategy });
    const template = Template.fromStack(stack);
    const functions = template.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp('custom: webhook-rotation.ts') } });
    expect(Object.keys(functions)).toHaveLength(1);
    const [logicalId, fn] = Object.entries(functions)[0];
    expect(fn.Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      Timeout: 60,
      Environment: { Variables: { WEBHOOK_RECEIVER_URL: 'https://hooks.example.com' } },
      LoggingConfig: { LogGroup: { Ref: expect.stringMatching(/^CustomRotationWebhookrotationLogs/) } },
    });
    // The user's statement and its own logs on its role; the rotated secrets through the conditioned managed policy.
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [Match.objectLike({ Action: ['logs:CreateLogStream', 'logs:PutLogEvents'] }), Match.objectLike({ Action: 'ssm:GetParameter' })] },
    });
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: { Statement: [Match.objectLike({ Condition: { StringEquals: { 'secretsmanager:resource/AllowRotationLambdaArn': { 'Fn::GetAtt': [logicalId, 'Arn'] } } } })] },
    });
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 1);
    template.hasResourceProperties(CHECK_RESOURCE_TYPE, { RotationFunctions: [Match.objectLike({ FunctionArn: { 'Fn::GetAtt': [logicalId, 'Arn'] }, FunctionKind: Match.absent() })] });
  });
});
