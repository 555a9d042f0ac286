import { Duration, Stack, Token, aws_ec2 as ec2, aws_iam as iam, aws_lambda as lambda, aws_logs as logs, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { DatabaseTarget } from './database-target';
import {
  DEFAULT_CONNECT_TIMEOUT_SECONDS,
  DatabaseStrategyName,
  GENERIC_EXCLUDE_CHARACTERS,
  DATABASE_EXCLUDE_CHARACTERS,
  REDIS_FAMILY,
  STRATEGIES,
} from './private/contract';
import { createCustomRotationFunction, customFunctionId } from './private/custom-rotation-function';
import { validateDatabaseOptions } from './private/database-options';
import { PropError } from './private/errors';
import { IamAccessKeyRotationFunction } from './private/iam-access-key-function';
import { resolvePasswordOptions, validatePasswordOptions } from './private/password-options';
import { InitialValue, RotationStrategyBinding } from './private/strategy-binding';
import type { RedisAlternatingUsersOptions, RedisRotationOptions } from './redis-rotation-options';

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
  /**
   * The database: host, port and security groups. Leave it out when the secret is the credentials of a database
   * built with `rds.Credentials.fromSecret(rotatingSecret)`: the database attaches itself to the secret.
   * @default - the database the secret is attached to
   */
  readonly database?: DatabaseTarget;

  /** The database user whose password this secret holds and rotates. */
  readonly username: string;

  /**
   * Database name to connect to.
   * @default - 'postgres' for PostgreSQL; 'dev' for Amazon Redshift; none for MySQL
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
   * How long one login attempt may take, 1 to 60 whole seconds. The rotation function's timeout follows from it.
   * @default Duration.seconds(5)
   */
  readonly connectTimeout?: Duration;

  /**
   * Create the user, with the master secret, when it does not exist yet: the first rotation (during the deploy that
   * creates the secret) then creates it with the new password and these privileges. Without it, the user must
   * exist with the secret's current password before rotation is turned on.
   * @default - the user must exist
   */
  readonly createUser?: CreateUserOptions;
}

/**
 * The privileges of a user the strategy creates (`createUser`). Identifiers are quoted by the driver; nothing is SQL.
 */
export interface CreateUserOptions {
  /**
   * PostgreSQL: roles the new user becomes a member of (`GRANT <role> TO <user>`). Amazon Redshift: user groups the
   * new user joins (`ALTER GROUP <group> ADD USER <user>`).
   * @default - no role or group
   */
  readonly memberOf?: string[];

  /**
   * MySQL and MariaDB: privileges to grant (`GRANT <privileges> ON <on> TO <user>`).
   * @default - no privilege
   */
  readonly grants?: MySqlGrant[];
}

/**
 * One MySQL grant of a user the strategy creates.
 */
export interface MySqlGrant {
  /** Privileges, e.g. `['SELECT', 'INSERT']` (no administrative ones). */
  readonly privileges: string[];

  /** What they apply to: `db.*`, `db.table` or `*.*`. */
  readonly on: string;
}

/**
 * Options of the single-user database strategies.
 */
export interface DatabaseSingleUserOptions extends DatabaseRotationOptions {
  /**
   * The secret of a user allowed to create users (the RDS master secret, say), needed with `createUser`:
   * JSON with `username` and `password`. Its ARN is stored in the rotated secret as `masterarn`.
   * @default - none; `createUser` needs it
   */
  readonly masterSecret?: secretsmanager.ISecret;
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
 * Options of a rotation function you bring (`RotationStrategy.fromFunction`).
 */
export interface FromFunctionOptions {
  /**
   * A JSON object the secret's first value starts from, for a function that expects JSON (e.g. `{"username": "app"}`);
   * a random password is stored under `generateStringKey`. Your function decides every later value.
   * @default - the first value is a random password, a plain string
   */
  readonly secretStringTemplate?: string;

  /**
   * The JSON key that holds the first value's random password. Required with `secretStringTemplate`.
   * @default - no key: the first value is a plain string
   */
  readonly generateStringKey?: string;

