import { App, Stack, aws_ec2 as ec2, aws_lambda as lambda } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NagPack, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { ExampleStack } from '../examples/example-stack';
import { DatabaseTarget, RotatingSecret, RotationStrategy } from '../src';

function violations(stack: Stack, Pack: new (scope: App) => NagPack = AwsSolutionsChecks, ignored: readonly string[] = []) {
  const report = new Pack(stack.node.scope as App).validateScope(stack);
  return report.violations.flatMap((v) => {
    const paths = v.violatingResources.map((r) => r.constructPath ?? r.resourceLogicalId ?? r.locations.join(' '));
    const ours = paths.filter((p) => !ignored.some((prefix) => p.startsWith(`${stack.stackName}/${prefix}/`)));
    return ours.length > 0 ? [`${v.ruleName}: ${ours.join(', ')}`] : [];
  });
}

/**
 * The example's VPC and databases stand in for a team's own (their flow logs, backups, deletion protection and
 * ports are the team's choice): only findings on what the constructs add count.
 */
const EXAMPLE_USER_RESOURCES = ['Vpc', 'OrdersDatabase', 'InventoryCluster'];

describe('cdk-nag AwsSolutions', () => {
  test('the example app has no unacknowledged findings', () => {
    const stack = new ExampleStack(new App(), 'Example');
    expect(violations(stack, AwsSolutionsChecks, EXAMPLE_USER_RESOURCES)).toEqual([]);
  });

  test('database strategies in a VPC with failure alarms have no unacknowledged findings', () => {
    const stack = new Stack(new App(), 'Databases');
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
    new RotatingSecret(stack, 'Secret', {
      strategy: RotationStrategy.postgresSingleUser({ database: DatabaseTarget.fromEndpoint({ host: 'db.internal' }), username: 'app', vpc }),
      failureAlarms: true,
    });
    // The VPC is the test's own (flow logs are the user's choice): only findings on our resources count.
    expect(violations(stack, AwsSolutionsChecks, ['Vpc'])).toEqual([]);
  });

  test('a secret without verification has no unacknowledged findings', () => {
    const stack = new Stack(new App(), 'Plain');
    new RotatingSecret(stack, 'Secret', { verifyOnDeploy: false });
    expect(violations(stack)).toEqual([]);
  });

  test('the rule pack does run: an unacknowledged finding on a user resource is reported', () => {
    // A Lambda function with an outdated runtime, owned by the user: nothing of ours acknowledges it.
    const stack = new Stack(new App(), 'Control');
    new RotatingSecret(stack, 'Secret');
    new lambda.Function(stack, 'UserFunction', {
      runtime: lambda.Runtime.NODEJS_18_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => {}'),
    });
    expect(violations(stack).join('\n')).toMatch(/AwsSolutions-L1/);
  });
});

describe.each<[string, new (scope: App) => NagPack]>([
  ['NIST 800-53 R5', NIST80053R5Checks],
  ['HIPAA Security', HIPAASecurityChecks],
  ['PCI DSS 3.2.1', PCIDSS321Checks],
])('cdk-nag %s', (_name, Pack) => {
  test('the example app has no unacknowledged findings', () => {
    const stack = new ExampleStack(new App(), 'Example');
    expect(violations(stack, Pack, EXAMPLE_USER_RESOURCES)).toEqual([]);
  });

  test('the pack does run: a secret without a customer managed key is reported', () => {
    const stack = new Stack(new App(), 'Control');
    new RotatingSecret(stack, 'Secret');
    expect(violations(stack, Pack).join('\n')).toMatch(/SecretsManagerUsingKMSKey/);
  });
});
