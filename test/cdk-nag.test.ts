import { App, Stack, aws_ec2 as ec2, aws_iam as iam, aws_kms as kms, aws_lambda as lambda } from 'aws-cdk-lib';
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

/** The packs, and whether they require the customer managed key a compliance team gives its secrets. */
const PACKS: ReadonlyArray<[string, new (scope: App) => NagPack, boolean]> = [
  ['AwsSolutions', AwsSolutionsChecks, false],
  ['NIST 800-53 R5', NIST80053R5Checks, true],
  ['HIPAA Security', HIPAASecurityChecks, true],
  ['PCI DSS 3.2.1', PCIDSS321Checks, true],
];

type Shape = (customerKey: boolean) => { stack: Stack; userResources: readonly string[] };
const keyOf = (stack: Stack, customerKey: boolean) => (customerKey ? new kms.Key(stack, 'SecretKey', { enableKeyRotation: true }) : undefined);

/** Every shape of stack the tests build, with the resources in it that stand for the user's own. */
const STACK_SHAPES: ReadonlyArray<[string, Shape]> = [
  ['the example app', () => ({ stack: new ExampleStack(new App(), 'Example'), userResources: EXAMPLE_USER_RESOURCES })],
  ['database strategies in a VPC with failure alarms', (customerKey) => {
    const stack = new Stack(new App(), 'Databases');
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
    new RotatingSecret(stack, 'Secret', {
      strategy: RotationStrategy.postgresSingleUser({ database: DatabaseTarget.fromEndpoint({ host: 'db.internal' }), username: 'app', vpc }),
      failureAlarms: true,
      encryptionKey: keyOf(stack, customerKey),
    });
    // The VPC is the test's own (flow logs are the user's choice): only findings on our resources count.
    return { stack, userResources: ['Vpc'] };
  }],
  ['a generic secret with failure alarms', (customerKey) => {
    const stack = new Stack(new App(), 'Alarms');
    new RotatingSecret(stack, 'Secret', { failureAlarms: true, encryptionKey: keyOf(stack, customerKey) });
    return { stack, userResources: [] };
  }],
  ['IAM user access keys with failure alarms', (customerKey) => {
    const stack = new Stack(new App(), 'AccessKeys');
    // The user is the test's own (its group membership is the user's choice): only findings on our resources count.
    const user = new iam.User(stack, 'Partner');
    new RotatingSecret(stack, 'Secret', { strategy: RotationStrategy.iamUserAccessKey({ user }), failureAlarms: true, encryptionKey: keyOf(stack, customerKey) });
    return { stack, userResources: ['Partner'] };
  }],
  ['a secret without verification', (customerKey) => {
    const stack = new Stack(new App(), 'Plain');
    new RotatingSecret(stack, 'Secret', { verifyOnDeploy: false, encryptionKey: keyOf(stack, customerKey) });
    return { stack, userResources: [] };
  }],
];

describe.each(PACKS)('cdk-nag %s', (_name, Pack, customerKey) => {
  test.each(STACK_SHAPES)('%s has no unacknowledged findings', (_shape, build) => {
    const { stack, userResources } = build(customerKey);
    expect(violations(stack, Pack, userResources)).toEqual([]);
  });
});

describe('the rule packs do run', () => {
  test('AwsSolutions: an unacknowledged finding on a user resource is reported', () => {
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

  test.each(PACKS.slice(1))('%s: a secret without a customer managed key is reported', (_name, Pack) => {
    const stack = new Stack(new App(), 'Control');
    new RotatingSecret(stack, 'Secret');
    expect(violations(stack, Pack).join('\n')).toMatch(/SecretsManagerUsingKMSKey/);
  });
});
