/**
 * The rotation function's configuration: what the constructs write into its environment and the handler
 * reads back. Variable names follow AWS's rotation templates where they have one.
 */
import { ContractError, FieldCodec, RecordCodec, decodeRecord, encodeRecord, jsonObjectVariable, oneOf, wholeNumber } from './codec';
import { EngineFamily, LAMBDA_CA_BUNDLE, MYSQL_FAMILY, POSTGRES_FAMILY, REDIS_FAMILY } from './engines';
import {
  DeclaredOptionSets, GENERATE_STRING_KEY_FIELD, PasswordOptionSet,
  checkOptionSetId, decodeOptionSets, encodeOptionSets, entryForSecret, optionSetBySecretVariable,
} from './option-sets';
import { DATABASE_EXCLUDE_CHARACTERS, GENERIC_EXCLUDE_CHARACTERS } from './password-policy';
import { REDSHIFT_FAMILY } from './redshift';

/** Where a bundle's entry file is, relative to the package root; its esbuild output is `assets/<entry>/index.js`. */
export const FUNCTION_BUNDLES = {
  /** The generic rotation function: no database driver, so it stays small and starts fast. */
  genericRotation: 'lambda/rotation/generic-function',
  /** The database rotation function: PostgreSQL (also for Amazon Redshift) and MySQL/MariaDB drivers, and a Redis/Valkey client. */
  databaseRotation: 'lambda/rotation/database-function',
  /** The deploy-time check. */
  verification: 'lambda/verify/verify-function',
  /** IAM user access keys (`RotationStrategy.iamUserAccessKey`): the protocol engine with IAM's and STS's clients. */
  iamAccessKeyRotation: 'lambda/rotation/iam-access-key-function',
} as const;
export type FunctionBundle = keyof typeof FUNCTION_BUNDLES;

/** A strategy the bundled rotation functions implement, and what it needs. */
export interface StrategyFacts {
  readonly bundle: FunctionBundle;
  /** The database engine family, for database strategies. */
  readonly family?: EngineFamily;
  /** Alternating users: a master secret creates and updates the `_clone` user. */
  readonly alternating: boolean;
}

/** Every strategy, by the name the constructs write into ROTATION_STRATEGY. */
export const STRATEGIES = {
  'generic': { bundle: 'genericRotation', alternating: false },
  'postgres-single-user': { bundle: 'databaseRotation', family: POSTGRES_FAMILY, alternating: false },
  'postgres-alternating-users': { bundle: 'databaseRotation', family: POSTGRES_FAMILY, alternating: true },
  'mysql-single-user': { bundle: 'databaseRotation', family: MYSQL_FAMILY, alternating: false },
  'mysql-alternating-users': { bundle: 'databaseRotation', family: MYSQL_FAMILY, alternating: true },
  'redis-single-user': { bundle: 'databaseRotation', family: REDIS_FAMILY, alternating: false },
  'redis-alternating-users': { bundle: 'databaseRotation', family: REDIS_FAMILY, alternating: true },
  'redshift-single-user': { bundle: 'databaseRotation', family: REDSHIFT_FAMILY, alternating: false },
  'redshift-alternating-users': { bundle: 'databaseRotation', family: REDSHIFT_FAMILY, alternating: true },
} as const satisfies Record<string, StrategyFacts>;
export type StrategyName = keyof typeof STRATEGIES;
export type DatabaseStrategyName = Exclude<StrategyName, 'generic'>;
const STRATEGY_NAMES = Object.keys(STRATEGIES) as StrategyName[];

/** How long one database login may take, in whole seconds (AWS's templates use 5). */
export const DEFAULT_CONNECT_TIMEOUT_SECONDS = 5;
export const MAX_CONNECT_TIMEOUT_SECONDS = 60;
/** How long one database statement may run: a lock held elsewhere must not eat the whole step. */
export const QUERY_TIMEOUT_SECONDS = 30;

/**
 * Logins one step may make one after another, each bounded by the connect timeout. setSecret is the longest: single
 * user tries pending, current and previous, then the master and pending again (createUser, when another invocation
 * may have created the user); alternating users try pending, current and the master, and current again after
 * creating it. (A login again without the database, after the server refused only the database, follows an answer
 * and does not wait.)
 */
