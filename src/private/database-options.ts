import { Token, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import {
  CLONE_SUFFIX, DatabaseStrategyName, createUserSpecProblem, MAX_CONNECT_TIMEOUT_SECONDS, MYSQL_FAMILY, POSTGRES_USERNAME_LIMIT,
  REDIS_FAMILY, REDIS_USERNAME_FORBIDDEN, REDIS_USERNAME_LIMIT, REDSHIFT_FAMILY, REDSHIFT_USERNAME_LIMIT, STRATEGIES, mysqlUsernameLimit,
} from './contract';
import { durationText } from './rotation-check';
import type { CreateUserOptions, DatabaseRotationOptions } from '../rotation-strategy';
import { PropError } from './errors';
import { validateRedshiftOptions } from './redshift-options';

/**
 * The longest user name a strategy accepts at synth: the engine's limit (MySQL 8's 32 for the MySQL family,
 * which MariaDB's 80 exceeds), less the alternate user's suffix for alternating users.
 */
function maxUsername(kind: DatabaseStrategyName): { readonly max: number; readonly engineMax: number } {
  const facts = STRATEGIES[kind];
  const engineMax = facts.family === MYSQL_FAMILY ? mysqlUsernameLimit(MYSQL_FAMILY.engine).maxLength
    : facts.family === REDIS_FAMILY ? REDIS_USERNAME_LIMIT.maxLength
      : facts.family === REDSHIFT_FAMILY ? REDSHIFT_USERNAME_LIMIT.maxLength : POSTGRES_USERNAME_LIMIT.maxLength;
  return { engineMax, max: facts.alternating ? engineMax - CLONE_SUFFIX.length : engineMax };
}

export function validateDatabaseOptions(
  kind: DatabaseStrategyName, options: DatabaseRotationOptions, masterSecret: secretsmanager.ISecret | undefined,
): void {
  const facts = STRATEGIES[kind];
  const { username, connectTimeout, createUser } = options;
  const port = options.database?.port;
  if (!Token.isUnresolved(username)) {
    if (username.length === 0) throw new PropError('`username` must not be empty');
    if (facts.family === REDIS_FAMILY && REDIS_USERNAME_FORBIDDEN.test(username)) {
      throw new PropError(`\`username\` must not contain spaces or NUL characters (Redis refuses them), got ${JSON.stringify(username)}`);
    }
    const { max, engineMax } = maxUsername(kind);
    if (username.length > max) {
      const why = facts.alternating ? ` (the alternate user "${username}${CLONE_SUFFIX}" must fit ${facts.family.engine}'s ${engineMax})` : '';
      throw new PropError(`\`username\` must be at most ${max} characters${why}, got ${username.length}: "${username}"`);
    }
  }
  if (port !== undefined && !Token.isUnresolved(port) && (!Number.isInteger(port) || port < 1 || port > 65535)) {
    throw new PropError(`\`database\` port must be from 1 to 65535, got ${port}`);
  }
  if (connectTimeout !== undefined && !connectTimeout.isUnresolved()) {
    const seconds = connectTimeout.toSeconds({ integral: false });
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_CONNECT_TIMEOUT_SECONDS) {
      throw new PropError(`\`connectTimeout\` must be a whole number of seconds from 1 to ${MAX_CONNECT_TIMEOUT_SECONDS}, got ${durationText(connectTimeout)}`);
    }
  }
  if (options.vpcSubnets !== undefined && options.vpc === undefined) {
    throw new PropError('`vpcSubnets` needs `vpc`: give the VPC the subnets belong to');
  }
  if (options.securityGroups !== undefined && options.vpc === undefined) {
    throw new PropError('`securityGroups` needs `vpc`: security groups only apply to a function in a VPC');
  }
  if (createUser !== undefined) validateCreateUser(kind, createUser, masterSecret);
  if (facts.family === REDSHIFT_FAMILY) validateRedshiftOptions(options);
}

function validateCreateUser(kind: DatabaseStrategyName, createUser: CreateUserOptions, masterSecret: secretsmanager.ISecret | undefined): void {
  if (masterSecret === undefined) {
    throw new PropError('`createUser` needs `masterSecret`: the user is created with the master\'s credentials');
  }
  const family = STRATEGIES[kind].family;
  if (family === MYSQL_FAMILY && createUser.memberOf !== undefined) {
    throw new PropError('`createUser.memberOf` is for PostgreSQL: give MySQL and MariaDB users `grants`');
  }
  if (family !== MYSQL_FAMILY && createUser.grants !== undefined) {
    throw new PropError('`createUser.grants` is for MySQL and MariaDB: make PostgreSQL users members of roles, and Amazon Redshift users of groups, with `memberOf`');
  }
  const problem = createUserSpecProblem(createUser);
  if (problem !== undefined) throw new PropError(`\`createUser\`: ${problem}`);
}