  /**
   * The function's log group, where the deploy-time check looks for the Lambda runtime's error lines when a rotation
   * does not finish (it names their error types, not their messages, which may hold a value).
   * @default - for a `lambda.Function` of the app, the group it logs to (its `logGroup` prop, or `/aws/lambda/<name>`);
   * none for an imported function
   */
  readonly logGroup?: logs.ILogGroup;
}

/**
 * Options of a custom rotation (`RotationStrategy.custom`): your code for your service, this library's protocol engine.
 */
export interface CustomRotationOptions {
  /**
   * The TypeScript or JavaScript file whose `handler` is made by `rotationHandler` of `cdk-rotating-secrets/runtime`:
   * your `setSecret` and `testSecret` (and optionally `generate`). Bundled with esbuild by `NodejsFunction`, which
   * needs `esbuild` installed in the app (or Docker).
   */
  readonly entry: string;

  /**
   * The name of the exported handler in `entry`.
   * @default 'handler'
   */
  readonly handler?: string;

  /**
   * Environment variables of the function (where your service is, for example). Never a secret value: give the
   * function another secret's ARN and the permission to read it instead.
   * @default - none
   */
  readonly environment?: Record<string, string>;

  /**
   * What the function needs beyond the secrets it rotates and its logs, which it gets: your service's API, another
   * secret, a key.
   * @default - nothing more
   */
  readonly policyStatements?: iam.PolicyStatement[];

  /**
   * How long one step may run, at most 15 minutes.
   * @default Duration.minutes(1)
   */
  readonly timeout?: Duration;

  /**
   * A JSON object the secret's first value starts from; a random password is stored under `generateStringKey`.
   * @default - the first value is a random password, a plain string
   */
  readonly secretStringTemplate?: string;

