import { POSTGRES_ENGINE } from './postgres';
import { AlternatingUsersRotation } from '../db/alternating-users';
import type { PostgresClient } from '../db/pg-client';
import { DatabaseEnvironment, DatabaseStrategyOptions, readDatabaseSettings } from '../db/settings';

/** `postgres-alternating-users`: an administrator sets the password of whichever of `user` and `user_clone` is not current. */
export function createPostgresAlternatingUsersStrategy(
  env: DatabaseEnvironment,
  options?: DatabaseStrategyOptions,
): AlternatingUsersRotation<PostgresClient> {
  return new AlternatingUsersRotation('postgres-alternating-users', POSTGRES_ENGINE, readDatabaseSettings(env, options));
}
