import { App, Errors, Stack, aws_ec2 as ec2, aws_redshift as redshift, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { DatabaseTarget, RedshiftClusterTarget, RotatingSecret, RotationStrategy } from '../src';
import { redshiftCluster } from './support/redshift-cluster';
import { checkEntryOf, connectionOf, stableTemplate } from './support/template';

function newStack(): Stack {
  return new Stack(new App(), 'Stack', { env: { account: '111111111111', region: 'eu-west-1' } });
}

/** A provisioned cluster whose admin credentials come from `master`, in a VPC, with its own security group. */
function warehouse(stack: Stack, master: secretsmanager.ISecret) {
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
  const securityGroup = new ec2.SecurityGroup(stack, 'WarehouseSecurityGroup', { vpc });
  const subnets = new redshift.CfnClusterSubnetGroup(stack, 'WarehouseSubnets', {
    description: 'warehouse',
    subnetIds: vpc.privateSubnets.map((subnet) => subnet.subnetId),
  });
  const cluster = redshiftCluster(stack, 'Warehouse', master, { clusterSubnetGroupName: subnets.ref, vpcSecurityGroupIds: [securityGroup.securityGroupId] });
  return { vpc, securityGroup, cluster };
}

function rotationFunction(template: Template): Record<string, any> {
  const functions = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp('^Rotates Secrets Manager secrets') } }));
  expect(functions).toHaveLength(1);
  return functions[0];
}