  /**
   * The JSON key that holds the first value's random password. Required with `secretStringTemplate`.
   * @default - no key: the first value is a plain string
   */
  readonly generateStringKey?: string;
}

/**
 * Options of the IAM user access key strategy (`RotationStrategy.iamUserAccessKey`).
 */
export interface IamUserAccessKeyOptions {
  /**
   * The IAM user whose access keys rotate. Its keys are this secret's to manage: give the user to one secret only,
   * and make no keys for it elsewhere (a rotation deletes a key the secret's current value does not hold when it
   * needs the slot).
   */
  readonly user: iam.IUser;
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
  public static postgresSingleUser(options: DatabaseSingleUserOptions): RotationStrategy {
    return new DatabaseStrategy('postgres-single-user', options, options.masterSecret);
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
  public static mysqlSingleUser(options: DatabaseSingleUserOptions): RotationStrategy {
    return new DatabaseStrategy('mysql-single-user', options, options.masterSecret);
  }

  /**
   * MySQL and MariaDB (and Aurora MySQL), alternating users: the clone gets the same grants as the user.
   */
  public static mysqlAlternatingUsers(options: DatabaseAlternatingUsersOptions): RotationStrategy {
    return new DatabaseStrategy('mysql-alternating-users', options, options.masterSecret);
  }

  /**
   * Redis and Valkey ACL users (Redis 7 or newer), single user: the user changes its own password with
   * `ACL SETUSER <user> resetpass ><new>`, so it must be allowed `ACL SETUSER`, which in Redis may change any user.
   * Meant for an administrative user; rotate application users with `redisAlternatingUsers`.
   */
  public static redisSingleUser(options: RedisRotationOptions): RotationStrategy {
    return new DatabaseStrategy('redis-single-user', options);
  }

  /**
   * Redis and Valkey ACL users (Redis 7 or newer), alternating users: the master makes `<username>_clone` a copy of
   * the current user (its key, channel and command rules and selectors) with the new password on every rotation, so
   * the previous credentials keep working until the next rotation.
   */
  public static redisAlternatingUsers(options: RedisAlternatingUsersOptions): RotationStrategy {
    return new DatabaseStrategy('redis-alternating-users', options, options.masterSecret);
  }

  /**
   * Amazon Redshift (provisioned clusters), single user: the user changes its own password (`ALTER USER ... PASSWORD`).
   * Passwords follow Redshift's rules: 8 to 64 characters with an uppercase letter, a lowercase letter and a digit.
   */
  public static redshiftSingleUser(options: DatabaseSingleUserOptions): RotationStrategy {
    return new DatabaseStrategy('redshift-single-user', options, options.masterSecret);
  }

  /**
   * Amazon Redshift (provisioned clusters), alternating users: the first rotation creates `<username>_clone` with the
   * master secret; every rotation adds the clone to the user groups and roles of the current user, so the previous
   * credentials keep working until the next rotation. Privileges granted to the user directly are not copied: grant
   * them to a group or role.
   */
  public static redshiftAlternatingUsers(options: DatabaseAlternatingUsersOptions): RotationStrategy {
    return new DatabaseStrategy('redshift-alternating-users', options, options.masterSecret);
  }

  /**
   * A rotation function you bring: your own `lambda.IFunction`, or one deployed from the Serverless Application
   * Repository (import it with `lambda.Function.fromFunctionArn`). It must implement Secrets Manager's four steps.
   * The secret gets this library's schedule, window, failure alarms and metrics, the invoke permission for Secrets
   * Manager (conditioned on this account and, for one secret, on the secret), and the deploy-time check. When the app
   * knows the function's role, the role may read and write the secrets that rotate with the function
   * (`secretsmanager:resource/AllowRotationLambdaArn`), and use their key through Secrets Manager.
   *
   * The check cannot read your function's failure record or ask it which password works: when a rotation fails it
   * says what the staging labels and the function's log group tell (which steps may have stopped, the error types).
   */
  public static fromFunction(fn: lambda.IFunction, options: FromFunctionOptions = {}): RotationStrategy {
    return new FromFunctionStrategy(fn, options);
  }

  /**
   * Your rotation for your service, in TypeScript or JavaScript: you write only what is specific to it (set the pending
   * value at the service, test it; optionally generate it) with `rotationHandler` from `cdk-rotating-secrets/runtime`,
   * and this library's protocol engine does createSecret and finishSecret, idempotency and the staging labels. The
   * function is bundled from `entry` with the engine, and gets everything this library's strategies get: the secrets'
   * permissions, schedule, alarms, metrics and the deploy-time check, which names the failed step and its error (from
   * the engine's failure record) and asks your `testSecret` which value the service accepts.
   *
   * One function per stack and strategy object: give several secrets the same strategy to share it.
   */
  public static custom(options: CustomRotationOptions): RotationStrategy {
    return new CustomStrategy(options);
  }

  /**
   * An IAM user's access keys, for systems that cannot assume a role: IAM's two key slots as alternating credentials.
   * The secret holds `{"userName", "accessKeyId", "secretAccessKey"}`. Each rotation makes a new key (deleting the
   * user's other key first when both slots are taken and it is not the one the current value holds), proves it signs
   * requests as the user (STS GetCallerIdentity), moves the labels, then deactivates the previous key, which the next
   * rotation deletes. The first key is made by the first rotation, during the deploy, so no key is ever in a
   * template or owned by CloudFormation. The function may manage the keys of the strategy's users only.
   */
  public static iamUserAccessKey(options: IamUserAccessKeyOptions): RotationStrategy {
    return new IamUserAccessKeyStrategy(options);
  }

  /**
   * Binds the strategy to a rotating secret.
   * @internal
   */
  public abstract _bind(scope: Construct): RotationStrategyBinding;

  /**
   * The secret's first value: the strategy's fixed shape (JSON template and key) filled by a constant generator, so
   * that no option a user may change later is in CloudFormation's GenerateSecretString (CloudFormation generates a
   * new value whenever it changes). The strategy's password options apply from the first rotation.
   * @internal
   */
  public abstract _initialValue(): InitialValue;
}

/**
 * The first value's generator: alphanumeric and 30 characters long, which every engine's master-password rules
 * accept (RDS: 8 to 41 printable characters without `/`, `"`, `@` or space), and more than enough for a value the
 * first rotation replaces.
 */
const INITIAL_PASSWORD: secretsmanager.SecretStringGenerator = { passwordLength: 30, excludePunctuation: true };

class RandomPasswordStrategy extends RotationStrategy {
  constructor(private readonly options: RandomPasswordOptions) {
    super();
  }

