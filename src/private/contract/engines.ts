/**
 * Facts about the database engines the strategies rotate, used by the constructs (validation, the secret's
 * shape) and by the rotation function (logins, user names).
 */

/** An engine family: which `engine` values of an RDS secret belong to it, and its defaults. */
export interface EngineFamily {
  /** For messages, e.g. `PostgreSQL`. */
  readonly displayName: string;
  /** The `engine` value the constructs write. */
  readonly engine: string;
  /** Every `engine` value RDS writes for this family. */
  readonly engines: readonly string[];
  readonly defaultPort: number;
  /** The database to connect to when the secret has no `dbname`; undefined connects to none. */
  readonly defaultDbname?: string;
}

export const POSTGRES_FAMILY: EngineFamily = {
  displayName: 'PostgreSQL',
  engine: 'postgres',
  engines: ['postgres', 'aurora-postgresql'],
  defaultPort: 5432,
  defaultDbname: 'postgres',
};

export const MYSQL_FAMILY: EngineFamily = {
  displayName: 'MySQL or MariaDB',
  engine: 'mysql',
  engines: ['mysql', 'mariadb', 'aurora-mysql', 'aurora'],
  defaultPort: 3306,
};

/**
 * Redis and Valkey ACL users (self-managed, or any server that takes `ACL SETUSER`). There is no database to choose;
 * `engine` is `redis` or `valkey`.
 */
export const REDIS_FAMILY: EngineFamily = {
  displayName: 'Redis or Valkey',
  engine: 'redis',
  engines: ['redis', 'valkey'],
  defaultPort: 6379,
};

/** A limit on user names: the engine's maximum and how it measures length. */
export interface UsernameLimit {
  readonly maxLength: number;
  /** PostgreSQL counts bytes (NAMEDATALEN - 1); MySQL and MariaDB count characters. */
  readonly unit: 'bytes' | 'characters';
  /** For messages, e.g. `PostgreSQL` or `MySQL (engine mysql)`. */
  readonly engineName: string;
}

/** PostgreSQL truncates names longer than NAMEDATALEN - 1 = 63 bytes; refusing is better than truncating. */
export const POSTGRES_USERNAME_LIMIT: UsernameLimit = { maxLength: 63, unit: 'bytes', engineName: 'PostgreSQL' };

/**
 * User-name limits in characters: MariaDB 80; MySQL 5.7 and 8 (RDS `mysql`, Aurora MySQL 2 and 3 `aurora-mysql`)
 * 32; `aurora` is Aurora MySQL 1, compatible with MySQL 5.6, which allows 16.
 */
export function mysqlUsernameLimit(engine: string): UsernameLimit {
  if (engine === 'mariadb') return { maxLength: 80, unit: 'characters', engineName: 'MariaDB' };
  if (engine === 'aurora') return { maxLength: 16, unit: 'characters', engineName: 'Aurora MySQL 1 (engine aurora)' };
  return { maxLength: 32, unit: 'characters', engineName: `MySQL (engine ${engine})` };
}

/** Redis and Valkey limit user names only by their characters (no space, no NUL), not by length. */
export const REDIS_USERNAME_LIMIT: UsernameLimit = { maxLength: Number.MAX_SAFE_INTEGER, unit: 'characters', engineName: 'Redis' };

/** What Redis refuses in a user name (`ERR Usernames can't contain spaces or null characters`). */
export const REDIS_USERNAME_FORBIDDEN = /[ \u0000]/u;

/** The suffix that tells the two users of the alternating-users strategy apart, as in AWS's templates. */
export const CLONE_SUFFIX = '_clone';

/** Lambda's Node.js runtime ships the Amazon RDS certificate authorities in this bundle. */
export const LAMBDA_CA_BUNDLE = '/var/runtime/ca-cert.pem';