describe('Redshift strategies', () => {
  test('the admin user of a new cluster: attached, rotated by the database bundle, the path to port 5439 opened', () => {
    // GIVEN
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'FunctionVpc', { maxAzs: 2, natGateways: 1 });
    const master = new RotatingSecret(stack, 'WarehouseAdmin', { strategy: RotationStrategy.redshiftSingleUser({ username: 'admin', vpc }) });
    const { cluster, securityGroup } = warehouse(stack, master);

    // WHEN
    master.attach(RedshiftClusterTarget.fromCfnCluster(cluster, { securityGroups: [securityGroup] }));

    // THEN
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SecretsManager::SecretTargetAttachment', {
      TargetType: 'AWS::Redshift::Cluster',
      TargetId: { Ref: stack.getLogicalId(cluster) },
    });
    const fn = rotationFunction(template);
    expect(fn.Properties.Environment.Variables.ROTATION_STRATEGY).toBe('redshift-single-user');
    expect(fn.Properties.Environment.Variables.NODE_EXTRA_CA_CERTS).toBe('/var/runtime/ca-cert.pem');
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [stack.getLogicalId(securityGroup.node.defaultChild as ec2.CfnSecurityGroup), 'GroupId'] },
      FromPort: { 'Fn::GetAtt': [stack.getLogicalId(cluster), 'Endpoint.Port'] },
      Description: 'Secret rotation',
    });
    // The attachment writes host and port; the check merges only what it does not.
    expect(JSON.parse(checkEntryOf(template, 'WarehouseAdmin').ConnectionFields)).toEqual({ engine: 'redshift' });
    // Rotation starts once the cluster and the attachment exist.
    const check = Object.values(template.findResources('Custom::RotationCheck'))[0];
    expect(check.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^WarehouseAdminAttachment/)]));
  });

  test('an application user with alternating users: a DatabaseTarget of the cluster, the master secret readable, port and dbname merged', () => {
    const stack = newStack();
    const admin = new secretsmanager.Secret(stack, 'Admin', { generateSecretString: { secretStringTemplate: '{"username":"admin"}', generateStringKey: 'password' } });
    const { vpc, cluster, securityGroup } = warehouse(stack, admin);

    new RotatingSecret(stack, 'EtlUser', {
      strategy: RotationStrategy.redshiftAlternatingUsers({
        database: RedshiftClusterTarget.fromCfnCluster(cluster, { securityGroups: [securityGroup] }),
        username: 'etl',
        dbname: 'analytics',
        masterSecret: admin,
        vpc,
      }),
    });

    const template = Template.fromStack(stack);
    expect(rotationFunction(template).Properties.Environment.Variables.ROTATION_STRATEGY).toBe('redshift-alternating-users');
    const connection = connectionOf(template, 'EtlUser');
    for (const field of ['\\"engine\\":\\"redshift\\"', '\\"dbname\\":\\"analytics\\"', 'Endpoint.Address', 'Endpoint.Port', '\\"masterarn\\":\\"']) {
      expect(connection).toContain(field);
    }
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'secretsmanager:GetSecretValue', Resource: { Ref: stack.getLogicalId(admin.node.defaultChild as secretsmanager.CfnSecret) } })]) },
    });
  });

  test('a cluster given by endpoint (Redshift Serverless): port 5439 by default', () => {
    const stack = newStack();
    new RotatingSecret(stack, 'AppUser', {
      strategy: RotationStrategy.redshiftSingleUser({
        database: DatabaseTarget.fromEndpoint({ host: 'default.111111111111.eu-west-1.redshift-serverless.amazonaws.com' }),
        username: 'app',
      }),
    });

    const entry = checkEntryOf(Template.fromStack(stack), 'AppUser');
    expect(JSON.parse(entry.ConnectionFields)).toEqual({
      engine: 'redshift', host: 'default.111111111111.eu-west-1.redshift-serverless.amazonaws.com', port: 5439,
    });
  });

  test.each([
    [{ passwordLength: 65 }, /`passwordLength` must be from 8 to 64 for Amazon Redshift, got 65/],
    [{ passwordLength: 7 }, /`passwordLength` must be from 8 to 64 for Amazon Redshift, got 7/],
    [{ excludeCharacters: ':' }, /`excludeCharacters` must include ' " \\ \/ @ \(Amazon Redshift refuses them in passwords\), got ":"/],
    [{ excludeNumbers: true }, /`excludeNumbers` must be false for Amazon Redshift/],
    [{ excludeUppercase: true, excludeLowercase: true }, /`excludeUppercase`, `excludeLowercase` must be false for Amazon Redshift/],
    [{ requireEachIncludedType: false }, /`requireEachIncludedType` must be true for Amazon Redshift/],
    [{ includeSpace: true }, /`includeSpace` must be false for Amazon Redshift/],
    [{ excludeCharacters: '\'"\\/@0123456789' }, /`excludeCharacters` excludes every digit character/],
    [{ username: 'App' }, /\[Stack\/User\] `username` must be lowercase for Amazon Redshift \(it folds user names to lowercase\), got "App"/],
  ])('refuses %j at synth, naming the prop and the value', (options, message) => {
    const stack = newStack();
    const strategy = RotationStrategy.redshiftSingleUser({
      database: DatabaseTarget.fromEndpoint({ host: 'cluster.example.com' }), username: 'app', ...options,
    });
    let error: unknown;
    try {
      new RotatingSecret(stack, 'User', { strategy });
    } catch (caught) {
      error = caught;
    }
    expect(Errors.isValidationError(error)).toBe(true);
    expect((error as Error).message).toMatch(message);
  });

  test('user names: the clone must fit 127 bytes; createUser takes groups (memberOf), not MySQL grants', () => {
    const database = DatabaseTarget.fromEndpoint({ host: 'cluster.example.com' });
    const masterSecret = secretsmanager.Secret.fromSecretNameV2(newStack(), 'Admin', 'admin');
    expect(() => new RotatingSecret(newStack(), 'User', {
      strategy: RotationStrategy.redshiftAlternatingUsers({ database, username: 'a'.repeat(122), masterSecret }),
    })).toThrow(/`username` must be at most 121 characters \(the alternate user "a+_clone" must fit redshift's 127\), got 122/);
    expect(() => new RotatingSecret(newStack(), 'User', {
      strategy: RotationStrategy.redshiftSingleUser({ database, username: 'app', masterSecret, createUser: { grants: [{ privileges: ['SELECT'], on: 'db.*' }] } }),
    })).toThrow(/`createUser.grants` is for MySQL and MariaDB: make PostgreSQL users members of roles, and Amazon Redshift users of groups, with `memberOf`/);

    const stack = newStack();
    const admin = new secretsmanager.Secret(stack, 'Admin');
    const reporter = new RotatingSecret(stack, 'Reporter', {
      strategy: RotationStrategy.redshiftSingleUser({ database, username: 'reporter', masterSecret: admin, createUser: { memberOf: ['analysts'] } }),
    });
    const variables = rotationFunction(Template.fromStack(stack)).Properties.Environment.Variables;
    expect(variables.CREATE_USERS).toEqual({ 'Fn::Join': ['', ['{"', stack.resolve(reporter.secretArn), '":{"memberOf":["analysts"]}}']] });
  });

  test('snapshot: a cluster\'s admin user and an application user with alternating users', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'FunctionVpc', { maxAzs: 2, natGateways: 1 });
    const master = new RotatingSecret(stack, 'WarehouseAdmin', { strategy: RotationStrategy.redshiftSingleUser({ username: 'admin', vpc }) });
    const { cluster, securityGroup } = warehouse(stack, master);
    const target = RedshiftClusterTarget.fromCfnCluster(cluster, { securityGroups: [securityGroup] });
    master.attach(target);
    new RotatingSecret(stack, 'EtlUser', {
      strategy: RotationStrategy.redshiftAlternatingUsers({ database: target, username: 'etl', masterSecret: master, vpc }),
    });

    expect(stableTemplate(stack)).toMatchSnapshot();
  });
});
