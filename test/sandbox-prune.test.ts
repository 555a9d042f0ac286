import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { unsupportedSecrets } from '../sandbox/prune';
import { rotatingSecretsOf } from '../sandbox/secrets';
import type { Template as CfnTemplate } from '../simulator/cloudformation/template';
import { DatabaseTarget, RotatingSecret, RotationStrategy } from '../src';

test('the sandbox skips a Redis secret, saying why (no user has the password the deploy generates), and runs the others', async () => {
  // GIVEN a stack with a Redis secret on a server that answers, and a generic secret
  const stack = new Stack(new App(), 'Stack', { env: { account: '111111111111', region: 'eu-west-1' } });
  new RotatingSecret(stack, 'Cache', {
    strategy: RotationStrategy.redisSingleUser({ database: DatabaseTarget.fromEndpoint({ host: '127.0.0.1' }), username: 'admin', ssl: false }),
  });
  new RotatingSecret(stack, 'ApiKey');
  const template = Template.fromStack(stack).toJSON() as CfnTemplate;

  // WHEN
  const plans = rotatingSecretsOf('Stack', template);
  const skipped = await unsupportedSecrets(template, plans, async () => undefined, async () => false);

  // THEN
  expect(plans.map((plan) => plan.strategy).sort()).toEqual(['generic', 'redis-single-user']);
  expect(skipped).toEqual([{
    plan: expect.objectContaining({ strategy: 'redis-single-user', secretLogicalId: expect.stringMatching(/^Cache/) }),
    reason: 'Redis strategies create no user, and no Redis user here has the password this app\'s deploy generates for the secret',
  }]);
});
