/**
 * IAM user access keys as alternating credentials: IAM allows two keys per user, so each rotation makes the user's
 * other key (createSecret: only IAM can make a key's secret), proves it signs requests as the user (testSecret),
 * and, once AWSCURRENT holds it, deactivates the key the previous value held (finishSecret). The key two rotations
 * back is deleted when the next rotation needs its slot. The key AWSCURRENT holds is never deleted or deactivated.
 */
import type { ProbeVerdict, ProtectedService, StepContext } from './types';
import { AWSCURRENT, AWSPENDING, AWSPREVIOUS } from '../../src/private/contract';

/** The strategy's name in logs and the check's messages. */
export const IAM_ACCESS_KEY_STRATEGY = 'iam-user-access-key';

/** IAM's limit of access keys per user. */
export const ACCESS_KEYS_PER_USER = 2;

/** One of a user's access keys, as ListAccessKeys shows it. */
export interface AccessKeyMetadata {
  readonly accessKeyId: string;
  readonly status: 'Active' | 'Inactive';
  readonly createDate: Date;
}

/** A new access key: the only moment IAM tells its secret. */
export interface NewAccessKey {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** The IAM and STS operations the rotation needs. Deleting or deactivating a key that does not exist succeeds. */
export interface AccessKeyDirectory {
  listKeys(userName: string): Promise<AccessKeyMetadata[]>;
  createKey(userName: string): Promise<NewAccessKey>;
  deleteKey(userName: string, accessKeyId: string): Promise<void>;
  deactivateKey(userName: string, accessKeyId: string): Promise<void>;
  /** The user's ARN (GetUser). */
  userArn(userName: string): Promise<string>;
  /** Who `key` signs requests as (STS GetCallerIdentity with the key), after IAM has had time to know it. */
  callerArn(key: NewAccessKey): Promise<string>;
}

/** The secret's value: the user, and its key once a rotation has made one. Other fields are kept as they are. */
export interface AccessKeySecret {
  readonly userName: string;
  readonly accessKeyId?: string;
  readonly secretAccessKey?: string;
  readonly [field: string]: unknown;
}

/** Parses a value of the strategy's secret; the message never quotes it. */
export function parseAccessKeySecret(value: string): AccessKeySecret {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new Error('the secret\'s value is not JSON; expected {"userName": ..., "accessKeyId": ..., "secretAccessKey": ...}');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error('the secret\'s value is not a JSON object; expected {"userName": ..., "accessKeyId": ..., "secretAccessKey": ...}');
  }
  const fields = parsed as Record<string, unknown>;
  if (typeof fields.userName !== 'string' || fields.userName === '') {
    throw new Error('the secret\'s value has no `userName` (the IAM user whose keys rotate)');
  }
  for (const name of ['accessKeyId', 'secretAccessKey'] as const) {
    if (fields[name] !== undefined && typeof fields[name] !== 'string') throw new Error(`the secret's \`${name}\` is not a string`);
  }
  return fields as AccessKeySecret;
}

/** How logs and messages name a key: its last four characters, as the IAM console does (a key id is part of the value). */
export function keyLabel(accessKeyId: string): string {
  return `…${accessKeyId.slice(-4)}`;
}

/** Masks access key ids (AKIA…, ASIA…) in a message from IAM or STS, which may quote them. */
export function maskKeyIds(message: string): string {
  return message.replace(/\b(?:AKIA|ASIA)[A-Z0-9]{8,}\b/g, (id) => keyLabel(id));
}

/** What STS answers for a key it does not know (yet, or any more). */
const UNKNOWN_KEY_ERROR = 'InvalidClientTokenId';

/** Waits between tries of a new key: 31 s in all, within the function's timeout. */
const NEW_KEY_RETRY_DELAYS_MS = [1000, 2000, 4000, 8000, 8000, 8000];

