import { randomInt } from 'node:crypto';
import { SimulatorClock } from './clock';
import { secretNotFound } from './errors';

export const AWSCURRENT = 'AWSCURRENT';
export const AWSPENDING = 'AWSPENDING';
export const AWSPREVIOUS = 'AWSPREVIOUS';

/** A version's data: exactly one of a string or a binary (base64, as on the wire). */
export interface SecretValue {
  readonly string?: string;
  readonly binary?: string;
}

export interface SecretVersion {
  readonly id: string;
  /** Undefined for the value-less placeholder RotateSecret creates. */
  value?: SecretValue;
  /** Staging labels, sorted (as Secrets Manager lists them). A version without labels is deprecated. */
  stages: string[];
  readonly createdAt: number;
  lastAccessedAt?: number;
}

export interface Tag {
  readonly Key: string;
  readonly Value: string;
}

export interface RotationRules {
  readonly automaticallyAfterDays?: number;
  readonly scheduleExpression?: string;
  readonly duration?: string;
}

/** Rotation configuration and schedule state of one secret. */
export interface RotationState {
  lambdaArn?: string;
  rules?: RotationRules;
  /** Undefined until rotation is first configured; false after CancelRotateSecret. */
  enabled?: boolean;
  lastRotatedAt?: number;
  /** The reported NextRotationDate: the end of the next rotation window. */
  nextRotationAt?: number;
  /** When the scheduler runs the next rotation: the start of the next window (or a retry after a failure). */
  nextAttemptAt?: number;
  /** What the schedule counts from: the last successful rotation or manual change. */
  scheduleBase?: number;
}

export interface Secret {
  readonly arn: string;
  readonly name: string;
  readonly createdAt: number;
  description?: string;
  kmsKeyId?: string;
  tags?: Tag[];
  /** In creation order. */
  readonly versions: Map<string, SecretVersion>;
  lastChangedAt: number;
  lastAccessedAt?: number;
  /** Set while the secret is scheduled for deletion: the end of the recovery window. */
  deletionDate?: number;
  readonly rotation: RotationState;
}

// Secrets Manager keeps 100 versions, but never removes one created in the last 24 hours.
const MAX_VERSIONS = 100;
const VERSION_MIN_AGE_MS = 24 * 3600 * 1000;
const ARN_SUFFIX_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** All secrets of one account and region. */
export class SecretStore {
  private readonly secrets = new Map<string, Secret>();

  constructor(
    public readonly region: string,
    public readonly accountId: string,
    private readonly clock: SimulatorClock,
  ) {}

  /** `arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 random characters>` */
  public arnFor(name: string): string {
    let suffix = '';
    for (let i = 0; i < 6; i++) suffix += ARN_SUFFIX_CHARS[randomInt(ARN_SUFFIX_CHARS.length)];
    return `${this.arnPrefix()}${name}-${suffix}`;
  }

  public add(name: string, fields: { description?: string; kmsKeyId?: string; tags?: Tag[] }): Secret {
    const now = this.clock.now();
    const secret: Secret = {
      arn: this.arnFor(name),
      name,
      createdAt: now,
      lastChangedAt: now,
      versions: new Map(),
      rotation: {},
      ...fields,
    };
    this.secrets.set(secret.arn, secret);
    return secret;
  }

  public remove(secret: Secret): void {
    this.secrets.delete(secret.arn);
  }

  /** Secrets in creation order, after dropping those whose recovery window has ended. */
  public all(): Secret[] {
    this.purgeExpired();
    return [...this.secrets.values()];
  }

  public byName(name: string): Secret | undefined {
    return this.all().find((secret) => secret.name === name);
  }

  /**
   * Finds a secret by name, full ARN, or partial ARN (an ARN without the random suffix).
   */
  public find(secretId: string): Secret | undefined {
    const secrets = this.all();
    const exact = secrets.find((secret) => secret.arn === secretId) ?? secrets.find((secret) => secret.name === secretId);
    if (exact || !secretId.startsWith(this.arnPrefix())) return exact;
    const partialName = secretId.slice(this.arnPrefix().length);
    return secrets.find((secret) => secret.name === partialName);
  }

  /** Like `find`, but answers ResourceNotFoundException as Secrets Manager does. */
  public resolve(secretId: string): Secret {
    const secret = this.find(secretId);
    if (!secret) throw secretNotFound();
    return secret;
  }

  private arnPrefix(): string {
    return `arn:aws:secretsmanager:${this.region}:${this.accountId}:secret:`;
  }

  private purgeExpired(): void {
    const now = this.clock.now();
    for (const [arn, secret] of this.secrets) {
      if (secret.deletionDate !== undefined && secret.deletionDate <= now) this.secrets.delete(arn);
    }
  }
}

export function versionWithStage(secret: Secret, stage: string): SecretVersion | undefined {
  for (const version of secret.versions.values()) {
    if (version.stages.includes(stage)) return version;
  }
  return undefined;
}

/** Detaches `stage` from `version`; the version keeps its other labels (or becomes deprecated). */
export function detachStage(version: SecretVersion, stage: string): void {
  version.stages = version.stages.filter((s) => s !== stage);
}

/**
 * Attaches `stages` to `version`, taking each one off the version that held it. When AWSCURRENT moves,
 * AWSPREVIOUS follows it to the version AWSCURRENT left. Returns that version, if AWSCURRENT moved.
 */
export function attachStages(secret: Secret, version: SecretVersion, stages: readonly string[]): SecretVersion | undefined {
  let formerCurrent: SecretVersion | undefined;
  for (const stage of stages) {
    const holder = versionWithStage(secret, stage);
    if (holder === version) continue;
    if (holder) detachStage(holder, stage);
    if (stage === AWSCURRENT) formerCurrent = holder;
    addStage(version, stage);
  }
  if (formerCurrent) {
    const previous = versionWithStage(secret, AWSPREVIOUS);
    if (previous && previous !== formerCurrent) detachStage(previous, AWSPREVIOUS);
    if (previous !== formerCurrent) addStage(formerCurrent, AWSPREVIOUS);
  }
  return formerCurrent;
}

function addStage(version: SecretVersion, stage: string): void {
  version.stages = [...version.stages, stage].sort();
}

/** Version id to labels, without deprecated versions (as DescribeSecret reports them). */
export function versionIdsToStages(secret: Secret): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (const version of secret.versions.values()) {
    if (version.stages.length > 0) result[version.id] = [...version.stages];
  }
  return result;
}

/**
 * Secrets Manager's version quota: beyond 100 versions, deprecated versions older than 24 hours are removed,
 * oldest first. Labelled versions are never removed.
 */
export function removeDeprecatedVersions(secret: Secret, now: number): void {
  for (const version of [...secret.versions.values()]) {
    if (secret.versions.size <= MAX_VERSIONS) return;
    if (version.stages.length === 0 && now - version.createdAt > VERSION_MIN_AGE_MS) secret.versions.delete(version.id);
  }
}
