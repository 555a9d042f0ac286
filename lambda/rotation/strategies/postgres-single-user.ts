import { POSTGRES_ENGINE } from './postgres';
import type { PostgresClient } from '../db/pg-client';
import { DatabaseEnvironment, DatabaseStrategyOptions, readDatabaseSettings } from '../db/settings';
import { SingleUserRotation } from '../db/single-user';

/** `postgres-single-user`: a PostgreSQL user changes its own password. */
export function createPostgresSingleUserStrategy(env: DatabaseEnvironment, options?: DatabaseStrategyOptions): SingleUserRotation<PostgresClient> {
  return new SingleUserRotation('postgres-single-user', POSTGRES_ENGINE, readDatabaseSettings(env, options));
}
