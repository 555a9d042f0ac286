import { MYSQL_ENGINE } from './mysql';
import type { MySqlClient } from '../db/mysql-client';
import { DatabaseEnvironment, DatabaseStrategyOptions, readDatabaseSettings } from '../db/settings';
import { SingleUserRotation } from '../db/single-user';

/** `mysql-single-user`: a MySQL or MariaDB user changes its own password. */
export function createMySqlSingleUserStrategy(env: DatabaseEnvironment, options?: DatabaseStrategyOptions): SingleUserRotation<MySqlClient> {
  return new SingleUserRotation('mysql-single-user', MYSQL_ENGINE, readDatabaseSettings(env, options));
}
