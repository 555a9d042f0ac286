import { App, Duration, Stack, aws_ec2 as ec2, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { DatabaseTarget, RotatingSecret, RotationStrategy, Schedule } from '../src';

/**
 * Changing a rotation option of a deployed secret must update resources in place: a changed logical id is a
 * replacement (a new function, role and policy, and a retained log group left behind).
 */
function resourceIds(build: (stack: Stack) => void): Record<string, string> {
  const app = new App();
  const stack = new Stack(app, 'Stack', { env: { account: '111111111111', region: 'eu-west-1' } });
  build(stack);
  const resources = app.synth().getStackByName('Stack').template.Resources as Record<string, { Type: string }>;
  return Object.fromEntries(Object.entries(resources).map(([id, resource]) => [id, resource.Type]));
}

test('changing passwordLength updates the shared function in place: the same logical ids before and after', () => {
  const before = resourceIds((stack) => new RotatingSecret(stack, 'ApiKey', { strategy: RotationStrategy.randomPassword({ passwordLength: 32 }) }));
  const after = resourceIds((stack) => new RotatingSecret(stack, 'ApiKey', { strategy: RotationStrategy.randomPassword({ passwordLength: 40 }) }));

  expect(after).toEqual(before);
  expect(before).toMatchInlineSnapshot(`
{
  "ApiKey25876BBE": "AWS::SecretsManager::Secret",
  "ApiKeySchedule82A23A39": "AWS::SecretsManager::RotationSchedule",
  "GenericRotation9FF902CD": "AWS::Lambda::Function",
  "GenericRotationInvokeA247A705": "AWS::Lambda::Permission",
  "GenericRotationLogsDAC4D704": "AWS::Logs::LogGroup",
  "GenericRotationPolicyCBF63DBB": "AWS::IAM::ManagedPolicy",
  "GenericRotationRole0E9D0814": "AWS::IAM::Role",
  "RotationCheck63AA23CC": "AWS::Lambda::Function",
  "RotationCheckCA1AF613": "Custom::RotationCheck",
  "RotationCheckInvokeSelfDAD2DA74": "AWS::IAM::Policy",
  "RotationCheckLogsFBB6F27E": "AWS::Logs::LogGroup",
  "RotationCheckRole44C0438F": "AWS::IAM::Role",
}
`);
});

test('a database strategy keeps its ids when its options, subnets or connect timeout change', () => {
  const database = (stack: Stack, options: { length: number; timeout: number; subnets: 'first' | 'all' }) => {
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2 });
    new RotatingSecret(stack, 'AppUser', {
      strategy: RotationStrategy.postgresSingleUser({
        database: DatabaseTarget.fromEndpoint({ host: 'db.internal', port: 5432 }),
        username: 'app',
        passwordLength: options.length,
        connectTimeout: Duration.seconds(options.timeout),
        vpc,
        vpcSubnets: { subnets: options.subnets === 'first' ? [vpc.privateSubnets[0]] : vpc.privateSubnets },
      }),
    });
  };
  const before = resourceIds((stack) => database(stack, { length: 32, timeout: 5, subnets: 'first' }));
  const after = resourceIds((stack) => database(stack, { length: 48, timeout: 10, subnets: 'all' }));

  expect(after).toEqual(before);
  expect(Object.keys(before).filter((id) => id.startsWith('PostgresSingleUserRotation'))).toEqual(expect.arrayContaining([
    expect.stringMatching(/^PostgresSingleUserRotation[0-9A-F]{8}$/),
    expect.stringMatching(/^PostgresSingleUserRotationLogs/),
  ]));
});

test('two placements of one strategy get two functions with readable ids; the first keeps its id', () => {
  const appUser = (stack: Stack, id: string, vpc: ec2.IVpc) => new RotatingSecret(stack, id, {
    strategy: RotationStrategy.postgresSingleUser({ database: DatabaseTarget.fromEndpoint({ host: `${id}.internal` }), username: 'app', vpc }),
  });
  const ids = resourceIds((stack) => {
    appUser(stack, 'Orders', new ec2.Vpc(stack, 'OrdersVpc', { maxAzs: 1 }));
    appUser(stack, 'Billing', new ec2.Vpc(stack, 'BillingVpc', { maxAzs: 1 }));
  });
  const functions = Object.entries(ids).filter(([, type]) => type === 'AWS::Lambda::Function').map(([id]) => id);
  expect(functions).toEqual(expect.arrayContaining([
    expect.stringMatching(/^PostgresSingleUserRotation[0-9A-F]{8}$/), expect.stringMatching(/^PostgresSingleUserRotation2[0-9A-F]{8}$/),
  ]));
  const onlyOrders = resourceIds((stack) => appUser(stack, 'Orders', new ec2.Vpc(stack, 'OrdersVpc', { maxAzs: 1 })));
  expect(Object.keys(ids)).toEqual(expect.arrayContaining(Object.keys(onlyOrders)));
});

test('a RotatingSecret keeps the logical id its secret had when it wrapped a Secret: a replaced secret is a lost value', () => {
  // The oracle is the former structure itself, built with aws-cdk-lib: a construct holding a Secret named Resource.
  const formerIds = resourceIds((stack) => {
    for (const [scope, id] of [[stack, 'ApiKey'], [new Construct(stack, 'Team-A'), 'Db_User.1']] as const) {
      new secretsmanager.Secret(new Construct(scope, id), 'Resource');
    }
  });
  const ids = resourceIds((stack) => {
    new RotatingSecret(stack, 'ApiKey');
    new RotatingSecret(new Construct(stack, 'Team-A'), 'Db_User.1', { schedule: Schedule.disabled() });
  });

  const secretIds = (all: Record<string, string>) => Object.keys(all).filter((id) => all[id] === 'AWS::SecretsManager::Secret').sort();
  expect(secretIds(ids)).toEqual(secretIds(formerIds));
  expect(secretIds(ids)).toHaveLength(2);
});
