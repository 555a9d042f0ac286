import { randomInt, randomUUID } from 'node:crypto';
import { MemorySecretsStore } from './memory-store';
import type { Logger, ProtectedService, StepContext } from '../../../../lambda/rotation/types';
import { testOptionSet } from '../../../support/strategies';

/** The 32 punctuation characters of GetRandomPassword. */
export const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';
const LETTERS_AND_DIGITS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
/** The database templates' default EXCLUDE_CHARACTERS. */
const DEFAULT_EXCLUDED = ':/@"\'\\';

/** A random password of 32 characters from letters, digits and the punctuation the templates allow by default. */
export function randomPassword(): string {
  const alphabet = LETTERS_AND_DIGITS + [...PUNCTUATION].filter((c) => !DEFAULT_EXCLUDED.includes(c)).join('');
  return Array.from({ length: 32 }, () => alphabet[randomInt(alphabet.length)]).join('');
}

/** The option set the database strategies' steps get (they take passwords from `generatePassword` only). */
export const DATABASE_OPTION_SET = testOptionSet('postgres-single-user');

/** One structured log entry. */
export interface LogEntry {
  readonly level: 'info' | 'warn' | 'error';
  readonly message: string;
  readonly fields?: Record<string, unknown>;
}

/** A Logger that keeps its entries, so a test can search them for secrets. */
export class RecordingLogger implements Logger {
  readonly entries: LogEntry[] = [];
  info(message: string, fields?: Record<string, unknown>): void {
    this.entries.push({ level: 'info', message, fields });
  }
  warn(message: string, fields?: Record<string, unknown>): void {
    this.entries.push({ level: 'warn', message, fields });
  }
  error(message: string, fields?: Record<string, unknown>): void {
    this.entries.push({ level: 'error', message, fields });
  }
  /** Everything logged, as the JSON lines a real logger writes. */
  text(): string {
    return this.entries.map((entry) => JSON.stringify(entry)).join('\n');
  }
}

/** A rotation in progress: the token, its StepContext, and the version AWSCURRENT was on when it started. */
export interface Rotation {
  readonly token: string;
  readonly context: StepContext;
  readonly previousCurrentVersionId: string;
}

/** What RotateSecret and createSecret do: the AWSPENDING placeholder, then the strategy's pending value. */
export async function beginRotation(
  store: MemorySecretsStore,
  arn: string,
  strategy: ProtectedService,
  log: Logger,
  generatePassword: () => string = randomPassword,
): Promise<Rotation> {
  const token = randomUUID();
  const previousCurrentVersionId = store.versionIdWith(arn, 'AWSCURRENT')!;
  store.startRotation(arn, token);
  const context: StepContext = { secretArn: arn, token, store, log, options: DATABASE_OPTION_SET, generatePassword };
  const current = await store.getValue(arn, { stage: 'AWSCURRENT' });
  await store.putPendingValue(arn, token, await strategy.createPendingValue(async () => current!, context));
  return { token, context, previousCurrentVersionId };
}

/** finishSecret: AWSCURRENT moves to the pending version. */
export async function finishRotation(store: MemorySecretsStore, rotation: Rotation): Promise<void> {
  await store.moveCurrent(rotation.context.secretArn, rotation.token, rotation.previousCurrentVersionId);
}

/** A whole rotation: createSecret, setSecret, testSecret, finishSecret. */
export async function rotate(
  store: MemorySecretsStore,
  arn: string,
  strategy: ProtectedService,
  log: Logger,
  generatePassword?: () => string,
): Promise<Rotation> {
  const rotation = await beginRotation(store, arn, strategy, log, generatePassword);
  await strategy.setSecret(rotation.context);
  await strategy.testSecret(rotation.context);
  await finishRotation(store, rotation);
  return rotation;
}

/** The error a promise rejects with (fails the test if it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the promise to reject, but it resolved');
}

/** Everything an error exposes to a logger: message, stack, own properties, and the same of its cause. */
export function errorText(error: Error): string {
  const cause = (error as { cause?: unknown }).cause;
  const causeText = cause instanceof Error ? errorText(cause) : JSON.stringify(cause) ?? '';
  return [error.message, error.stack, JSON.stringify(error), causeText].join('\n');
}
