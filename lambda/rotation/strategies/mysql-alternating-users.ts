import { MYSQL_ENGINE } from './mysql';
import { AlternatingUsersRotation } from '../db/alternating-users';
import type { MySqlClient } from '../db/mysql-client';
import { DatabaseEnvironment, DatabaseStrategyOptions, readDatabaseSettings } from '../db/settings';

/** `mysql-alternating-users`: an administrator sets the password of whichever of `user` and `user_clone` is not current. */
export function createMySqlAlternatingUsersStrategy(
  env: DatabaseEnvironment,
  options?: DatabaseStrategyOptions,
): AlternatingUsersRotation<MySqlClient> {
  return new AlternatingUsersRotation('mysql-alternating-users', MYSQL_ENGINE, readDatabaseSettings(env, options));
}
