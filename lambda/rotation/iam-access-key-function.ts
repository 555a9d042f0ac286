/**
 * Entry point of the IAM user access key rotation function (`RotationStrategy.iamUserAccessKey`): this library's
 * protocol engine with the IAM access key service. Endpoints come from the environment as for every AWS SDK client
 * (AWS_ENDPOINT_URL_IAM, AWS_ENDPOINT_URL_STS).
 */
import {
  CreateAccessKeyCommand,
  DeleteAccessKeyCommand,
  GetUserCommand,
  IAMClient,
  ListAccessKeysCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { answerProbeWith, log, runStepWith, store } from './handler';
import { AccessKeyDirectory, IAM_ACCESS_KEY_STRATEGY, IamAccessKeyService, NewAccessKey, maskKeyIds } from './iam-access-key';
import { answerAccessKeysRequest, isAccessKeysRequest } from './iam-access-key-resource';
import { GENERIC_EXCLUDE_CHARACTERS, isProbeRequest, passwordPolicyWithDefaults } from '../../src/private/contract';
import { createResponder } from '../verify/response';
import { systemClock } from '../verify/time-budget';

const iam = new IAMClient({});

/** The SDK's IAM and STS behind the rotation's operations. */
const sdkDirectory: AccessKeyDirectory = {
  async listKeys(userName) {
    const keys = [];
    let marker: string | undefined;
    do {
      const out = await iam.send(new ListAccessKeysCommand({ UserName: userName, Marker: marker }));
      for (const key of out.AccessKeyMetadata ?? []) {
        if (key.AccessKeyId === undefined) continue;
        keys.push({ accessKeyId: key.AccessKeyId, status: key.Status === 'Inactive' ? 'Inactive' as const : 'Active' as const, createDate: key.CreateDate ?? new Date(0) });
      }
      marker = out.IsTruncated ? out.Marker : undefined;
    } while (marker !== undefined);
    return keys;
  },
  async createKey(userName) {
    const { AccessKey: key } = await iam.send(new CreateAccessKeyCommand({ UserName: userName }));
    if (!key?.AccessKeyId || !key.SecretAccessKey) throw new Error('CreateAccessKey returned no key');
    return { accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey };
  },
  async deleteKey(userName, accessKeyId) {
    await ignoringMissing(iam.send(new DeleteAccessKeyCommand({ UserName: userName, AccessKeyId: accessKeyId })));
  },
  async deactivateKey(userName, accessKeyId) {
    await ignoringMissing(iam.send(new UpdateAccessKeyCommand({ UserName: userName, AccessKeyId: accessKeyId, Status: 'Inactive' })));
  },
  async userArn(userName) {
    const { User: user } = await iam.send(new GetUserCommand({ UserName: userName }));
    if (!user?.Arn) throw new Error(`GetUser returned no ARN for ${userName}`);
    return user.Arn;
  },
  async callerArn(key: NewAccessKey) {
    // A client of its own for each key: it signs with that key and nothing else (no credential chain).
    const sts = new STSClient({ credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey } });
    try {
      const { Arn: arn } = await sts.send(new GetCallerIdentityCommand({}));
      if (!arn) throw new Error('GetCallerIdentity returned no ARN');
      return arn;
    } finally {
      sts.destroy();
    }
  },
};

async function ignoringMissing(call: Promise<unknown>): Promise<void> {
  try {
    await call;
  } catch (error) {
    if (!(error instanceof Error && error.name === 'NoSuchEntityException')) throw error;
  }
}

/** IAM's messages may quote an access key id, which is part of the secret's value: masked before anything logs them. */
async function masked<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof Error) error.message = maskKeyIds(error.message);
    throw error;
  }
}

const directory: AccessKeyDirectory = {
  listKeys: (userName) => masked(() => sdkDirectory.listKeys(userName)),
  createKey: (userName) => masked(() => sdkDirectory.createKey(userName)),
  deleteKey: (userName, accessKeyId) => masked(() => sdkDirectory.deleteKey(userName, accessKeyId)),
  deactivateKey: (userName, accessKeyId) => masked(() => sdkDirectory.deactivateKey(userName, accessKeyId)),
  userArn: (userName) => masked(() => sdkDirectory.userArn(userName)),
  callerArn: (key) => masked(() => sdkDirectory.callerArn(key)),
};

const service = new IamAccessKeyService(directory);
// The engine asks for the secret's password options; this strategy generates no password.
const options = { passwordPolicy: passwordPolicyWithDefaults({}, GENERIC_EXCLUDE_CHARACTERS) };

const keysResource = { iam: directory, store, respond: createResponder(systemClock, log), log };

/** Secrets Manager's steps, the check's probes, and CloudFormation's requests for `Custom::RotatedAccessKeys`. */
export const handler = (event: unknown): Promise<unknown> => {
  if (isAccessKeysRequest(event)) return answerAccessKeysRequest(event, keysResource);
  if (isProbeRequest(event)) return answerProbeWith(event, IAM_ACCESS_KEY_STRATEGY, () => service);
  return runStepWith(event, IAM_ACCESS_KEY_STRATEGY, () => ({ service, optionsFor: () => options }));
};
