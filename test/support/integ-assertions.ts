import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { AWSCURRENT, AWSPREVIOUS, VERIFIED_TAG } from '../../src/private/contract';

/**
 * Asserts after deployment that the stack's deploy-time check verified a rotation of the secret: Secrets Manager
 * holds the tag the check writes only after a verified rotation, rotation is on, and the staging labels are those of
 * a finished rotation (a version with AWSCURRENT, the one before it with AWSPREVIOUS, no AWSPENDING elsewhere).
 */
export function assertRotatedOnDeploy(integ: IntegTest, secretArn: string): void {
  integ.assertions
    .awsApiCall('SecretsManager', 'describeSecret', { SecretId: secretArn })
    .expect(ExpectedResult.objectLike({
      RotationEnabled: true,
      Tags: Match.arrayWith([Match.objectLike({ Key: VERIFIED_TAG })]),
    }));
  integ.assertions
    .awsApiCall('SecretsManager', 'listSecretVersionIds', { SecretId: secretArn })
    .expect(ExpectedResult.objectLike({
      Versions: Match.arrayWith([
        Match.objectLike({ VersionStages: [AWSCURRENT] }),
        Match.objectLike({ VersionStages: [AWSPREVIOUS] }),
      ]),
    }));
}