  public _bind(_scope: Construct): RotationStrategyBinding {
    this.validate();
    const passwordPolicy = resolvePasswordOptions(this.options, GENERIC_EXCLUDE_CHARACTERS);
    const { generateStringKey } = this.options;
    return { kind: 'library', config: { strategy: 'generic' }, optionSet: generateStringKey === undefined ? { passwordPolicy } : { passwordPolicy, generateStringKey } };
  }

  public _initialValue(): InitialValue {
    this.validate();
    return { generate: firstValue(this.options) };
  }

  /** Judged where the strategy is used, so that the error names the construct. */
  private validate(): void {
    validatePasswordOptions(this.options, GENERIC_EXCLUDE_CHARACTERS);
    validateTemplate(this.options);
  }
}

class FromFunctionStrategy extends RotationStrategy {
  constructor(private readonly fn: lambda.IFunction, private readonly options: FromFunctionOptions) {
    super();
  }

  public _bind(_scope: Construct): RotationStrategyBinding {
    validateTemplate(this.options);
    return { kind: 'foreign', function: this.fn, logGroup: this.options.logGroup, runsEngine: false };
  }

  public _initialValue(): InitialValue {
    validateTemplate(this.options);
    return { generate: firstValue(this.options) };
  }
}

class IamUserAccessKeyStrategy extends RotationStrategy {
  constructor(private readonly options: IamUserAccessKeyOptions) {
    super();
  }

  public _bind(scope: Construct): RotationStrategyBinding {
    const { user } = this.options;
    const rotation = IamAccessKeyRotationFunction.forUser(scope, user);
    return {
      kind: 'foreign',
      function: rotation.function,
      logGroup: rotation.logGroup,
      runsEngine: true,
      forSecret: (secretScope, secret) => rotation.keysOf(secretScope, secret.secretArn, user, secret.retained),
    };
  }

  /** The user's name only: the first rotation makes the first key. */
  public _initialValue(): InitialValue {
    return { fields: { userName: this.options.user.userName } };
  }
}

/** Lambda's longest timeout. */
const MAX_FUNCTION_TIMEOUT = Duration.minutes(15);

class CustomStrategy extends RotationStrategy {
  private readonly functions = new Map<Stack, { fn: lambda.Function; logGroup: logs.ILogGroup }>();

  constructor(private readonly options: CustomRotationOptions) {
    super();
  }

  public _bind(scope: Construct): RotationStrategyBinding {
    this.validate();
    const stack = Stack.of(scope);
    let made = this.functions.get(stack);
    if (made === undefined) {
      const { entry, handler, environment, policyStatements, timeout } = this.options;
      made = createCustomRotationFunction(stack, customFunctionId(stack, entry), {
        entry, handler: handler ?? 'handler', environment, policyStatements, timeout: timeout ?? Duration.minutes(1),
      });
      this.functions.set(stack, made);
    }
    return { kind: 'foreign', function: made.fn, logGroup: made.logGroup, runsEngine: true };
  }

  public _initialValue(): InitialValue {
    this.validate();
    return { generate: firstValue(this.options) };
  }

