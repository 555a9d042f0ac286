import { Duration, Stack, Token, aws_ec2 as ec2, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { DatabaseTarget } from './database-target';
import {
  DEFAULT_CONNECT_TIMEOUT_SECONDS,
  DatabaseStrategyName,
  GENERIC_EXCLUDE_CHARACTERS,
  DATABASE_EXCLUDE_CHARACTERS,
  STRATEGIES,
} from './private/contract';
import { validateDatabaseOptions } from './private/database-options';
import { nonDefaultPasswordOptions, resolvePasswordOptions, validatePasswordOptions } from './private/password-options';
import { RotationStrategyBinding } from './private/strategy-binding';

/**
 * How new passwords are generated: GetRandomPassword's options and semantics.
 *
 * The rotation function generates passwords itself with a cryptographically secure generator,
 * so its role needs no `secretsmanager:GetRandomPassword` on `*`.
 */
export interface PasswordOptions {
  /**
   * Length of the generated password, 4 to 4096.
   * @default 32
   */
  readonly passwordLength?: number;

  /**
   * Characters that never appear in the password.
   * @default '/@"\'\\' (as AWS's rotation templates)
   */
  readonly excludeCharacters?: string;

  /**
   * Leave out digits.
   * @default false
   */
  readonly excludeNumbers?: boolean;

  /**
   * Leave out punctuation (``!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~``).
   * @default false
   */
  readonly excludePunctuation?: boolean;

  /**
   * Leave out uppercase letters.
   * @default false
   */
  readonly excludeUppercase?: boolean;

  /**
   * Leave out lowercase letters.
   * @default false
   */
  readonly excludeLowercase?: boolean;

  /**
   * Allow the space character.
   * @default false
   */
  readonly includeSpace?: boolean;

  /**
   * Include at least one character of every included type (uppercase, lowercase, digits, punctuation).
   * @default true
   */
  readonly requireEachIncludedType?: boolean;
}

/**
 * Options of the generic strategy: a plain password, or a JSON document with the password under one key.
 */
export interface RandomPasswordOptions extends PasswordOptions {
  /**
   * A JSON object the secret starts from; the password is stored under `generateStringKey`, and every
   * other field is kept as it is on each rotation.
   * @default - the secret is the password itself, a plain string
   */
  readonly secretStringTemplate?: string;

  /**
   * The JSON key that holds the password. Required with `secretStringTemplate`.
   * @default - no key: the secret is a plain string
   */
  readonly generateStringKey?: string;
}

/**
 * Options of the database strategies: which user's password rotates, where the database is, and how the
 * rotation function reaches it.
 */
export interface DatabaseRotationOptions extends PasswordOptions {
  /** The database: host, port and security groups. */
  readonly database: DatabaseTarget;

  /** The database user whose password this secret holds and rotates. */
  readonly username: string;

  /**
   * Database name to connect to.
   * @default - 'postgres' for PostgreSQL; none for MySQL
   */
  readonly dbname?: string;

  /**
   * Connect with TLS and verify the server's certificate (the Lambda runtime's CA bundle, which includes
   * the RDS certificate authorities). Set false only for a database without TLS; it is stored in the
   * secret as `"ssl": false` and can be changed there.
   * @default true
   */
  readonly ssl?: boolean;

  /**
   * The VPC to place the rotation function in. Needed when the database is only reachable inside a VPC.
   * @default - the function is not in a VPC
   */
  readonly vpc?: ec2.IVpc;

  /**
   * Subnets for the rotation function. They need a route to Secrets Manager: a NAT gateway or an interface
   * endpoint (`vpc.addInterfaceEndpoint('SecretsManager', { service: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER })`).
   * @default - the VPC's private subnets with egress
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * Security groups of the rotation function.
   * @default - a new security group, allowed to reach the database's port
   */
  readonly securityGroups?: ec2.ISecurityGroup[];

  /**
   * How long one login attempt may take, 1 to 60 seconds.
   * @default Duration.seconds(5)
   */
  readonly connectTimeout?: Duration;
}

/**
 * Options of the alternating-users database strategies.
 */
export interface DatabaseAlternatingUsersOptions extends DatabaseRotationOptions {
  /**
   * The secret of a user allowed to create users and change passwords (the RDS master secret, say):
   * JSON with `username` and `password`. Its ARN is stored in the rotated secret as `masterarn`.
   */
  readonly masterSecret: secretsmanager.ISecret;
}

/**
 * How a secret is rotated: what the new value is and what it protects.
 */
export abstract class RotationStrategy {
  /**
   * The generic strategy: a random password (or a JSON document with a random password under one key),
   * with no external service to update. Use it for API keys, tokens and shared secrets.
   */
  public static randomPassword(options: RandomPasswordOptions = {}): RotationStrategy {
    return new RandomPasswordStrategy(options);
  }

  /**
   * PostgreSQL (and Aurora PostgreSQL), single user: the user changes its own password. New logins may fail
   * for a moment while the password changes.
   */
  public static postgresSingleUser(options: DatabaseRotationOptions): RotationStrategy {
    return new DatabaseStrategy('postgres-single-user', options);
  }

  /**
   * PostgreSQL (and Aurora PostgreSQL), alternating users: the first rotation creates `<username>_clone`
   * (member of `<username>`) with the master secret; later rotations change the password of whichever user
   * is not current, so the previous credentials keep working until the next rotation.
   */
  public static postgresAlternatingUsers(options: DatabaseAlternatingUsersOptions): RotationStrategy {
    return new DatabaseStrategy('postgres-alternating-users', options, options.masterSecret);
  }

  /** MySQL and MariaDB (and Aurora MySQL), single user. */
  public static mysqlSingleUser(options: DatabaseRotationOptions): RotationStrategy {
    return new DatabaseStrategy('mysql-single-user', options);
  }

  /**
   * MySQL and MariaDB (and Aurora MySQL), alternating users: the clone gets the same grants as the user.
   */
  public static mysqlAlternatingUsers(options: DatabaseAlternatingUsersOptions): RotationStrategy {
    return new DatabaseStrategy('mysql-alternating-users', options, options.masterSecret);
  }

  /**
   * Binds the strategy to a rotating secret.
   * @internal
   */
  public abstract _bind(scope: Construct): RotationStrategyBinding;
}

class RandomPasswordStrategy extends RotationStrategy {
  constructor(private readonly options: RandomPasswordOptions) {
    super();
    validatePasswordOptions(options, GENERIC_EXCLUDE_CHARACTERS);
    validateTemplate(options);
  }

  public _bind(_scope: Construct): RotationStrategyBinding {
    const { secretStringTemplate, generateStringKey } = this.options;
    const passwordPolicy = resolvePasswordOptions(this.options, GENERIC_EXCLUDE_CHARACTERS);
    return {
      config: { strategy: 'generic', passwordPolicy, generateStringKey },
      // CloudFormation generates the first value with the same rules the rotation function uses later.
      generateSecretString: { ...nonDefaultPasswordOptions(passwordPolicy), secretStringTemplate, generateStringKey },
    };
  }
}

function validateTemplate(options: RandomPasswordOptions) {
  const { secretStringTemplate: template, generateStringKey: key } = options;
  if (template !== undefined && key === undefined) {
    throw new Error('`generateStringKey` is required with `secretStringTemplate`: name the JSON key that holds the password');
  }
  if (key !== undefined && template === undefined) {
    throw new Error(`\`secretStringTemplate\` is required with \`generateStringKey\` ("${key}"): give the JSON object the password goes into, e.g. '{}'`);
  }
  if (key !== undefined && !Token.isUnresolved(key) && key.length === 0) {
    throw new Error('`generateStringKey` must not be empty');
  }
  if (template === undefined || Token.isUnresolved(template)) return;
  let parsed: unknown;
  try {
    parsed = JSON.parse(template);
  } catch {
    throw new Error(`\`secretStringTemplate\` must be a JSON object, got ${JSON.stringify(template)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`\`secretStringTemplate\` must be a JSON object, got ${JSON.stringify(template)}`);
  }
}

class DatabaseStrategy extends RotationStrategy {
  constructor(
    private readonly kind: DatabaseStrategyName,
    private readonly options: DatabaseRotationOptions,
    private readonly masterSecret?: secretsmanager.ISecret,
  ) {
    super();
    validatePasswordOptions(options, DATABASE_EXCLUDE_CHARACTERS);
    validateDatabaseOptions(kind, options);
  }

  public _bind(scope: Construct): RotationStrategyBinding {
    const family = STRATEGIES[this.kind].family;
    const passwordPolicy = resolvePasswordOptions(this.options, DATABASE_EXCLUDE_CHARACTERS);
    const { database, username, dbname, ssl, connectTimeout } = this.options;
    const port = database.port ?? family.defaultPort;
    const template = {
      engine: family.engine,
      host: database.host,
      port,
      username,
      ...(dbname !== undefined ? { dbname } : {}),
      ...(ssl === false ? { ssl: false } : {}),
      ...(this.masterSecret ? { masterarn: this.masterSecret.secretArn } : {}),
    };
    return {
      config: {
        strategy: this.kind,
        passwordPolicy,
        connectTimeoutSeconds: connectTimeout?.toSeconds() ?? DEFAULT_CONNECT_TIMEOUT_SECONDS,
      },
      generateSecretString: {
        ...nonDefaultPasswordOptions(passwordPolicy),
        secretStringTemplate: Stack.of(scope).toJsonString(template),
        generateStringKey: 'password',
      },
      network: this.options.vpc
        ? { vpc: this.options.vpc, vpcSubnets: this.options.vpcSubnets, securityGroups: this.options.securityGroups }
        : undefined,
      database: database.connectable ? { connectable: database.connectable, port } : undefined,
      masterSecret: this.masterSecret,
    };
  }
}
