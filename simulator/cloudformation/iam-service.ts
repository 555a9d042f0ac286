import {
  CreateRoleCommand,
  CreateUserCommand,
  DeleteUserCommand,
  GetUserCommand,
  IAMClient,
  ListAccessKeysCommand,
  PutRolePolicyCommand,
  UpdateUserCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { Credentials } from '../iam/principals';

/** An IAM and STS emulator beside the simulator, e.g. moto with request authentication on. */
export interface IamServiceOptions {
  readonly endpoint: string;
  /** Credentials it accepts and allows everything: the deployer's, as CloudFormation acts with the deployer's. */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

/**
 * Where the deployer's AWS::IAM::User resources live, and what functions reach for IAM and STS
 * (AWS_ENDPOINT_URL_IAM, AWS_ENDPOINT_URL_STS). A function calls it as a session of a stand-in of its execution role,
 * allowed every action there (moto evaluates a policy's actions but none of its resources); the simulator attributes
 * the session's key to the function's role, and enforces that role's Secrets Manager statements as for every function.
 */
export class IamService {
  private readonly iam: IAMClient;
  private readonly sts: STSClient;
  private readonly roles = new Map<string, Promise<string>>();

  constructor(private readonly options: IamServiceOptions) {
    const config = { endpoint: options.endpoint, region: 'us-east-1', credentials: options.credentials, maxAttempts: 1 };
    this.iam = new IAMClient(config);
    this.sts = new STSClient(config);
  }

  public get endpoint(): string {
    return this.options.endpoint;
  }

  /** A new session of the stand-in of `roleArn`, named as Lambda names a function's. */
  public async sessionFor(roleArn: string, sessionName: string): Promise<Required<Credentials>> {
    const roleName = roleArn.split('/').pop()!;
    let standIn = this.roles.get(roleName);
    if (standIn === undefined) {
      standIn = this.createStandIn(roleName);
      this.roles.set(roleName, standIn);
    }
    const { Credentials: session } = await this.sts.send(new AssumeRoleCommand({
      RoleArn: await standIn,
      RoleSessionName: sessionName.slice(0, 64),
    }));
    if (!session?.AccessKeyId || !session.SecretAccessKey || !session.SessionToken) throw new Error(`the IAM emulator issued no session for ${roleName}`);
    return { accessKeyId: session.AccessKeyId, secretAccessKey: session.SecretAccessKey, sessionToken: session.SessionToken };
  }

  public async createUser(userName: string, path: string): Promise<string> {
    const { User: user } = await this.iam.send(new CreateUserCommand({ UserName: userName, Path: path }));
    return user!.Arn!;
  }

  public async updateUserPath(userName: string, path: string): Promise<string> {
    await this.iam.send(new UpdateUserCommand({ UserName: userName, NewPath: path }));
    const { User: user } = await this.iam.send(new GetUserCommand({ UserName: userName }));
    return user!.Arn!;
  }

  /**
   * Deletes the user as IAM does: refused while it has access keys (moto would delete it anyway). Gone already is
   * deleted.
   */
  public async deleteUser(userName: string): Promise<void> {
    let keys;
    try {
      keys = (await this.iam.send(new ListAccessKeysCommand({ UserName: userName }))).AccessKeyMetadata ?? [];
    } catch (error) {
      if ((error as Error).name === 'NoSuchEntityException') return;
      throw error;
    }
    if (keys.length > 0) {
      throw new Error(`Cannot delete entity, must delete access keys first. (Service: Iam, Status Code: 409, error code: DeleteConflict; user ${userName} has ${keys.length} access key(s))`);
    }
    await this.iam.send(new DeleteUserCommand({ UserName: userName }));
  }

  public stop(): void {
    this.iam.destroy();
    this.sts.destroy();
  }

  private async createStandIn(roleName: string): Promise<string> {
    const { Arn: deployer } = await this.sts.send(new GetCallerIdentityCommand({}));
    try {
      const { Role: role } = await this.iam.send(new CreateRoleCommand({
        RoleName: roleName,
        AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: deployer }, Action: 'sts:AssumeRole' }] }),
      }));
      await this.iam.send(new PutRolePolicyCommand({
        RoleName: roleName,
        PolicyName: 'stand-in',
        PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }),
      }));
      return role!.Arn!;
    } catch (error) {
      if ((error as Error).name !== 'EntityAlreadyExistsException') throw error;
      return `arn:aws:iam::${deployer!.split(':')[4]}:role/${roleName}`;
    }
  }
}