const LOGINS_PER_STEP = 5;
/** Statements of one step that may wait their whole timeout: the one that times out and the clean-up after it. */
const SLOW_STATEMENTS_PER_STEP = 2;
/** The Secrets Manager calls, the statements that do not wait, TLS handshakes and a cold start. */
const STEP_MARGIN_SECONDS = 15;
/** The generic function's timeout: its steps make a few Secrets Manager calls and nothing else. */
const GENERIC_FUNCTION_TIMEOUT_SECONDS = 60;

/**
 * The rotation function's timeout, in seconds: the worst case of one step, so that an unreachable database fails
 * the step with the named login failures rather than Lambda's "Task timed out".
 */
export function rotationFunctionTimeoutSeconds(strategy: StrategyName, connectTimeoutSeconds: number = DEFAULT_CONNECT_TIMEOUT_SECONDS): number {
  if (STRATEGIES[strategy].bundle === 'genericRotation') return GENERIC_FUNCTION_TIMEOUT_SECONDS;
  return LOGINS_PER_STEP * connectTimeoutSeconds + SLOW_STATEMENTS_PER_STEP * QUERY_TIMEOUT_SECONDS + STEP_MARGIN_SECONDS;
}

/**
 * How a database strategy creates a user that does not exist yet (opt-in `createUser`), with the master secret.
 * Identifiers and privileges are validated on both sides and quoted by the driver; nothing here is SQL text.
 */
export interface CreateUserSpec {
  /**
   * PostgreSQL: roles the new user becomes a member of (`GRANT <role> TO <user>`); Amazon Redshift: user groups it
   * joins (`ALTER GROUP <group> ADD USER <user>`).
   */
  readonly memberOf?: readonly string[];
  /** MySQL and MariaDB: `GRANT <privileges> ON <on> TO <user>` for each, `on` being `db.*`, `db.table` or `*.*`. */
  readonly grants?: ReadonlyArray<{ readonly privileges: readonly string[]; readonly on: string }>;
}

/** What makes one rotation function: its strategy and, for databases, the connect timeout its timeout follows from. */
export interface RotationFunctionSettings {
  readonly strategy: StrategyName;
  /** Database strategies only: how long one login may take. */
  readonly connectTimeoutSeconds?: number;
}

/** The rotation function's configuration, as the constructs write it and the handler reads it. */
export interface RotationFunctionConfig extends RotationFunctionSettings, DeclaredOptionSets {
  /**
   * Database strategies only: the users this function may create, by the ARN of the secret that names them. Kept in
   * the function's configuration, not in the secret, so that whoever can write a secret's value cannot choose what
   * the master grants.
   */
  readonly createUsers?: Readonly<Record<string, CreateUserSpec>>;
}

/** The variables every field but the option sets is written to. */
const CONFIG_VARIABLES: RecordCodec<Omit<RotationFunctionConfig, 'optionSets'>> = {
  strategy: oneOf('ROTATION_STRATEGY', STRATEGY_NAMES),
  connectTimeoutSeconds: wholeNumber('CONNECT_TIMEOUT_SECONDS', 1, MAX_CONNECT_TIMEOUT_SECONDS),
  optionSetBySecret: optionSetBySecretVariable('OPTION_SET_BY_SECRET'),
  createUsers: createUsersVariable('CREATE_USERS'),
};

/** The option sets' variable: JSON whose defaults depend on the strategy (see option-sets.ts). */
export const OPTION_SETS_VARIABLE = 'PASSWORD_OPTION_SETS';

/** Node.js reads this one itself: database functions load Lambda's CA bundle, which has the RDS authorities. */
const EXTRA_CA_CERTIFICATES = 'NODE_EXTRA_CA_CERTS';

/** The default `excludeCharacters`: the generic template's for `generic`, the database templates' otherwise. */
export function defaultExcludeCharacters(strategy: StrategyName): string {
  return strategy === 'generic' ? GENERIC_EXCLUDE_CHARACTERS : DATABASE_EXCLUDE_CHARACTERS;
}

/** The function's environment variables for `config`. */
export function encodeRotationEnvironment(config: RotationFunctionConfig): Record<string, string> {
  checkFieldsFitStrategy(config);
  const database: Record<string, string> = STRATEGIES[config.strategy].bundle === 'databaseRotation' ? { [EXTRA_CA_CERTIFICATES]: LAMBDA_CA_BUNDLE } : {};
  return {
    ...encodeRecord(CONFIG_VARIABLES, config),
    [OPTION_SETS_VARIABLE]: encodeOptionSets(config.optionSets, defaultExcludeCharacters(config.strategy)),
    ...database,
  };
}

