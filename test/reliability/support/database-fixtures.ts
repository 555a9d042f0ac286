import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DatabaseServer, DatabaseStrategyName, mariaDbServer, postgresServer } from './databases';
import { createSecret, startSimulator } from './simulator';
import type { SecretsManagerSimulator } from '../../../simulator';

export type DatabaseFamily = 'postgres' | 'mysql';

export function familyOf(strategy: DatabaseStrategyName): DatabaseFamily {
  return strategy.startsWith('postgres') ? 'postgres' : 'mysql';
}

/** What the suites that rotate on both engines share: a simulator, both servers and a master secret for each. */
export interface DatabaseFixtures {
  readonly sim: SecretsManagerSimulator;
  readonly client: SecretsManagerClient;
  readonly servers: Readonly<Record<DatabaseFamily, DatabaseServer>>;
  /** ARN of each engine's master secret in the simulator. */
  readonly masters: Readonly<Record<DatabaseFamily, string>>;
  stop(): Promise<void>;
}

export async function startDatabaseFixtures(): Promise<DatabaseFixtures> {
  // One attempt per rotation: these suites drive retries themselves.
  const { sim, client } = await startSimulator({ maxRotationAttempts: 1 });
  const servers = { postgres: await postgresServer(), mysql: await mariaDbServer() };
  const masters = {
    postgres: await createSecret(client, 'postgres-master', servers.postgres.masterSecretValue()),
    mysql: await createSecret(client, 'mysql-master', servers.mysql.masterSecretValue()),
  };
  return {
    sim,
    client,
    servers,
    masters,
    stop: async () => {
      client.destroy();
      await sim.stop();
      await servers.postgres.destroy();
      await servers.mysql.destroy();
    },
  };
}