  private validate(): void {
    validateTemplate(this.options);
    const timeout = this.options.timeout;
    const seconds = timeout === undefined || timeout.isUnresolved() ? undefined : timeout.toSeconds({ integral: false });
    if (seconds !== undefined && (seconds < 1 || seconds > MAX_FUNCTION_TIMEOUT.toSeconds())) {
      throw new PropError(`\`timeout\` must be from 1 second to 15 minutes, got ${timeout!.toHumanString()}`);
    }
  }
}

/** The first value: a password from the constant generator, under `generateStringKey` in the template when given. */
function firstValue(options: Pick<RandomPasswordOptions, 'secretStringTemplate' | 'generateStringKey'>): secretsmanager.SecretStringGenerator {
  const { secretStringTemplate, generateStringKey } = options;
  return { ...INITIAL_PASSWORD, secretStringTemplate, generateStringKey };
}

function validateTemplate(options: Pick<RandomPasswordOptions, 'secretStringTemplate' | 'generateStringKey'>) {
  const { secretStringTemplate: template, generateStringKey: key } = options;
  if (template !== undefined && key === undefined) {
    throw new PropError('`generateStringKey` is required with `secretStringTemplate`: name the JSON key that holds the password');
  }
  if (key !== undefined && template === undefined) {
    throw new PropError(`\`secretStringTemplate\` is required with \`generateStringKey\` ("${key}"): give the JSON object the password goes into, e.g. '{}'`);
  }
  if (key !== undefined && !Token.isUnresolved(key) && key.length === 0) {
    throw new PropError('`generateStringKey` must not be empty');
  }
  if (template === undefined || Token.isUnresolved(template)) return;
  let parsed: unknown;
  try {
    parsed = JSON.parse(template);
  } catch {
    throw new PropError(`\`secretStringTemplate\` must be a JSON object, got ${JSON.stringify(template)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new PropError(`\`secretStringTemplate\` must be a JSON object, got ${JSON.stringify(template)}`);
  }
}

class DatabaseStrategy extends RotationStrategy {
  constructor(
    private readonly kind: DatabaseStrategyName,
    private readonly options: DatabaseRotationOptions,
    private readonly masterSecret?: secretsmanager.ISecret,
  ) {
    super();
  }

  public _bind(_scope: Construct): RotationStrategyBinding {
    this.validate();
    const family = STRATEGIES[this.kind].family;
    const passwordPolicy = resolvePasswordOptions(this.options, DATABASE_EXCLUDE_CHARACTERS);
    const { database, dbname, ssl, connectTimeout, createUser } = this.options;
    // What the rotation function needs besides what an attachment writes (engine, host, port): merged into the secret
    // by the deploy-time check, so changing it never regenerates the password.
    const common = {
      ...(dbname !== undefined ? { dbname } : {}),
      ...(ssl === false ? { ssl: false } : {}),
      ...(this.masterSecret ? { masterarn: this.masterSecret.secretFullArn ?? this.masterSecret.secretArn } : {}),
    };
    return {
      kind: 'library',
      config: { strategy: this.kind, connectTimeoutSeconds: connectTimeout?.toSeconds() ?? DEFAULT_CONNECT_TIMEOUT_SECONDS },
      optionSet: { passwordPolicy },
      network: this.options.vpc
        ? { vpc: this.options.vpc, vpcSubnets: this.options.vpcSubnets, securityGroups: this.options.securityGroups }
        : undefined,
      masterSecret: this.masterSecret,
      createUser: createUser && { memberOf: createUser.memberOf, grants: createUser.grants },
      database: (attached) => {
        if (attached !== undefined && family === REDIS_FAMILY) {
          throw new PropError(`a ${family.displayName} strategy cannot be attached to a database: it protects the server given in \`database\``);
        }
        if (database !== undefined && attached !== undefined) {
          throw new PropError('`database` is given and the secret is also attached to a database: leave out `database` (the attached database is the one it protects)');
        }
        if (attached !== undefined) {
          return { connectable: attached.connectable, port: attached.port, connection: { engine: family.engine, ...common } };
        }
        if (database === undefined) {
          throw new PropError('`database` is required unless the secret is attached to its database (rds.Credentials.fromSecret(rotatingSecret) for a new database, or rotatingSecret.attach(target))');
        }
        const port = database.port ?? family.defaultPort;
        return {
          connectable: database.connectable,
          port,
          connection: { engine: family.engine, host: database.host, port, ...common },
        };
      },
    };
  }

  public _initialValue(): InitialValue {
    this.validate();
    return { generate: { ...INITIAL_PASSWORD, secretStringTemplate: JSON.stringify({ username: this.options.username }), generateStringKey: 'password' } };
  }

  /** Judged where the strategy is used, so that the error names the construct. */
  private validate(): void {
    validatePasswordOptions(this.options, DATABASE_EXCLUDE_CHARACTERS);
    validateDatabaseOptions(this.kind, this.options, this.masterSecret);
  }
}