/** Reads the configuration back from the environment; errors name the variable at fault. */
export function decodeRotationEnvironment(env: Readonly<Record<string, string | undefined>>): RotationFunctionConfig {
  const { strategy, connectTimeoutSeconds, optionSetBySecret, createUsers } = decodeRecord(
    CONFIG_VARIABLES, env, 'variable', ['connectTimeoutSeconds', 'optionSetBySecret', 'createUsers'],
  );
  const rawSets = env[OPTION_SETS_VARIABLE];
  if (rawSets === undefined) throw new ContractError(`\`${OPTION_SETS_VARIABLE}\` is required, but is not set`);
  let optionSets: Record<string, PasswordOptionSet>;
  try {
    optionSets = decodeOptionSets(rawSets, defaultExcludeCharacters(strategy));
  } catch (error) {
    throw new ContractError(`\`${OPTION_SETS_VARIABLE}\` ${(error as Error).message}`);
  }
  const config: RotationFunctionConfig = {
    strategy,
    optionSets,
    ...(connectTimeoutSeconds === undefined ? {} : { connectTimeoutSeconds }),
    ...(optionSetBySecret === undefined ? {} : { optionSetBySecret }),
    ...(createUsers === undefined ? {} : { createUsers }),
  };
  checkFieldsFitStrategy(config);
  return config;
}

