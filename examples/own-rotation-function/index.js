// A rotation function of your own, written as AWS's generic rotation template is (Node.js, with the AWS SDK the
// Lambda runtime provides): the four steps for a secret whose value is a random token. RotationStrategy.fromFunction
// gives it the schedule, the invoke permission, the deploy-time check and the alarms.
const crypto = require('node:crypto');
const {
  SecretsManagerClient, DescribeSecretCommand, GetSecretValueCommand, PutSecretValueCommand, UpdateSecretVersionStageCommand,
} = require('@aws-sdk/client-secrets-manager');

const client = new SecretsManagerClient({});

exports.handler = async (event) => {
  const { Step: step, SecretId: arn, ClientRequestToken: token } = event;
  const description = await client.send(new DescribeSecretCommand({ SecretId: arn }));
  if (!description.RotationEnabled) throw new Error(`Secret ${arn} is not enabled for rotation`);
  const stages = (description.VersionIdsToStages || {})[token];
  if (!stages) throw new Error(`Secret version ${token} has no stage for rotation of secret ${arn}`);
  if (stages.includes('AWSCURRENT')) return;
  if (!stages.includes('AWSPENDING')) throw new Error(`Secret version ${token} not set as AWSPENDING for rotation of secret ${arn}`);
  console.log(`${step}: secret ${arn}, version ${token}`);

  if (step === 'createSecret') {
    await client.send(new GetSecretValueCommand({ SecretId: arn, VersionStage: 'AWSCURRENT' }));
    try {
      await client.send(new GetSecretValueCommand({ SecretId: arn, VersionId: token, VersionStage: 'AWSPENDING' }));
      return;
    } catch (error) {
      if (error.name !== 'ResourceNotFoundException') throw error;
    }
    const value = crypto.randomBytes(24).toString('base64url');
    await client.send(new PutSecretValueCommand({ SecretId: arn, ClientRequestToken: token, SecretString: value, VersionStages: ['AWSPENDING'] }));
  } else if (step === 'setSecret' || step === 'testSecret') {
    // A token only this secret holds: nothing outside Secrets Manager to set or test.
    await client.send(new GetSecretValueCommand({ SecretId: arn, VersionId: token, VersionStage: 'AWSPENDING' }));
  } else if (step === 'finishSecret') {
    const versions = description.VersionIdsToStages;
    const current = Object.keys(versions).find((id) => versions[id].includes('AWSCURRENT'));
    await client.send(new UpdateSecretVersionStageCommand({ SecretId: arn, VersionStage: 'AWSCURRENT', MoveToVersionId: token, RemoveFromVersionId: current }));
  } else {
    throw new Error(`Invalid step parameter ${step}`);
  }
};
