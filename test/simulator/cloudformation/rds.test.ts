import { GetSecretValueCommand, ListSecretVersionIdsCommand } from '@aws-sdk/client-secrets-manager';
import { Client } from 'pg';
import { startDeployer } from './support';
import { DatabaseHost, LocalDatabaseOptions } from '../../../simulator/cloudformation';
import { startPostgres } from '../../support/postgres';

/**
 * AWS::RDS::DBInstance on a database host, and SecretTargetAttachment. The host here starts a private PostgreSQL
 * cluster per instance (the test suite's own helper) and says MariaDB is unavailable.
 */

const started: Array<{ port: number }> = [];
const testHost: DatabaseHost = {
  unavailableReason: async (engine) => (engine === 'postgres' ? undefined : 'this test host serves PostgreSQL only'),
  start: async (options: LocalDatabaseOptions) => {
    const cluster = await startPostgres();
    const run = async (template: string, ...values: string[]) => {
      const [{ sql }] = await cluster.adminQuery(`SELECT format('${template}', ${values.map((_, i) => `$${i + 1}::text`).join(', ')}) AS sql`, values);
      await cluster.adminQuery(String(sql));
    };
    await run('CREATE ROLE %I LOGIN CREATEROLE PASSWORD %L', options.masterUsername, options.masterPassword);
    if (options.databaseName) await run('CREATE DATABASE %I OWNER %I', options.databaseName, options.masterUsername);
    started.push({ port: cluster.port });
    return { engine: 'postgres', host: '127.0.0.1', port: cluster.port, destroy: () => cluster.destroy() };
  },
};

let env: Awaited<ReturnType<typeof startDeployer>>;
beforeEach(async () => (env = await startDeployer({ databases: testHost, skipUnsimulated: true })));
afterEach(() => env.stop());

const template = (engine: string) => ({
  Resources: {
    Credentials: {
      Type: 'AWS::SecretsManager::Secret',
      Properties: { GenerateSecretString: { SecretStringTemplate: '{"username":"master","note":"kept"}', GenerateStringKey: 'password', ExcludePunctuation: true } },
    },
    Database: {
      Type: 'AWS::RDS::DBInstance',
      Properties: {
        Engine: engine,
        DBName: 'orders',
        MasterUsername: { 'Fn::Sub': '{{resolve:secretsmanager:${Credentials}:SecretString:username::}}' },
        MasterUserPassword: { 'Fn::Sub': '{{resolve:secretsmanager:${Credentials}:SecretString:password::}}' },
      },
    },
    Attachment: {
      Type: 'AWS::SecretsManager::SecretTargetAttachment',
      Properties: { SecretId: { Ref: 'Credentials' }, TargetId: { Ref: 'Database' }, TargetType: 'AWS::RDS::DBInstance' },
    },
  },
  Outputs: { Address: { Value: { 'Fn::GetAtt': ['Database', 'Endpoint.Address'] } }, Port: { Value: { 'Fn::GetAtt': ['Database', 'Endpoint.Port'] } } },
});

test('an instance is a server whose master user logs in with the secret; the attachment merges the connection', async () => {
  const result = await env.cfn.deploy({ stackName: 'Rds', template: template('postgres') });

  expect(result.status).toBe('CREATE_COMPLETE');
  const stack = env.cfn.describeStack('Rds')!;
  const secretArn = stack.resources.find((r) => r.logicalId === 'Credentials')!.physicalId!;
  const identifier = stack.resources.find((r) => r.logicalId === 'Database')!.physicalId!;
  const secret = JSON.parse((await env.client.send(new GetSecretValueCommand({ SecretId: secretArn }))).SecretString!);
  expect(secret).toEqual({
    username: 'master',
    password: expect.any(String),
    note: 'kept',
    engine: 'postgres',
    host: '127.0.0.1',
    port: started.at(-1)!.port,
    dbInstanceIdentifier: identifier,
  });
  expect(stack.outputs).toEqual({ Address: '127.0.0.1', Port: String(secret.port) });
  // The attachment wrote a new version that became AWSCURRENT; the generated one is AWSPREVIOUS.
  const versions = await env.client.send(new ListSecretVersionIdsCommand({ SecretId: secretArn }));
  expect(versions.Versions!.map((v) => v.VersionStages).sort()).toEqual([['AWSCURRENT'], ['AWSPREVIOUS']]);

  const client = new Client({ host: secret.host, port: secret.port, user: secret.username, password: secret.password, database: 'orders' });
  await client.connect();
  const [{ current_user: user }] = (await client.query('SELECT current_user')).rows;
  await client.end();
  expect(user).toBe('master');

  expect((await env.cfn.delete('Rds')).status).toBe('DELETE_COMPLETE');
  const gone = new Client({ host: '127.0.0.1', port: secret.port, user: 'master', password: secret.password, database: 'orders', connectionTimeoutMillis: 5000 });
  await expect(gone.connect()).rejects.toThrow(/ECONNREFUSED/);
});

test('an engine the host cannot serve is skipped with its reason, and so is what depends on it', async () => {
  const result = await env.cfn.deploy({ stackName: 'Maria', template: template('mariadb') });

  expect(result.status).toBe('CREATE_COMPLETE');
  const resources = env.cfn.describeStack('Maria')!.resources;
  expect(Object.fromEntries(resources.map((r) => [r.logicalId, r.notSimulated]))).toEqual({
    Credentials: undefined,
    Database: 'this test host serves PostgreSQL only',
    Attachment: 'depends on Database, which is not simulated',
  });
});

test('a cluster is one server; its member instances are recorded with its endpoint; an attachment names the cluster', async () => {
  const result = await env.cfn.deploy({
    stackName: 'Cluster',
    template: {
      Resources: {
        Credentials: { Type: 'AWS::SecretsManager::Secret', Properties: { SecretString: '{"username":"admin","password":"not-a-real-password-1"}' } },
        Cluster: {
          Type: 'AWS::RDS::DBCluster',
          Properties: {
            Engine: 'aurora-postgresql',
            MasterUsername: 'admin',
            MasterUserPassword: { 'Fn::Sub': '{{resolve:secretsmanager:${Credentials}:SecretString:password::}}' },
          },
        },
        Writer: { Type: 'AWS::RDS::DBInstance', Properties: { Engine: 'aurora-postgresql', DBClusterIdentifier: { Ref: 'Cluster' } } },
        Attachment: { Type: 'AWS::SecretsManager::SecretTargetAttachment', Properties: { SecretId: { Ref: 'Credentials' }, TargetId: { Ref: 'Cluster' }, TargetType: 'AWS::RDS::DBCluster' } },
      },
      Outputs: {
        Writer: { Value: { 'Fn::GetAtt': ['Writer', 'Endpoint.Port'] } },
        Reader: { Value: { 'Fn::GetAtt': ['Cluster', 'ReadEndpoint.Address'] } },
      },
    },
  });

  expect(result.status).toBe('CREATE_COMPLETE');
  const stack = env.cfn.describeStack('Cluster')!;
  const secretArn = stack.resources.find((r) => r.logicalId === 'Credentials')!.physicalId!;
  const secret = JSON.parse((await env.client.send(new GetSecretValueCommand({ SecretId: secretArn }))).SecretString!);
  expect(secret).toMatchObject({ engine: 'postgres', host: '127.0.0.1', dbClusterIdentifier: stack.resources.find((r) => r.logicalId === 'Cluster')!.physicalId });
  expect(stack.outputs).toEqual({ Writer: String(secret.port), Reader: '127.0.0.1' });
  expect((await env.cfn.delete('Cluster')).status).toBe('DELETE_COMPLETE');
});