/** The strategy a function's environment names (a reader of a template may find any value there), if any. */
export function strategyOfEnvironment(env: Readonly<Record<string, unknown>>): string | undefined {
  const value = env[CONFIG_VARIABLES.strategy.name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * A request of the deploy-time check to a rotation function (Lambda Invoke, not Secrets Manager): which of a
 * secret's versions the protected service accepts now. The answer holds outcomes only, never a value.
 */
export interface ProbeRequest {
  readonly ProbeVersions: { readonly SecretId: string; readonly VersionIds: readonly string[] };
}

/**
 * `accepted`: the service takes the version's credentials; `refused`: it refuses them; `unreachable`: the service
 * could not be asked (network, TLS); `no-service`: the strategy protects no service (generic), so no version is in use.
 */
export type ProbeOutcome = 'accepted' | 'refused' | 'unreachable' | 'no-service';

/**
 * The answer to a ProbeRequest: an outcome per version id, and a reason where there is more to say (why `refused` or
 * `unreachable`; an `accepted` password whose database the server refused), free of secret values. A version without
 * a value (RotateSecret's placeholder before createSecret stored one, or an id the secret does not have) is
 * `refused`: it holds no credentials the service could accept.
 */
export interface ProbeResult {
  readonly outcomes: Readonly<Record<string, ProbeOutcome>>;
  readonly reasons?: Readonly<Record<string, string>>;
}

/** The most versions one probe may name (the check asks about two: AWSCURRENT and the stale AWSPENDING). */
export const MAX_PROBE_VERSIONS = 10;

/** Whether a rotation function's event is the check's probe rather than a Secrets Manager step. */
export function isProbeRequest(event: unknown): event is ProbeRequest {
  const probe = typeof event === 'object' && event !== null ? (event as Record<string, unknown>).ProbeVersions : undefined;
  return typeof probe === 'object' && probe !== null;
}

function checkFieldsFitStrategy(config: RotationFunctionConfig): void {
  const isGeneric = config.strategy === 'generic';
  for (const [id, set] of Object.entries(config.optionSets)) {
    checkOptionSetId(id);
    if (!isGeneric && set.generateStringKey !== undefined) {
      throw new ContractError(`\`${OPTION_SETS_VARIABLE}\` set "${id}": \`${GENERATE_STRING_KEY_FIELD}\` is for the generic strategy only, not ${config.strategy}`);
    }
  }
  for (const [arn, id] of Object.entries(config.optionSetBySecret ?? {})) {
    if (!Object.hasOwn(config.optionSets, id)) {
      throw new ContractError(`\`${CONFIG_VARIABLES.optionSetBySecret.name}\` for ${arn} names the set ${JSON.stringify(id)}, which \`${OPTION_SETS_VARIABLE}\` does not declare`);
    }
  }
  if (isGeneric && config.connectTimeoutSeconds !== undefined) {
    throw new ContractError(`\`${CONFIG_VARIABLES.connectTimeoutSeconds.name}\` is for database strategies only, not ${config.strategy}`);
  }
  if (isGeneric && config.createUsers !== undefined) {
    throw new ContractError(`\`${CONFIG_VARIABLES.createUsers.name}\` is for database strategies only, not ${config.strategy}`);
  }
  if (!isGeneric && config.connectTimeoutSeconds === undefined) {
    throw new ContractError(`\`${CONFIG_VARIABLES.connectTimeoutSeconds.name}\` is required for ${config.strategy}`);
  }
  const family = (STRATEGIES[config.strategy] as StrategyFacts).family;
  for (const [arn, spec] of Object.entries(config.createUsers ?? {})) {
    const where = `\`${CONFIG_VARIABLES.createUsers.name}\` for ${arn}`;
    if (family === REDIS_FAMILY) throw new ContractError(`${where}: ${config.strategy} does not create users`);
    if (family === MYSQL_FAMILY && (spec.memberOf ?? []).length > 0) {
      throw new ContractError(`${where}: \`memberOf\` is for PostgreSQL strategies, not ${config.strategy}`);
    }
    if (family !== MYSQL_FAMILY && (spec.grants ?? []).length > 0) {
      throw new ContractError(`${where}: \`grants\` are for MySQL and MariaDB strategies, not ${config.strategy}`);
    }
  }
}

/**
 * The create-user spec of a secret: `createUsers` is keyed by the secret's ARN, or by the partial ARN (without the
 * `-` and six characters Secrets Manager appends) of a secret the app knows by name only.
 */
export function createUserSpecFor(createUsers: RotationFunctionConfig['createUsers'], secretArn: string): CreateUserSpec | undefined {
  return entryForSecret(createUsers, secretArn);
}

/** Privileges a created MySQL user may be granted (no administrative ones: GRANT OPTION, SUPER, CREATE USER, ...). */
export const GRANTABLE_MYSQL_PRIVILEGES = [
  'SELECT', 'INSERT', 'UPDATE', 'DELETE', 'CREATE', 'DROP', 'INDEX', 'ALTER', 'CREATE TEMPORARY TABLES', 'LOCK TABLES',
  'EXECUTE', 'CREATE VIEW', 'SHOW VIEW', 'CREATE ROUTINE', 'ALTER ROUTINE', 'EVENT', 'TRIGGER', 'REFERENCES',
] as const;

/** A database object a MySQL grant applies to: `db.*`, `db.table` or `*.*` (plain identifiers only). */
const MYSQL_GRANT_TARGET = /^(\*\.\*|[A-Za-z0-9_$]{1,64}\.(\*|[A-Za-z0-9_$]{1,64}))$/;
/** A PostgreSQL role name (at most 63 bytes); any character, since the driver quotes it. */
const ROLE_NAME = /^[^\u0000]{1,63}$/u;

/** Why a create-user spec is refused, or undefined when it is valid. Messages name the field, not a secret. */
export function createUserSpecProblem(spec: CreateUserSpec): string | undefined {
  for (const role of spec.memberOf ?? []) {
    if (!ROLE_NAME.test(role) || new TextEncoder().encode(role).length > 63) return `\`memberOf\` role ${JSON.stringify(role)} must be 1 to 63 bytes`;
  }
  for (const grant of spec.grants ?? []) {
    if (grant.privileges.length === 0) return `\`grants\` on ${JSON.stringify(grant.on)} must name at least one privilege`;
    const unknown = grant.privileges.filter((privilege) => !(GRANTABLE_MYSQL_PRIVILEGES as readonly string[]).includes(privilege));
    if (unknown.length > 0) return `\`grants\` privileges ${unknown.map((p) => JSON.stringify(p)).join(', ')} are not among ${GRANTABLE_MYSQL_PRIVILEGES.join(', ')}`;
    if (!MYSQL_GRANT_TARGET.test(grant.on)) return `\`grants\` target ${JSON.stringify(grant.on)} must be \`db.*\`, \`db.table\` or \`*.*\` with plain identifiers`;
  }
  return undefined;
}

/** CREATE_USERS: a JSON map from secret ARN to its create-user spec, each checked. */
function createUsersVariable(name: string): FieldCodec<Readonly<Record<string, CreateUserSpec>>> {
  return jsonObjectVariable(name, (parsed) => {
    for (const [arn, spec] of Object.entries(parsed)) {
      const problem = typeof spec === 'object' && spec !== null ? createUserSpecProblem(spec as CreateUserSpec) : 'must be an object';
      if (problem !== undefined) throw new Error(`for ${arn}: ${problem}`);
    }
  });
}
