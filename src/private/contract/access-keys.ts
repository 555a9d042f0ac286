/**
 * The custom resource that deletes the IAM access keys a secret holds when CloudFormation deletes the secret
 * (`RotationStrategy.iamUserAccessKey`), served by the access key rotation function itself: deleted before the user,
 * so that CloudFormation can delete a user whose keys rotation made.
 */
export const ACCESS_KEYS_RESOURCE_TYPE = 'Custom::RotatedAccessKeys';

/** Its properties (CloudFormation sends them as strings). */
export const ACCESS_KEYS_PROPERTIES = {
  /** The secret whose versions hold the keys. */
  secretArn: 'RotatedSecretArn',
  /** The IAM user the keys belong to. */
  userName: 'RotatedUserName',
  /** `true` when the stack keeps the secret (removal policy RETAIN): its keys are kept too. */
  retainKeys: 'RetainKeysOnDelete',
} as const;