function wait(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export class IamAccessKeyService implements ProtectedService {
  public readonly name = IAM_ACCESS_KEY_STRATEGY;

  /** `sleep` waits between tries of a new key, which IAM may take seconds to know everywhere. */
  constructor(private readonly iam: AccessKeyDirectory, private readonly sleep: (ms: number) => Promise<void> = wait) {}

  /** Frees a slot when both are taken, then makes the user's new key: the pending value. */
  async createPendingValue(readCurrent: () => Promise<string>, context: StepContext): Promise<string> {
    const current = parseAccessKeySecret(await readCurrent());
    const { userName } = current;
    const keys = await this.iam.listKeys(userName);
    if (keys.length >= ACCESS_KEYS_PER_USER) {
      const spare = await this.spareKey(keys, current, context);
      context.log.info('deleting the user\'s key the current value does not hold, to free a slot', { userName, key: keyLabel(spare.accessKeyId), status: spare.status });
      await this.iam.deleteKey(userName, spare.accessKeyId);
    }
    const key = await this.iam.createKey(userName);
    context.log.info('new access key made', { userName, key: keyLabel(key.accessKeyId) });
    return JSON.stringify({ ...current, userName, accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey });
  }

  /** IAM made the key active: nothing to set. */
  async setSecret(): Promise<void> {}

  async testSecret(context: StepContext): Promise<void> {
    const pending = await context.store.getValue(context.secretArn, { versionId: context.token, stage: AWSPENDING });
    if (pending === undefined) throw new Error('the pending version has no value (createSecret has not stored one)');
    const value = parseAccessKeySecret(pending);
    let verdict = await this.authenticate(value);
    // IAM is eventually consistent: a key made a moment ago may be unknown to STS for a few seconds.
    for (const delay of NEW_KEY_RETRY_DELAYS_MS) {
      if (verdict.outcome === 'accepted' || !verdict.reason?.includes(UNKNOWN_KEY_ERROR)) break;
      await this.sleep(delay);
      verdict = await this.authenticate(value);
    }
    if (verdict.outcome !== 'accepted') throw new Error(`the new access key does not sign requests as the user: ${verdict.reason}`);
  }

  /** Deactivates the key of the value AWSCURRENT left (now AWSPREVIOUS), unless AWSCURRENT holds the same key. */
  async retirePrevious(context: StepContext): Promise<void> {
    const previousValue = await context.store.getValue(context.secretArn, { stage: AWSPREVIOUS });
    const currentValue = await context.store.getValue(context.secretArn, { stage: AWSCURRENT });
    if (previousValue === undefined || currentValue === undefined) return;
    const previous = parseAccessKeySecret(previousValue);
    const current = parseAccessKeySecret(currentValue);
    if (previous.accessKeyId === undefined || previous.accessKeyId === current.accessKeyId || previous.userName !== current.userName) return;
    await this.iam.deactivateKey(previous.userName, previous.accessKeyId);
    context.log.info('previous access key deactivated', { userName: previous.userName, key: keyLabel(previous.accessKeyId) });
  }

  /** Another createSecret stored its key first: the key this one made holds no value, and takes a slot. */
  async discardPendingValue(value: string, context: StepContext): Promise<void> {
    const made = parseAccessKeySecret(value);
    if (made.accessKeyId === undefined) return;
    await this.iam.deleteKey(made.userName, made.accessKeyId);
    context.log.info('deleted the access key of a createSecret that lost the race', { userName: made.userName, key: keyLabel(made.accessKeyId) });
  }

  async probe(readValue: () => Promise<string | undefined>): Promise<ProbeVerdict> {
    const value = await readValue();
    if (value === undefined) return { outcome: 'refused', reason: 'the version has no value' };
    return this.authenticate(parseAccessKeySecret(value));
  }

  /** Whether the value's key signs requests as its user. */
  private async authenticate(value: AccessKeySecret): Promise<ProbeVerdict> {
    const { userName, accessKeyId, secretAccessKey } = value;
    if (accessKeyId === undefined || secretAccessKey === undefined) {
      return { outcome: 'refused', reason: 'the value holds no access key (the first rotation makes it)' };
    }
    const expected = await this.iam.userArn(userName);
    let caller: string;
    try {
      caller = await this.iam.callerArn({ accessKeyId, secretAccessKey });
    } catch (error) {
      return { outcome: 'refused', reason: `key ${keyLabel(accessKeyId)}: ${maskKeyIds(error instanceof Error ? `${error.name}: ${error.message}` : String(error))}` };
    }
    if (caller !== expected) return { outcome: 'refused', reason: `key ${keyLabel(accessKeyId)} signs as ${caller}, not as ${expected}` };
    return { outcome: 'accepted' };
  }

  /**
   * The key to delete when both slots are taken: one the current value does not hold, inactive ones first, then the
   * oldest. Before the first key (the current value holds none) only a key made since the secret was, which an
   * interrupted createSecret left, is taken: a key someone made before is theirs.
   */
  private async spareKey(keys: AccessKeyMetadata[], current: AccessKeySecret, context: StepContext): Promise<AccessKeyMetadata> {
    let candidates = keys.filter((key) => key.accessKeyId !== current.accessKeyId);
    if (current.accessKeyId === undefined) {
      const created = (await context.store.describe(context.secretArn)).createdDate?.getTime();
      // Strictly later: IAM may give whole seconds, so a key of the secret's own second counts as someone's.
      candidates = created === undefined ? [] : candidates.filter((key) => key.createDate.getTime() > created);
      if (candidates.length === 0) {
        throw new Error(`the user ${current.userName} has ${keys.length} access keys (${keys.map((key) => keyLabel(key.accessKeyId)).join(', ')}), `
          + 'made before this secret, and IAM allows 2: delete one, or rotate a user without keys, so that the first rotation can make the secret\'s key');
      }
    }
    const order = (key: AccessKeyMetadata) => [key.status === 'Inactive' ? 0 : 1, key.createDate.getTime()] as const;
    return [...candidates].sort((a, b) => order(a)[0] - order(b)[0] || order(a)[1] - order(b)[1])[0];
  }
}
