import { Operation } from './context';
import { getRandomPassword } from './password';
import { cancelRotateSecret, rotateSecret } from './rotation';
import { createSecret, deleteSecret, describeSecret, listSecrets, restoreSecret, tagResource, untagResource, updateSecret } from './secrets';
import { getSecretValue, listSecretVersionIds, putSecretValue, updateSecretVersionStage } from './versions';

export type { OperationContext } from './context';

/** The Secrets Manager operations the simulator implements, by name (`X-Amz-Target: secretsmanager.<name>`). */
export const SECRETS_MANAGER_OPERATIONS: Readonly<Record<string, Operation>> = {
  CancelRotateSecret: cancelRotateSecret,
  CreateSecret: createSecret,
  DeleteSecret: deleteSecret,
  DescribeSecret: describeSecret,
  GetRandomPassword: getRandomPassword,
  GetSecretValue: getSecretValue,
  ListSecrets: listSecrets,
  ListSecretVersionIds: listSecretVersionIds,
  PutSecretValue: putSecretValue,
  RestoreSecret: restoreSecret,
  RotateSecret: rotateSecret,
  TagResource: tagResource,
  UntagResource: untagResource,
  UpdateSecret: updateSecret,
  UpdateSecretVersionStage: updateSecretVersionStage,
};
