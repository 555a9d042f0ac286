import { randomUUID } from 'node:crypto';
import { RecordingLogger } from './database/harness';
import { MemorySecretsStore } from './database/memory-store';
import { AccessKeyDirectory, AccessKeyMetadata, IamAccessKeyService, NewAccessKey, keyLabel, maskKeyIds, parseAccessKeySecret } from '../../../lambda/rotation/iam-access-key';
import { runRotationStep } from '../../../lambda/rotation/protocol';
import { testOptionSet } from '../../support/strategies';

const USER_ARN = 'arn:aws:iam::123456789012:user/partners/partner-sync';

/**
 * IAM as the rotation sees it, in memory: two key slots, and STS that may not know a new key for its first `unknownFor`
 * tries (IAM is eventually consistent).
 */
class MemoryIam implements AccessKeyDirectory {
  readonly keys = new Map<string, AccessKeyMetadata & { secret: string }>();
  readonly calls: string[] = [];
  unknownFor = 0;

  async listKeys(): Promise<AccessKeyMetadata[]> {
    this.calls.push('ListAccessKeys');
    return [...this.keys.values()];
  }
  async createKey(): Promise<NewAccessKey> {
    this.calls.push('CreateAccessKey');
    if (this.keys.size >= 2) throw Object.assign(new Error('Cannot exceed quota for AccessKeysPerUser: 2'), { name: 'LimitExceededException' });
    const key = { accessKeyId: `AKIA${randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase()}`, secretAccessKey: randomUUID() };
    this.keys.set(key.accessKeyId, { accessKeyId: key.accessKeyId, status: 'Active', createDate: new Date(), secret: key.secretAccessKey });
    return key;
  }
  async deleteKey(_user: string, accessKeyId: string): Promise<void> {
    this.calls.push('DeleteAccessKey');
    this.keys.delete(accessKeyId);
  }
  async deactivateKey(_user: string, accessKeyId: string): Promise<void> {
    this.calls.push('UpdateAccessKey');
    const key = this.keys.get(accessKeyId);
    if (key) this.keys.set(accessKeyId, { ...key, status: 'Inactive' });
  }
  async userArn(): Promise<string> {
    return USER_ARN;
  }
  async callerArn(key: NewAccessKey): Promise<string> {
    this.calls.push('GetCallerIdentity');
    const known = this.keys.get(key.accessKeyId);
    if (this.unknownFor > 0 || known === undefined || known.secret !== key.secretAccessKey) {
      this.unknownFor = Math.max(0, this.unknownFor - 1);
      throw Object.assign(new Error(`The security token included in the request is invalid (${key.accessKeyId}).`), { name: 'InvalidClientTokenId' });
    }
    return USER_ARN;
  }
}

function setUp() {
  const store = new MemorySecretsStore();
  const iam = new MemoryIam();
  const sleeps: number[] = [];
  const service = new IamAccessKeyService(iam, async (ms) => {
    sleeps.push(ms);
  });
  const log = new RecordingLogger();
  const arn = store.create('partner-keys', JSON.stringify({ userName: 'partner-sync' }));
  const step = (Step: string, token: string) => runRotationStep({ Step, SecretId: arn, ClientRequestToken: token }, {
    store, service, log, optionsFor: () => testOptionSet('generic'),
  });
  const rotate = async (steps = ['createSecret', 'setSecret', 'testSecret', 'finishSecret']) => {
    const token = randomUUID();
    store.startRotation(arn, token);
    for (const name of steps) await step(name, token);
    return token;
  };
  return { store, iam, service, sleeps, log, arn, step, rotate };
}

describe('IAM access key rotation, in memory', () => {
  test('testSecret waits for IAM to know a new key, within its budget, then fails naming the error', async () => {
    const { iam, sleeps, rotate } = setUp();
    iam.unknownFor = 2;
    await rotate();
    expect(sleeps).toEqual([1000, 2000]);

    const again = setUp();
    again.iam.unknownFor = 100;
    await expect(again.rotate()).rejects.toThrow(/testSecret failed .*the new access key does not sign requests as the user: key …\w{4}: InvalidClientTokenId: The security token included in the request is invalid \(…\w{4}\)\./);
    expect(again.sleeps.reduce((sum, ms) => sum + ms, 0)).toBe(31_000);
  });

  test('a finishSecret that failed after moving AWSCURRENT deactivates the previous key when it is run again', async () => {
    const { store, iam, arn, rotate, step } = setUp();
    await rotate();
    const first = parseAccessKeySecret(store.valueAt(arn, 'AWSCURRENT')!).accessKeyId!;
    const token = await rotate(['createSecret', 'setSecret', 'testSecret']);
    // The move happened; the deactivation did not (the function crashed in between).
    await store.moveCurrent(arn, token, store.versionIdWith(arn, 'AWSPREVIOUS') === undefined ? '' : store.versionIdWith(arn, 'AWSCURRENT')!);
    expect(iam.keys.get(first)?.status).toBe('Active');
    await step('finishSecret', token);
    expect(iam.keys.get(first)?.status).toBe('Inactive');
  });

  test('a createSecret that lost the race deletes the key it made, which would otherwise hold a slot', async () => {
    const { store, iam, service, arn, log } = setUp();
    const token = randomUUID();
    store.startRotation(arn, token);
    const deps = { store, service, log, optionsFor: () => testOptionSet('generic') };
    await Promise.all([
      runRotationStep({ Step: 'createSecret', SecretId: arn, ClientRequestToken: token }, deps),
      runRotationStep({ Step: 'createSecret', SecretId: arn, ClientRequestToken: token }, deps),
    ]);
    const pending = parseAccessKeySecret(store.valueAt(arn, 'AWSPENDING')!);
    expect([...iam.keys.keys()]).toEqual([pending.accessKeyId]);
  });

  test('no log line holds a key id or secret; key ids in messages are masked', async () => {
    const { store, arn, log, rotate } = setUp();
    for (let i = 0; i < 3; i++) await rotate();
    const text = log.text();
    const value = parseAccessKeySecret(store.valueAt(arn, 'AWSCURRENT')!);
    expect(text).toContain(keyLabel(value.accessKeyId!));
    expect(text).not.toContain(value.accessKeyId!.slice(0, 8));
    expect(text).not.toContain(value.secretAccessKey!.slice(0, 8));
    expect(maskKeyIds('The Access Key with id AKIARZPUZDIKG2B7OS4L cannot be found; ASIAEXAMPLEEXAMPLE12 neither'))
      .toBe('The Access Key with id …OS4L cannot be found; …LE12 neither');
  });

  test('values that are not the strategy\'s are refused without quoting them', () => {
    expect(() => parseAccessKeySecret('hunter2-not-json')).toThrow(/^the secret's value is not JSON; expected/);
    expect(() => parseAccessKeySecret('["x"]')).toThrow(/not a JSON object/);
    expect(() => parseAccessKeySecret('{"accessKeyId": "AKIA"}')).toThrow('the secret\'s value has no `userName` (the IAM user whose keys rotate)');
    expect(() => parseAccessKeySecret('{"userName": "u", "secretAccessKey": 5}')).toThrow('the secret\'s `secretAccessKey` is not a string');
  });
});
