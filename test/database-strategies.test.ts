import { App, Duration, Stack, aws_ec2 as ec2, aws_kms as kms, aws_rds as rds, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { DatabaseTarget, RotatingSecret, RotationStrategy } from '../src';
import { allStatements, checkEntryOf, connectionOf } from './support/template';

function newStack(): Stack {
  return new Stack(new App(), 'Stack', { env: { account: '111111111111', region: 'eu-west-1' } });
}

function postgres(stack: Stack) {
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
  const instance = new rds.DatabaseInstance(stack, 'Db', {
    engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16 }),
    vpc,
    credentials: rds.Credentials.fromGeneratedSecret('postgres'),
  });
  return { vpc, instance };
}

function rotationFunctions(template: Template) {
  return template.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp('^Rotates Secrets Manager secrets') } });
}

describe('database strategies', () => {
  test('the secret starts with its user and a constant generator; the connection fields are merged by the check', () => {
    // GIVEN
    const stack = newStack();
    const { vpc, instance } = postgres(stack);

    // WHEN
    new RotatingSecret(stack, 'AppUser', {
      strategy: RotationStrategy.postgresSingleUser({ database: DatabaseTarget.fromInstance(instance), username: 'app', dbname: 'orders', vpc }),
    });

    // THEN
    const template = Template.fromStack(stack);
    const secrets = template.findResources('AWS::SecretsManager::Secret', { Properties: { GenerateSecretString: { GenerateStringKey: 'password' } } });
    const [appSecret] = Object.entries(secrets).filter(([id]) => id.startsWith('AppUser')).map(([, r]) => r);
    // Nothing a user may change later is in GenerateSecretString: CloudFormation regenerates the value when it changes.
    expect(appSecret.Properties.GenerateSecretString).toEqual({
      SecretStringTemplate: '{"username":"app"}', GenerateStringKey: 'password', PasswordLength: 30, ExcludePunctuation: true,
    });
    const connection = connectionOf(template, 'AppUser');
    for (const field of ['\\"engine\\":\\"postgres\\"', '\\"dbname\\":\\"orders\\"', '\\"host\\":\\"', '\\"port\\":']) {
      expect(connection).toContain(field);
    }
    expect(connection).not.toContain('ssl');
    expect(connection).not.toContain('username');
    expect(connection).toContain('Endpoint.Address');
  });

  test('the function runs the database bundle in the VPC and may reach the database port', () => {
    const stack = newStack();
    const { vpc, instance } = postgres(stack);
    new RotatingSecret(stack, 'AppUser', {
      strategy: RotationStrategy.postgresSingleUser({ database: DatabaseTarget.fromInstance(instance), username: 'app', vpc }),
    });

    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('postgres-single-user'),
      VpcConfig: { SubnetIds: Match.anyValue(), SecurityGroupIds: Match.anyValue() },
      Environment: { Variables: Match.objectLike({ ROTATION_STRATEGY: 'postgres-single-user', CONNECT_TIMEOUT_SECONDS: '5', NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem' }) },
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp',
      Description: 'Secret rotation',
      FromPort: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Db'), 'Endpoint.Port'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PostgresSingleUserRotation'), 'GroupId'] },
    });
  });

  test('the path to the database: ingress there; egress only from a security group that restricts outbound; no warning', () => {
    const stack = newStack();
    const { vpc, instance } = postgres(stack);
    const restricted = new ec2.SecurityGroup(stack, 'Restricted', { vpc, allowAllOutbound: false });
    new RotatingSecret(stack, 'DefaultGroup', {
      strategy: RotationStrategy.postgresSingleUser({ database: DatabaseTarget.fromInstance(instance), username: 'app', vpc }),
    });
    new RotatingSecret(stack, 'OwnGroup', {
      strategy: RotationStrategy.mysqlSingleUser({
        database: DatabaseTarget.fromEndpoint({ host: 'db.internal', port: 3306, connections: instance }), username: 'app', vpc, securityGroups: [restricted],
      }),
    });

    const template = Template.fromStack(stack);
    // Our own group allows all outbound: a rule there would be redundant (aws-cdk-lib warns about it on every synth).
    template.resourcePropertiesCountIs('AWS::EC2::SecurityGroupEgress', { Description: 'Secret rotation' }, 1);
    template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Restricted'), 'GroupId'] }, FromPort: 3306, ToPort: 3306,
    });
    template.resourcePropertiesCountIs('AWS::EC2::SecurityGroupIngress', { Description: 'Secret rotation' }, 2);
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
  });

  test('EC2 network-interface actions are the only "*" resource, and only for a function in a VPC', () => {
    const stack = newStack();
    const { vpc, instance } = postgres(stack);
    new RotatingSecret(stack, 'InVpc', {
      strategy: RotationStrategy.postgresSingleUser({ database: DatabaseTarget.fromInstance(instance), username: 'app', vpc }),
    });
    new RotatingSecret(stack, 'Outside', {
      strategy: RotationStrategy.mysqlSingleUser({ database: DatabaseTarget.fromEndpoint({ host: 'db.example.com' }), username: 'app' }),
    });

    const template = Template.fromStack(stack);
    const wildcard = allStatements(template).filter((s) => [s.Resource].flat().includes('*'));
    expect(wildcard).toEqual([{
      Effect: 'Allow',
      Action: ['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'],
      Resource: '*',
    }]);
  });

  test('alternating users may read the master secret, and decrypt it only through Secrets Manager', () => {
    const stack = newStack();
    const { vpc, instance } = postgres(stack);
    const key = new kms.Key(stack, 'MasterKey');
    const master = new secretsmanager.Secret(stack, 'Master', { encryptionKey: key });
    new RotatingSecret(stack, 'Reporting', {
      strategy: RotationStrategy.postgresAlternatingUsers({ database: DatabaseTarget.fromInstance(instance), username: 'reporting', vpc, masterSecret: master }),
    });

    const template = Template.fromStack(stack);
    const masterRef = stack.resolve(master.secretArn);
    const keyArn = stack.resolve(key.keyArn);
    const statements = allStatements(template);
    expect(statements).toContainEqual({ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: masterRef });
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: keyArn,
      Condition: {
        StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['secretsmanager.eu-west-1.', { Ref: 'AWS::URLSuffix' }]] } },
        StringLike: { 'kms:EncryptionContext:SecretARN': masterRef },
      },
    });
    expect(connectionOf(template, 'Reporting')).toContain('masterarn');
  });

  test('a master secret imported by name matches its real ARN with the random suffix', () => {
    const stack = newStack();
    const master = secretsmanager.Secret.fromSecretNameV2(stack, 'Master', 'prod/db/master');
    new RotatingSecret(stack, 'Reporting', {
      strategy: RotationStrategy.mysqlAlternatingUsers({ database: DatabaseTarget.fromEndpoint({ host: 'db.internal' }), username: 'reporting', masterSecret: master }),
    });

    const statements = allStatements(Template.fromStack(stack));
    const read = statements.find((s) => s.Action === 'secretsmanager:GetSecretValue');
    expect(JSON.stringify(read.Resource)).toContain(':secret:prod/db/master-??????');
  });

  test('same placement shares one function; another placement or engine gets its own', () => {
    const stack = newStack();
    const { vpc, instance } = postgres(stack);
    const target = DatabaseTarget.fromInstance(instance);
    new RotatingSecret(stack, 'A', { strategy: RotationStrategy.postgresSingleUser({ database: target, username: 'a', vpc }) });
    new RotatingSecret(stack, 'B', { strategy: RotationStrategy.postgresSingleUser({ database: target, username: 'b', vpc }) });
    new RotatingSecret(stack, 'C', { strategy: RotationStrategy.postgresSingleUser({ database: target, username: 'c', vpc, vpcSubnets: { availabilityZones: [vpc.availabilityZones[0]] } }) });
    new RotatingSecret(stack, 'D', { strategy: RotationStrategy.mysqlSingleUser({ database: DatabaseTarget.fromEndpoint({ host: 'x' }), username: 'd' }) });

    expect(Object.keys(rotationFunctions(Template.fromStack(stack)))).toHaveLength(3);
  });

  test('warns at synth when the subnets have no route to Secrets Manager, and not once an endpoint exists', () => {
    const isolated = () => {
      const stack = newStack();
      const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, subnetConfiguration: [{ name: 'db', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
      new RotatingSecret(stack, 'Secret', {
        strategy: RotationStrategy.postgresSingleUser({
          database: DatabaseTarget.fromEndpoint({ host: 'db.internal' }), username: 'app', vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
        }),
      });
      return { stack, vpc };
    };
    const { stack } = isolated();
    Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp('no route to Secrets Manager.*addInterfaceEndpoint'));

    const fixed = isolated();
    fixed.vpc.addInterfaceEndpoint('SecretsManager', { service: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER });
    Annotations.fromStack(fixed.stack).hasNoWarning('*', Match.stringLikeRegexp('no route to Secrets Manager'));
  });

  test('ssl: false is merged into the secret by the check; connectTimeout goes into the function', () => {
    const stack = newStack();
    new RotatingSecret(stack, 'Local', {
      strategy: RotationStrategy.mysqlSingleUser({
        database: DatabaseTarget.fromEndpoint({ host: '127.0.0.1', port: 3307 }), username: 'app', ssl: false, connectTimeout: Duration.seconds(2),
      }),
    });

    const template = Template.fromStack(stack);
    expect(checkEntryOf(template, 'Local').ConnectionFields).toBe('{"engine":"mysql","host":"127.0.0.1","port":3307,"ssl":false}');
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ CONNECT_TIMEOUT_SECONDS: '2' }) } });
  });

  test.each<[string, () => RotationStrategy, RegExp]>([
    ['empty username', () => RotationStrategy.postgresSingleUser({ database: DatabaseTarget.fromEndpoint({ host: 'h' }), username: '' }), /`username` must not be empty/],
    ['username too long for PostgreSQL', () => RotationStrategy.postgresSingleUser({ database: DatabaseTarget.fromEndpoint({ host: 'h' }), username: 'u'.repeat(64) }), /`username` must be at most 63 characters, got 64/],
    ['alternate name too long for MySQL', () => RotationStrategy.mysqlAlternatingUsers({
      database: DatabaseTarget.fromEndpoint({ host: 'h' }), username: 'u'.repeat(27), masterSecret: secretsmanager.Secret.fromSecretNameV2(new Stack(), 'M', 'm'),
    }), /`username` must be at most 26 characters \(the alternate user "u+_clone" must fit mysql's 32\), got 27/],
    ['port out of range', () => RotationStrategy.mysqlSingleUser({ database: DatabaseTarget.fromEndpoint({ host: 'h', port: 70000 }), username: 'u' }), /`database` port must be from 1 to 65535, got 70000/],
    ['connect timeout of a fraction of a second', () => RotationStrategy.mysqlSingleUser({ database: DatabaseTarget.fromEndpoint({ host: 'h' }), username: 'u', connectTimeout: Duration.millis(1500) }), /`connectTimeout` must be a whole number of seconds from 1 to 60, got 1.5 seconds/],
    ['connect timeout too long', () => RotationStrategy.mysqlSingleUser({ database: DatabaseTarget.fromEndpoint({ host: 'h' }), username: 'u', connectTimeout: Duration.minutes(2) }), /`connectTimeout` must be a whole number of seconds from 1 to 60, got 2 minutes/],
    ['subnets without a VPC', () => RotationStrategy.mysqlSingleUser({ database: DatabaseTarget.fromEndpoint({ host: 'h' }), username: 'u', vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } }), /`vpcSubnets` needs `vpc`/],
    ['password too short', () => RotationStrategy.postgresSingleUser({ database: DatabaseTarget.fromEndpoint({ host: 'h' }), username: 'u', passwordLength: 2 }), /`passwordLength` must be a whole number from 4 to 4096, got 2/],
  ])('%s is refused at synth, naming the secret', (_name, strategy, error) => {
    expect(() => new RotatingSecret(newStack(), 'Secret', { strategy: strategy() })).toThrow(error);
    expect(() => new RotatingSecret(newStack(), 'Secret', { strategy: strategy() })).toThrow(/^\[Stack\/Secret\] /);
  });
});
