import { App, Duration, Stack, aws_ec2 as ec2, aws_rds as rds, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { DatabaseTarget, RotatingSecret, RotationStrategy } from '../src';
import { allStatements, checkEntryOf, connectionOf } from './support/template';

function newStack(): Stack {
  return new Stack(new App(), 'Stack', { env: { account: '111111111111', region: 'eu-west-1' } });
}

/** A self-managed Redis in a VPC, known by its address and security group. */
function redisServer(stack: Stack) {
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
  const group = new ec2.SecurityGroup(stack, 'RedisGroup', { vpc });
  const database = DatabaseTarget.fromEndpoint({ host: 'redis.internal.example.com', port: 6380, connections: group });
  return { vpc, group, database };
}

describe('Redis strategies', () => {
  test('single user: the database function with the redis-single-user strategy; the check merges engine, host, port', () => {
    // GIVEN
    const stack = newStack();
    const { vpc, database } = redisServer(stack);

    // WHEN
    new RotatingSecret(stack, 'CacheAdmin', { strategy: RotationStrategy.redisSingleUser({ database, username: 'cache_admin', vpc }) });

    // THEN
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { SecretStringTemplate: '{"username":"cache_admin"}', GenerateStringKey: 'password', PasswordLength: 30, ExcludePunctuation: true },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'Rotates Secrets Manager secrets (cdk-rotating-secrets, redis-single-user strategy)',
      Environment: { Variables: Match.objectLike({ ROTATION_STRATEGY: 'redis-single-user', CONNECT_TIMEOUT_SECONDS: '5' }) },
    });
    // TLS stays on (no `ssl` field), and no master secret.
    expect(checkEntryOf(template, 'CacheAdmin').ConnectionFields).toBe('{"engine":"redis","host":"redis.internal.example.com","port":6380}');
  });

  test('the function may reach the server\'s port through its security group', () => {
    const stack = newStack();
    const { vpc, group, database } = redisServer(stack);
    new RotatingSecret(stack, 'CacheAdmin', { strategy: RotationStrategy.redisSingleUser({ database, username: 'cache_admin', vpc }) });

    Template.fromStack(stack).hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: stack.resolve(group.securityGroupId), FromPort: 6380, ToPort: 6380, IpProtocol: 'tcp', Description: 'Secret rotation',
    });
  });

  test('alternating users: masterarn merged, the master secret readable, and nothing more than the database strategies get', () => {
    const stack = newStack();
    const { vpc, database } = redisServer(stack);
    const master = new secretsmanager.Secret(stack, 'RedisMaster');
    new RotatingSecret(stack, 'CacheApp', {
      strategy: RotationStrategy.redisAlternatingUsers({ database, username: 'cache_app', vpc, masterSecret: master, ssl: false, connectTimeout: Duration.seconds(2) }),
    });

    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ ROTATION_STRATEGY: 'redis-alternating-users', CONNECT_TIMEOUT_SECONDS: '2' }) },
    });
    const connection = connectionOf(template, 'CacheApp');
    expect(connection).toContain('{\\"engine\\":\\"redis\\",\\"host\\":\\"redis.internal.example.com\\",\\"port\\":6380,\\"ssl\\":false,\\"masterarn\\":\\"');
    expect(connection).toContain(JSON.stringify(stack.resolve(master.secretArn)));
    const statements = allStatements(template);
    expect(statements).toContainEqual({ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: stack.resolve(master.secretArn) });
  });

  test('a Redis secret and a MySQL secret in one stack share the database function\'s bundle but not a function', () => {
    const stack = newStack();
    new RotatingSecret(stack, 'Cache', {
      strategy: RotationStrategy.redisSingleUser({ database: DatabaseTarget.fromEndpoint({ host: '127.0.0.1' }), username: 'admin', ssl: false }),
    });
    new RotatingSecret(stack, 'Orders', {
      strategy: RotationStrategy.mysqlSingleUser({ database: DatabaseTarget.fromEndpoint({ host: '127.0.0.1' }), username: 'app', ssl: false }),
    });

    const template = Template.fromStack(stack);
    const functions = template.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp('^Rotates Secrets Manager secrets') } });
    expect(Object.keys(functions).sort()).toEqual([expect.stringMatching(/^MysqlSingleUserRotation/), expect.stringMatching(/^RedisSingleUserRotation/)]);
    // The default port is Redis's.
    expect(checkEntryOf(template, 'Cache').ConnectionFields).toBe('{"engine":"redis","host":"127.0.0.1","port":6379,"ssl":false}');
  });

  test.each<[string, () => RotationStrategy, RegExp]>([
    ['empty username', () => RotationStrategy.redisSingleUser({ database: DatabaseTarget.fromEndpoint({ host: 'h' }), username: '' }), /`username` must not be empty/],
    ['username with a space', () => RotationStrategy.redisSingleUser({ database: DatabaseTarget.fromEndpoint({ host: 'h' }), username: 'cache admin' }),
      /`username` must not contain spaces or NUL characters \(Redis refuses them\), got "cache admin"/],
    ['port out of range', () => RotationStrategy.redisSingleUser({ database: DatabaseTarget.fromEndpoint({ host: 'h', port: 0 }), username: 'u' }), /`database` port must be from 1 to 65535, got 0/],
    ['connect timeout too long', () => RotationStrategy.redisAlternatingUsers({
      database: DatabaseTarget.fromEndpoint({ host: 'h' }), username: 'u', masterSecret: secretsmanager.Secret.fromSecretNameV2(new Stack(), 'M', 'm'), connectTimeout: Duration.minutes(2),
    }), /`connectTimeout` must be a whole number of seconds from 1 to 60, got 2 minutes/],
    ['password too short', () => RotationStrategy.redisSingleUser({ database: DatabaseTarget.fromEndpoint({ host: 'h' }), username: 'u', passwordLength: 3 }), /`passwordLength` must be a whole number from 4 to 4096, got 3/],
  ])('%s is refused at synth, naming the secret', (_name, strategy, error) => {
    expect(() => new RotatingSecret(newStack(), 'Secret', { strategy: strategy() })).toThrow(error);
    expect(() => new RotatingSecret(newStack(), 'Secret', { strategy: strategy() })).toThrow(/^\[Stack\/Secret\] /);
  });

  test('a Redis secret attached to an RDS database is refused: it protects the server in `database`', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
    const secret = new RotatingSecret(stack, 'Cache', {
      strategy: RotationStrategy.redisSingleUser({ database: DatabaseTarget.fromEndpoint({ host: 'h' }), username: 'admin', vpc }),
    });
    new rds.DatabaseInstance(stack, 'Db', {
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16 }),
      vpc,
      credentials: rds.Credentials.fromSecret(secret),
    });
    expect(() => Template.fromStack(stack)).toThrow(/a Redis or Valkey strategy cannot be attached to a database: it protects the server given in `database`/);
  });
});
