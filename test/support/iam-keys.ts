import { IAMClient, ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';

/** A value of an access key secret. */
export interface KeyValue {
  readonly userName: string;
  readonly accessKeyId?: string;
  readonly secretAccessKey?: string;
}

/** A user's access keys, id to status, as IAM lists them. */
export async function keysOf(iam: IAMClient, userName: string): Promise<Record<string, string>> {
  const { AccessKeyMetadata: keys } = await iam.send(new ListAccessKeysCommand({ UserName: userName }));
  return Object.fromEntries((keys ?? []).map((key) => [key.AccessKeyId!, key.Status!]));
}

/** Who the value's key signs requests as, asked of STS at `endpoint` with that key alone; `refused: <error>` otherwise. */
export async function signsAs(endpoint: string, value: KeyValue | undefined): Promise<string> {
  if (value?.accessKeyId === undefined || value.secretAccessKey === undefined) return 'no key';
  const sts = new STSClient({ endpoint, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: value.accessKeyId, secretAccessKey: value.secretAccessKey } });
  try {
    return (await sts.send(new GetCallerIdentityCommand({}))).Arn ?? 'no ARN';
  } catch (error) {
    return `refused: ${(error as Error).name}`;
  } finally {
    sts.destroy();
  }
}
