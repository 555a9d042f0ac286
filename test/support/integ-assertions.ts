import { ActualResult, ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { CfnResource, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** One attribute of the deploy-time check (an L1 custom resource, which ActualResult has no factory for). */
class CheckAttribute extends ActualResult {
  public readonly result: string;

  constructor(check: CfnResource, attribute: string) {
    super();
    this.result = Token.asString(check.getAtt(attribute));
  }
}

/**
 * Asserts after deployment that the deploy-time check of `rotated` (a RotatingSecret or ExistingSecretRotation)
 * verified a rotation, and that Secrets Manager's staging labels agree with what the check reported: the new
 * version is AWSCURRENT and the one before it AWSPREVIOUS.
 */
export function assertRotatedOnDeploy(integ: IntegTest, rotated: IConstruct, secretArn: string): void {
  const check = rotated.node.findChild('RotationCheck') as CfnResource;
  const id = rotated.node.id;
  integ.assertions.expect(`${id}Verified`, ExpectedResult.exact('true'), new CheckAttribute(check, 'Verified'));

  const versionWith = (attribute: string, stage: string) =>
    integ.assertions
      .awsApiCall('SecretsManager', 'listSecretVersionIds', { SecretId: secretArn })
      .expect(ExpectedResult.objectLike({
        Versions: Match.arrayWith([Match.objectLike({ VersionId: check.getAtt(attribute).toString(), VersionStages: [stage] })]),
      }));
  versionWith('NewVersionId', 'AWSCURRENT');
  versionWith('PreviousVersionId', 'AWSPREVIOUS');
}
