import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GetSecretValueCommand, ListSecretVersionIdsCommand } from '@aws-sdk/client-secrets-manager';
import { createConnection } from 'mysql2/promise';
import { Client } from 'pg';
import { startDeployer } from './support';
import { createLocalDatabaseHost, DatabaseHost } from '../../../simulator/databases';

/**
 * AWS::RDS::DBInstance and DBCluster on the local database host (a real PostgreSQL or MariaDB server per instance,
 * TLS on, its master user made with the template's resolved credentials), and SecretTargetAttachment.
 */

let workDir: string;
let host: DatabaseHost;
let ca: string;
let env: Awaited<ReturnType<typeof startDeployer>>;

beforeAll(async () => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rds-test-'));
  fs.chmodSync(workDir, 0o755);
  host = await createLocalDatabaseHost({ workDir });
  ca = fs.readFileSync(host.caBundleFile, 'utf8');
});
afterAll(async () => {
  await host.destroyAll();
  fs.rmSync(workDir, { recursive: true, force: true });
});
beforeEach(async () => (env = await startDeployer({ databases: host, skipUnsimulated: true })));
afterEach(() => env.stop());

/** Who the server says the session is, logged in over verified TLS with the secret's credentials. */
async function loggedInAs(secret: { engine: string; host: string; port: number; username: string; password: string }): Promise<string> {
  if (secret.engine === 'postgres') {
    const client = new Client({ ...secret, user: secret.username, database: 'orders', ssl: { ca }, connectionTimeoutMillis: 10_000 });
    await client.connect();
    try {
      return (await client.query('SELECT current_user')).rows[0].current_user;
    } finally {
      await client.end();
    }
  }
  const connection = await createConnection({ ...secret, user: secret.username, database: 'orders', ssl: { ca }, connectTimeout: 10_000 });
  try {
    const [rows] = await connection.query('SELECT CURRENT_USER() AS user');
    return String((rows as Array<{ user: string }>)[0].user).split('@')[0];
  } finally {
    await connection.end();
  }
}

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

test.each([
  ['postgres', 'postgres'],
  ['mariadb', 'mariadb'],
])('an %s instance is a server whose master user logs in with the secret; the attachment merges the connection', async (engine, secretEngine) => {
  const result = await env.cfn.deploy({ stackName: 'Rds', template: template(engine) });

  expect(result.status).toBe('CREATE_COMPLETE');
  const stack = env.cfn.describeStack('Rds')!;
  const secretArn = stack.resources.find((r) => r.logicalId === 'Credentials')!.physicalId!;
  const identifier = stack.resources.find((r) => r.logicalId === 'Database')!.physicalId!;
  const secret = JSON.parse((await env.client.send(new GetSecretValueCommand({ SecretId: secretArn }))).SecretString!);
  expect(secret).toEqual({
    username: 'master',
    password: expect.any(String),
    note: 'kept',
    engine: secretEngine,
    host: 'localhost',
    port: expect.any(Number),
    dbInstanceIdentifier: identifier,
  });
  expect(stack.outputs).toEqual({ Address: 'localhost', Port: String(secret.port) });
  // The attachment wrote a new version that became AWSCURRENT; the generated one is AWSPREVIOUS.
  const versions = await env.client.send(new ListSecretVersionIdsCommand({ SecretId: secretArn }));
  expect(versions.Versions!.map((v) => v.VersionStages).sort()).toEqual([['AWSCURRENT'], ['AWSPREVIOUS']]);

  expect(await loggedInAs(secret)).toBe('master');

  expect((await env.cfn.delete('Rds')).status).toBe('DELETE_COMPLETE');
  await expect(loggedInAs(secret)).rejects.toThrow(/ECONNREFUSED/);
});

test('an engine the host cannot serve is skipped with its reason, and so is what depends on it', async () => {
  // A host on a machine without MariaDB's server: its binaries are looked for in an empty directory.
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'no-binaries-'));
  const bare = await createLocalDatabaseHost({ workDir, binaryLocations: { postgresqlVersionsDir: '/usr/lib/postgresql', sbinDir: empty, path: empty } });
  await env.stop();
  env = await startDeployer({ databases: bare, skipUnsimulated: true });
  const result = await env.cfn.deploy({ stackName: 'Maria', template: template('mariadb') });

  expect(result.status).toBe('CREATE_COMPLETE');
  const resources = env.cfn.describeStack('Maria')!.resources;
  expect(Object.fromEntries(resources.map((r) => [r.logicalId, r.notSimulated]))).toEqual({
    Credentials: undefined,
    Database: expect.stringMatching(/MariaDB.*mariadb-server/),
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
  expect(secret).toMatchObject({ engine: 'postgres', host: 'localhost', dbClusterIdentifier: stack.resources.find((r) => r.logicalId === 'Cluster')!.physicalId });
  expect(stack.outputs).toEqual({ Writer: String(secret.port), Reader: 'localhost' });
  expect((await env.cfn.delete('Cluster')).status).toBe('DELETE_COMPLETE');
});
