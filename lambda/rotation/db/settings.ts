import type { TlsTrust } from './tls';

/** The rotation function's environment, as the strategy factories receive it. */
export type DatabaseEnvironment = Readonly<Record<string, string | undefined>>;

/** Connection settings shared by every database strategy. */
export interface DatabaseSettings {
  /** How long one login may take (CONNECT_TIMEOUT_SECONDS, default 5, as in AWS's templates). */
  readonly connectTimeoutMs: number;
  /** How long one statement may run. */
  readonly queryTimeoutMs: number;
  /** The certificate authorities TLS connections trust. */
  readonly trust: TlsTrust;
}

/** Options a caller (a test, or a program embedding the strategies) may pass to a strategy factory. */
export interface DatabaseStrategyOptions {
  /**
   * PEM certificates to trust instead of Node's default store. The deployed function leaves this unset and
   * relies on NODE_EXTRA_CA_CERTS.
   * @default - Node's default store, including NODE_EXTRA_CA_CERTS
   */
  readonly trustedCa?: string;
}

const DEFAULT_CONNECT_TIMEOUT_SECONDS = 5;
const MAX_CONNECT_TIMEOUT_SECONDS = 60;
const QUERY_TIMEOUT_MS = 30_000;

/** Reads the settings; errors name the variable at fault. */
export function readDatabaseSettings(env: DatabaseEnvironment, options: DatabaseStrategyOptions = {}): DatabaseSettings {
  return {
    connectTimeoutMs: readConnectTimeoutSeconds(env) * 1000,
    queryTimeoutMs: QUERY_TIMEOUT_MS,
    trust: options.trustedCa === undefined ? {} : { ca: options.trustedCa },
  };
}

function readConnectTimeoutSeconds(env: DatabaseEnvironment): number {
  const raw = env.CONNECT_TIMEOUT_SECONDS;
  if (raw === undefined) return DEFAULT_CONNECT_TIMEOUT_SECONDS;
  const seconds = /^\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!(seconds > 0 && seconds <= MAX_CONNECT_TIMEOUT_SECONDS)) {
    throw new Error(`\`CONNECT_TIMEOUT_SECONDS\` must be a number of seconds above 0 and at most ${MAX_CONNECT_TIMEOUT_SECONDS}, got ${JSON.stringify(raw)}`);
  }
  return seconds;
}
