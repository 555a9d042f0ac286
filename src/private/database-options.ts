import { Token } from 'aws-cdk-lib';
import type { DatabaseRotationOptions } from '../rotation-strategy';

export type DatabaseStrategyKind = 'postgres-single-user' | 'postgres-alternating-users' | 'mysql-single-user' | 'mysql-alternating-users';

interface EngineFacts {
  /** The `engine` field of the secret, as RDS writes it. */
  readonly engine: string;
  readonly defaultPort: number;
  /** The longest user name the engine accepts (MySQL 8's 32; MariaDB allows 80). */
  readonly maxUsername: number;
  readonly alternating: boolean;
}

const POSTGRES = { engine: 'postgres', defaultPort: 5432, maxUsername: 63 };
const MYSQL = { engine: 'mysql', defaultPort: 3306, maxUsername: 32 };

export const DATABASE_ENGINES: Record<DatabaseStrategyKind, EngineFacts> = {
  'postgres-single-user': { ...POSTGRES, alternating: false },
  'postgres-alternating-users': { ...POSTGRES, alternating: true },
  'mysql-single-user': { ...MYSQL, alternating: false },
  'mysql-alternating-users': { ...MYSQL, alternating: true },
};

const CLONE_SUFFIX = '_clone';

export function validateDatabaseOptions(kind: DatabaseStrategyKind, options: DatabaseRotationOptions): void {
  const engine = DATABASE_ENGINES[kind];
  const { username, connectTimeout } = options;
  const port = options.database.port;
  if (!Token.isUnresolved(username)) {
    if (username.length === 0) throw new Error('`username` must not be empty');
    const max = engine.alternating ? engine.maxUsername - CLONE_SUFFIX.length : engine.maxUsername;
    if (username.length > max) {
      const why = engine.alternating ? ` (the alternate user "${username}${CLONE_SUFFIX}" must fit ${engine.engine}'s ${engine.maxUsername})` : '';
      throw new Error(`\`username\` must be at most ${max} characters${why}, got ${username.length}: "${username}"`);
    }
  }
  if (port !== undefined && !Token.isUnresolved(port) && (!Number.isInteger(port) || port < 1 || port > 65535)) {
    throw new Error(`\`database\` port must be from 1 to 65535, got ${port}`);
  }
  if (connectTimeout !== undefined && !connectTimeout.isUnresolved()) {
    const seconds = connectTimeout.toSeconds({ integral: false });
    if (seconds < 1 || seconds > 60) {
      throw new Error(`\`connectTimeout\` must be between 1 and 60 seconds, got ${connectTimeout.toHumanString()}`);
    }
  }
  if (options.vpcSubnets !== undefined && options.vpc === undefined) {
    throw new Error('`vpcSubnets` needs `vpc`: give the VPC the subnets belong to');
  }
  if (options.securityGroups !== undefined && options.vpc === undefined) {
    throw new Error('`securityGroups` needs `vpc`: security groups only apply to a function in a VPC');
  }
}
