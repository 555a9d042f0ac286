import type { StrategyRegistry } from '.';
import { createMySqlAlternatingUsersStrategy } from './mysql-alternating-users';
import { createMySqlSingleUserStrategy } from './mysql-single-user';
import { createPostgresAlternatingUsersStrategy } from './postgres-alternating-users';
import { createPostgresSingleUserStrategy } from './postgres-single-user';

/** The database rotation function: PostgreSQL and MySQL/MariaDB drivers. */
export const DATABASE_STRATEGIES: StrategyRegistry = {
  'postgres-single-user': (env) => createPostgresSingleUserStrategy(env),
  'postgres-alternating-users': (env) => createPostgresAlternatingUsersStrategy(env),
  'mysql-single-user': (env) => createMySqlSingleUserStrategy(env),
  'mysql-alternating-users': (env) => createMySqlAlternatingUsersStrategy(env),
};
