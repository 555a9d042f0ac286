import { randomInt } from 'node:crypto';

/** Who makes a request, as IAM sees it. */
export interface Caller {
  /** How AWS's messages name the caller: an IAM user ARN, a role session ARN or a service principal. */
  readonly arn: string;
  /** The IAM user or role whose identity policies apply; undefined for a service principal. */
  readonly identityArn?: string;
  readonly accountId: string;
  readonly type: 'User' | 'AssumedRole' | 'Service';
}

/** Dummy credentials the simulator hands out; the access key id says who the caller is. */
export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** Credentials for SDK clients of test code: the simulator's administrator. Never real. */
export const SIMULATOR_CREDENTIALS: Credentials = { accessKeyId: 'AKIASIMULATOREXAMPLE', secretAccessKey: 'simulator-dummy-secret-access-key' };

const KEY_CHARACTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * Maps access key ids to callers. The administrator (an IAM user with AdministratorAccess) holds the simulator's
 * default credentials; a function's role gets a role session of its own, named after the function as Lambda names
 * it. Signatures are not checked: a request without credentials, or with a key the simulator never issued, is
 * the administrator's.
 */
export class PrincipalDirectory {
  public readonly administrator: Caller;
  private readonly callers = new Map<string, Caller>();

  constructor(partition: string, private readonly accountId: string) {
    const arn = `arn:${partition}:iam::${accountId}:user/simulator-administrator`;
    this.administrator = { arn, identityArn: arn, accountId, type: 'User' };
    this.callers.set(SIMULATOR_CREDENTIALS.accessKeyId, this.administrator);
  }

  /** The session Lambda opens for a function: `arn:aws:sts::<account>:assumed-role/<role name>/<session name>`. */
  public roleSession(roleArn: string, sessionName: string): Caller {
    const match = /^arn:([^:]+):iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(roleArn);
    if (!match) throw new Error(`\`role\` must be an IAM role ARN, got ${roleArn}`);
    const [, partition, accountId, roleName] = match;
    return { arn: `arn:${partition}:sts::${accountId}:assumed-role/${roleName}/${sessionName}`, identityArn: roleArn, accountId, type: 'AssumedRole' };
  }

  /** New temporary credentials for `caller`. */
  public issue(caller: Caller): Required<Credentials> {
    let accessKeyId: string;
    do {
      accessKeyId = 'ASIA';
      for (let i = 0; i < 16; i++) accessKeyId += KEY_CHARACTERS[randomInt(KEY_CHARACTERS.length)];
    } while (this.callers.has(accessKeyId));
    this.callers.set(accessKeyId, caller);
    return { accessKeyId, secretAccessKey: 'simulator-dummy-secret-access-key', sessionToken: 'simulator-dummy-session-token' };
  }

  /** Credentials another emulator issued, attributed to `caller` from now on. */
  public adopt(credentials: Required<Credentials>, caller: Caller): Required<Credentials> {
    const known = this.callers.get(credentials.accessKeyId);
    if (known !== undefined && known.arn !== caller.arn) throw new Error(`access key ${credentials.accessKeyId} is already attributed to ${known.arn}`);
    this.callers.set(credentials.accessKeyId, caller);
    return credentials;
  }

  /** The caller of a request, from the access key id in its SigV4 `Authorization` header. */
  public fromAuthorization(header: string | undefined): Caller {
    const accessKeyId = /Credential=([^/,\s]+)\//.exec(header ?? '')?.[1];
    return (accessKeyId && this.callers.get(accessKeyId)) || this.administrator;
  }

  /** A service principal acting on its own behalf, e.g. Secrets Manager invoking a rotation function. */
  public service(name: string): Caller {
    return { arn: name, accountId: this.accountId, type: 'Service' };
  }
}
