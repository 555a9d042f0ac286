import { LocalDatabase, LocalEngine } from '../database-host';
import { DeployEnvironment, NotSimulatedError, ResourceHandler, ResourceRequest, ResourceResult } from './handler';
import { generatedName, randomSuffix } from './physical-names';

const UPPERCASE_ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** RDS engines and the local server that stands in for them. */
function localEngine(engine: unknown): LocalEngine {
  const name = String(engine ?? '').toLowerCase();
  if (name === 'postgres' || name === 'aurora-postgresql') return 'postgres';
  if (name === 'mysql' || name === 'mariadb' || name === 'aurora-mysql' || name === 'aurora') return 'mysql';
  throw new NotSimulatedError(`engine ${JSON.stringify(engine)} is not simulated (postgres, aurora-postgresql, mysql, mariadb and aurora-mysql are)`);
}

/** The local servers standing in for instances and clusters, by identifier. */
const servers = new WeakMap<DeployEnvironment['databases'] & object, Map<string, LocalDatabase>>();

function serversOf(env: DeployEnvironment): Map<string, LocalDatabase> {
  const host = env.databases!;
  if (!servers.has(host)) servers.set(host, new Map());
  return servers.get(host)!;
}

/** Starts the server for a standalone instance or a cluster: its master user and DBName as the template says. */
async function startServer(request: ResourceRequest, env: DeployEnvironment, identifier: string): Promise<LocalDatabase> {
  const props = request.properties;
  const engine = localEngine(props.Engine);
  if (!env.databases) throw new NotSimulatedError('no local database host was given to the deployer');
  const unavailable = await env.databases.unavailableReason(engine);
  if (unavailable) throw new NotSimulatedError(unavailable);
  if (props.ManageMasterUserPassword === true || props.ManageMasterUserPassword === 'true') {
    throw new NotSimulatedError('ManageMasterUserPassword (a secret RDS manages itself) is not simulated');
  }
  if (props.SnapshotIdentifier !== undefined || props.DBSnapshotIdentifier !== undefined) throw new NotSimulatedError('restoring from a snapshot is not simulated');
  if (typeof props.MasterUsername !== 'string' || typeof props.MasterUserPassword !== 'string') {
    throw new Error('MasterUsername and MasterUserPassword are required');
  }
  const server = await env.databases.start({
    engine,
    masterUsername: props.MasterUsername,
    masterPassword: props.MasterUserPassword,
    ...(props.DBName !== undefined || props.DatabaseName !== undefined ? { databaseName: String(props.DBName ?? props.DatabaseName) } : {}),
  });
  serversOf(env).set(identifier, server);
  return server;
}

async function destroyServer(env: DeployEnvironment, identifier: string): Promise<void> {
  if (!env.databases) return;
  const server = serversOf(env).get(identifier);
  serversOf(env).delete(identifier);
  await server?.destroy();
}

function identifierFor(request: ResourceRequest, property: string): string {
  const given = request.properties[property];
  return String(given ?? generatedName(request.stack.name, request.logicalId, { maxLength: 63, lowercase: true })).toLowerCase();
}

/**
 * AWS::RDS::DBInstance: a standalone instance is a local server (DatabaseHost) whose master user has the template's
 * MasterUsername and resolved MasterUserPassword, with DBName created; Endpoint.Address/Port point at it and
 * deleting it destroys the server. A member of a cluster (DBClusterIdentifier) is recorded with the cluster's endpoint.
 */
export const databaseInstanceHandler: ResourceHandler = {
  async create(request, env) {
    const identifier = identifierFor(request, 'DBInstanceIdentifier');
    const clusterId = request.properties.DBClusterIdentifier;
    if (clusterId !== undefined) {
      const cluster = env.findResource(String(clusterId).toLowerCase(), 'AWS::RDS::DBCluster');
      if (!cluster) throw new Error(`DBClusterIdentifier ${clusterId} does not name a cluster of a deployed stack`);
      return instanceResult(env, identifier, String(cluster.attributes['Endpoint.Address']), Number(cluster.attributes['Endpoint.Port']));
    }
    const server = await startServer(request, env, identifier);
    return instanceResult(env, identifier, server.host, server.port);
  },
  async update(request) {
    return { physicalId: request.physicalId!, attributes: request.attributes ?? {} };
  },
  async delete(request, env) {
    await destroyServer(env, request.physicalId!);
  },
};

function instanceResult(env: DeployEnvironment, identifier: string, host: string, port: number): ResourceResult {
  return {
    physicalId: identifier,
    attributes: {
      'Endpoint.Address': host,
      'Endpoint.Port': String(port),
      'DBInstanceArn': `arn:${env.partition}:rds:${env.region}:${env.accountId}:db:${identifier}`,
      'DbiResourceId': `db-${randomSuffix(26, UPPERCASE_ALPHANUMERIC)}`,
    },
  };
}

/** AWS::RDS::DBCluster: one local server for the cluster; Endpoint and ReadEndpoint both point at it. */
export const databaseClusterHandler: ResourceHandler = {
  async create(request, env) {
    const identifier = identifierFor(request, 'DBClusterIdentifier');
    const server = await startServer(request, env, identifier);
    return {
      physicalId: identifier,
      attributes: {
        'Endpoint.Address': server.host,
        'Endpoint.Port': String(server.port),
        'ReadEndpoint.Address': server.host,
        'DBClusterArn': `arn:${env.partition}:rds:${env.region}:${env.accountId}:cluster:${identifier}`,
        'DBClusterResourceId': `cluster-${randomSuffix(26, UPPERCASE_ALPHANUMERIC)}`,
      },
    };
  },
  async update(request) {
    return { physicalId: request.physicalId!, attributes: request.attributes ?? {} };
  },
  async delete(request, env) {
    await destroyServer(env, request.physicalId!);
  },
};
