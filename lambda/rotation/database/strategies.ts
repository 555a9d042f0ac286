import { AlternatingUsersRotation } from './alternating-users';
import { MYSQL_ENGINE } from './engines/mysql';
import { POSTGRES_ENGINE } from './engines/postgres';
import { REDIS_ENGINE } from './engines/redis';
import { REDSHIFT_ENGINE } from './engines/redshift';
import { DatabaseStrategyOptions, databaseSettings } from './settings';
import { SingleUserRotation } from './single-user';
import type { DatabaseStrategyName, RotationFunctionConfig } from '../../../src/private/contract';
import type { ProtectedService } from '../types';

/** A database strategy from the function's configuration; `options` are for tests and embedders. */
export type DatabaseStrategyFactory = (config: RotationFunctionConfig, options?: DatabaseStrategyOptions) => ProtectedService;

/** The strategies of the database rotation function: single user (the user changes its own password) and alternating users, for PostgreSQL, MySQL/MariaDB, Amazon Redshift and Redis/Valkey. */
export const DATABASE_STRATEGIES: Readonly<Record<DatabaseStrategyName, DatabaseStrategyFactory>> = {
  'postgres-single-user': (config, options) => new SingleUserRotation(config.strategy, POSTGRES_ENGINE, databaseSettings(config, options), config.createUsers),
  'postgres-alternating-users': (config, options) => new AlternatingUsersRotation(config.strategy, POSTGRES_ENGINE, databaseSettings(config, options), config.createUsers),
  'mysql-single-user': (config, options) => new SingleUserRotation(config.strategy, MYSQL_ENGINE, databaseSettings(config, options), config.createUsers),
  'mysql-alternating-users': (config, options) => new AlternatingUsersRotation(config.strategy, MYSQL_ENGINE, databaseSettings(config, options), config.createUsers),
  // Redis strategies create no users: the contract refuses a create-user spec for them.
  'redis-single-user': (config, options) => new SingleUserRotation(config.strategy, REDIS_ENGINE, databaseSettings(config, options)),
  'redis-alternating-users': (config, options) => new AlternatingUsersRotation(config.strategy, REDIS_ENGINE, databaseSettings(config, options)),
  'redshift-single-user': (config, options) => new SingleUserRotation(config.strategy, REDSHIFT_ENGINE, databaseSettings(config, options), config.createUsers),
  'redshift-alternating-users': (config, options) => new AlternatingUsersRotation(config.strategy, REDSHIFT_ENGINE, databaseSettings(config, options), config.createUsers),
};
