/**
 * The rotation function's configuration: what the constructs write into its environment and the handler
 * reads back. Variable names follow AWS's rotation templates where they have one.
 */
import { ContractError, FieldCodec, RecordCodec, bool, decodeRecord, encodeRecord, oneOf, text, wholeNumber } from './codec';
import { EngineFamily, LAMBDA_CA_BUNDLE, MYSQL_FAMILY, POSTGRES_FAMILY } from './engines';
import {
  DATABASE_EXCLUDE_CHARACTERS,
  GENERIC_EXCLUDE_CHARACTERS,
  MAX_PASSWORD_LENGTH,
  MIN_PASSWORD_LENGTH,
  PasswordPolicy,
} from './password-policy';

/** Where a bundle's entry file is, relative to the package root; its esbuild output is `assets/<entry>/index.js`. */
export const FUNCTION_BUNDLES = {
  /** The generic rotation function: no database driver, so it stays small and starts fast. */
  genericRotation: 'lambda/rotation/generic-function',
  /** The database rotation function: PostgreSQL and MySQL/MariaDB drivers. */
  databaseRotation: 'lambda/rotation/database-function',
  /** The deploy-time check. */
  verification: 'lambda/verify/verify-function',
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
} as const satisfies Record<string, StrategyFacts>;
export type StrategyName = keyof typeof STRATEGIES;
export type DatabaseStrategyName = Exclude<StrategyName, 'generic'>;
const STRATEGY_NAMES = Object.keys(STRATEGIES) as StrategyName[];

/** How long one database login may take, in whole seconds (AWS's templates use 5). */
export const DEFAULT_CONNECT_TIMEOUT_SECONDS = 5;
export const MAX_CONNECT_TIMEOUT_SECONDS = 60;

/** The rotation function's configuration, as the constructs write it and the handler reads it. */
export interface RotationFunctionConfig {
  readonly strategy: StrategyName;
  /** How new passwords are generated. */
  readonly passwordPolicy: PasswordPolicy;
  /** Generic strategy only: the JSON key that holds the password; undefined for plain-string secrets. */
  readonly generateStringKey?: string;
  /** Database strategies only: how long one login may take. */
  readonly connectTimeoutSeconds?: number;
}

/** The variables every field is written to. */
const CONFIG_VARIABLES: RecordCodec<Omit<RotationFunctionConfig, 'passwordPolicy'>> = {
  strategy: oneOf('ROTATION_STRATEGY', STRATEGY_NAMES),
  generateStringKey: text('GENERATE_STRING_KEY', { nonEmpty: true }),
  connectTimeoutSeconds: wholeNumber('CONNECT_TIMEOUT_SECONDS', 1, MAX_CONNECT_TIMEOUT_SECONDS),
};

const POLICY_VARIABLES: RecordCodec<PasswordPolicy> = {
  passwordLength: wholeNumber('PASSWORD_LENGTH', MIN_PASSWORD_LENGTH, MAX_PASSWORD_LENGTH),
  excludeCharacters: text('EXCLUDE_CHARACTERS'),
  excludeNumbers: bool('EXCLUDE_NUMBERS'),
  excludePunctuation: bool('EXCLUDE_PUNCTUATION'),
  excludeUppercase: bool('EXCLUDE_UPPERCASE'),
  excludeLowercase: bool('EXCLUDE_LOWERCASE'),
  includeSpace: bool('INCLUDE_SPACE'),
  requireEachIncludedType: bool('REQUIRE_EACH_INCLUDED_TYPE'),
};

/** Node.js reads this one itself: database functions load Lambda's CA bundle, which has the RDS authorities. */
const EXTRA_CA_CERTIFICATES = 'NODE_EXTRA_CA_CERTS';

/** The default `excludeCharacters`: the generic template's for `generic`, the database templates' otherwise. */
export function defaultExcludeCharacters(strategy: StrategyName): string {
  return strategy === 'generic' ? GENERIC_EXCLUDE_CHARACTERS : DATABASE_EXCLUDE_CHARACTERS;
}

/** The function's environment variables for `config`. Every password variable is written, defaults included. */
export function encodeRotationEnvironment(config: RotationFunctionConfig): Record<string, string> {
  checkFieldsFitStrategy(config);
  const policy: Record<string, string> = {};
  for (const key of Object.keys(POLICY_VARIABLES) as Array<keyof PasswordPolicy>) {
    const variable = POLICY_VARIABLES[key] as FieldCodec<PasswordPolicy[typeof key]>;
    policy[variable.name] = variable.encode(config.passwordPolicy[key]);
  }
  const database: Record<string, string> = STRATEGIES[config.strategy].bundle === 'databaseRotation' ? { [EXTRA_CA_CERTIFICATES]: LAMBDA_CA_BUNDLE } : {};
  return { ...encodeRecord(CONFIG_VARIABLES, config), ...policy, ...database };
}

/** Reads the configuration back from the environment; errors name the variable at fault. */
export function decodeRotationEnvironment(env: Readonly<Record<string, string | undefined>>): RotationFunctionConfig {
  const { strategy, generateStringKey, connectTimeoutSeconds } = decodeRecord(
    CONFIG_VARIABLES, env, 'variable', ['generateStringKey', 'connectTimeoutSeconds'],
  );
  const config: RotationFunctionConfig = {
    strategy,
    passwordPolicy: decodeRecord(POLICY_VARIABLES, env, 'variable'),
    ...(generateStringKey === undefined ? {} : { generateStringKey }),
    ...(connectTimeoutSeconds === undefined ? {} : { connectTimeoutSeconds }),
  };
  checkFieldsFitStrategy(config);
  return config;
}

/** The strategy a function's environment names (a reader of a template may find any value there), if any. */
export function strategyOfEnvironment(env: Readonly<Record<string, unknown>>): string | undefined {
  const value = env[CONFIG_VARIABLES.strategy.name];
  return typeof value === 'string' ? value : undefined;
}

/** The variables of the password policy, for messages. */
export const PASSWORD_POLICY_VARIABLES = Object.values(POLICY_VARIABLES).map((variable) => variable.name);

function checkFieldsFitStrategy(config: RotationFunctionConfig): void {
  const isGeneric = config.strategy === 'generic';
  if (!isGeneric && config.generateStringKey !== undefined) {
    throw new ContractError(`\`${CONFIG_VARIABLES.generateStringKey.name}\` is for the generic strategy only, not ${config.strategy}`);
  }
  if (isGeneric && config.connectTimeoutSeconds !== undefined) {
    throw new ContractError(`\`${CONFIG_VARIABLES.connectTimeoutSeconds.name}\` is for database strategies only, not ${config.strategy}`);
  }
  if (!isGeneric && config.connectTimeoutSeconds === undefined) {
    throw new ContractError(`\`${CONFIG_VARIABLES.connectTimeoutSeconds.name}\` is required for ${config.strategy}`);
  }
}
