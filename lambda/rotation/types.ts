/**
 * Contracts of the rotation engine. The four-step protocol (protocol.ts) is plain code over these
 * interfaces; the AWS SDK and database drivers live behind them, at the edge.
 */
import type { PasswordOptionSet, ProbeOutcome } from '../../src/private/contract';

export type { PasswordOptionSet, PasswordPolicy } from '../../src/private/contract';

/** The four steps Secrets Manager invokes, in order. */
export type RotationStep = 'createSecret' | 'setSecret' | 'testSecret' | 'finishSecret';

/** The event Secrets Manager sends to a rotation function. */
export interface RotationEvent {
  readonly Step: string;
  readonly SecretId: string;
  readonly ClientRequestToken: string;
  readonly RotationToken?: string;
}

/** What DescribeSecret tells the engine. */
export interface SecretDescription {
  readonly arn: string;
  readonly name: string;
  /** False when rotation was never configured or was cancelled. */
  readonly rotationEnabled: boolean;
  /** Version id to staging labels; deprecated (label-less) versions are absent. */
  readonly versionIdsToStages: Readonly<Record<string, readonly string[]>>;
  /** The secret's tags: one names its password option set. */
  readonly tags: Readonly<Record<string, string>>;
  /** When the secret was created, when Secrets Manager says. */
  readonly createdDate?: Date;
}

/** Selects one version of a secret, as GetSecretValue does. */
export interface VersionSelector {
  readonly versionId?: string;
  readonly stage?: string;
}

/** The Secrets Manager operations the engine needs, and nothing else. */
export interface SecretsStore {
  describe(secretId: string): Promise<SecretDescription>;
  /** The version's SecretString, or undefined when Secrets Manager answers ResourceNotFoundException. */
  getValue(secretId: string, selector: VersionSelector): Promise<string | undefined>;
  /** PutSecretValue with VersionStages [AWSPENDING]; rejects with ResourceExistsError when the token holds other data. */
  putPendingValue(secretId: string, token: string, value: string, rotationToken?: string): Promise<void>;
  /** UpdateSecretVersionStage: move AWSCURRENT to `versionId`, removing it from `fromVersionId`. */
  moveCurrent(secretId: string, versionId: string, fromVersionId: string): Promise<void>;
}

/** Structured JSON logger. Callers pass only non-secret fields. */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** What every step of a strategy receives. */
export interface StepContext {
  readonly secretArn: string;
  readonly token: string;
  readonly store: SecretsStore;
  readonly log: Logger;
  /** The secret's password option set. */
  readonly options: PasswordOptionSet;
  /** A fresh password from the secret's policy (cryptographically secure, local). */
  generatePassword(): string;
}

/**
 * A protected service: what the secret unlocks. The generic strategy has none (setSecret is a no-op);
 * database strategies change a user's password. Every method must be safe to run twice, or concurrently,
 * with the same token.
 */
export interface ProtectedService {
  /** Strategy name for logs, e.g. `generic` or `postgres-single-user`. */
  readonly name: string;
  /**
   * createSecret: the pending value, derived from the current one. Must not touch the service, unless only the
   * service can make the value (IAM makes an access key's secret); then see `discardPendingValue`.
   * `readCurrent` reads the AWSCURRENT value; a strategy that does not need it (a plain generated password)
   * does not call it, which saves a Secrets Manager call.
   */
  createPendingValue(readCurrent: () => Promise<string>, context: StepContext): Promise<string>;
  /** setSecret: make the service accept the pending value. */
  setSecret(context: StepContext): Promise<void>;
  /** testSecret: throw unless the pending value works (or, for generic, is well-formed). */
  testSecret(context: StepContext): Promise<void>;
  /**
   * The deploy-time check's probe: whether the service accepts one version's value now, changing nothing.
   * `readValue` reads the version (undefined when it has no value); a strategy without a service does not call it.
   */
  probe(readValue: () => Promise<string | undefined>): Promise<ProbeVerdict>;
  /**
   * finishSecret, once AWSCURRENT is on the token (also when a retried finishSecret finds it there already): retire
   * what the previous value unlocks. Optional; it must be safe to run again.
   */
  retirePrevious?(context: StepContext): Promise<void>;
  /**
   * createSecret lost a race: `value` was made, but another createSecret of the same token stored its value first.
   * Undo what making `value` did at the service (a service that makes credentials in createPendingValue). Optional.
   */
  discardPendingValue?(value: string, context: StepContext): Promise<void>;
}

/** What the service answered for one version; `reason` (for refused and unreachable) holds no secret value. */
export interface ProbeVerdict {
  readonly outcome: ProbeOutcome;
  readonly reason?: string;
}
