import type { TlsTrust } from './tls';
import { DEFAULT_CONNECT_TIMEOUT_SECONDS, QUERY_TIMEOUT_SECONDS, RotationFunctionConfig } from '../../../src/private/contract';

/** Connection settings shared by every database strategy. */
export interface DatabaseSettings {
  /** How long one login may take. */
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

/** The settings of `config`. */
export function databaseSettings(config: RotationFunctionConfig, options: DatabaseStrategyOptions = {}): DatabaseSettings {
  return {
    connectTimeoutMs: (config.connectTimeoutSeconds ?? DEFAULT_CONNECT_TIMEOUT_SECONDS) * 1000,
    queryTimeoutMs: QUERY_TIMEOUT_SECONDS * 1000,
    trust: options.trustedCa === undefined ? {} : { ca: options.trustedCa },
  };
}
