import { Duration, Stack, aws_kms as kms } from 'aws-cdk-lib';
import { synthesize } from './footprint';
import { ExampleFootprint } from './results';
import { RotatingSecret, RotationStrategy, Schedule } from '../src';

/**
 * The README's TypeScript usage example: three generic secrets with three different password options (a plain API
 * key, JSON credentials, a signing key under its own KMS key). The README's `myFunction` grant is left out: it
 * belongs to the app, not to the rotation.
 */
export function buildReadmeExample(stack: Stack): void {
  new RotatingSecret(stack, 'ApiKey');
  new RotatingSecret(stack, 'ServiceCredentials', {
    strategy: RotationStrategy.randomPassword({
      secretStringTemplate: JSON.stringify({ username: 'reporting' }),
      generateStringKey: 'password',
      passwordLength: 40,
    }),
    schedule: Schedule.cron({ hour: '3', weekDay: 'SUN' }),
    window: Duration.hours(2),
  });
  new RotatingSecret(stack, 'SigningKey', {
    encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }),
    strategy: RotationStrategy.randomPassword({ passwordLength: 64, excludePunctuation: true }),
    schedule: Schedule.rate(Duration.days(7)),
  });
}

/**
 * The same example synthesized by the code before secrets shared one rotation function whatever their password
 * options (one function, role, policy, log group and permission per distinct options). Measured once with this file's
 * `buildReadmeExample` at that commit: the code that produced it is gone, so it cannot be measured again.
 */
export const ONE_FUNCTION_PER_OPTIONS: ExampleFootprint & { readonly code: string } = {
  code: 'commit a52a463',
  resources: 27,
  bytes: 15985,
  lambdaFunctions: 4,
};

/** The README example's footprint with this code. */
export function measureReadmeExample(): ExampleFootprint {
  const approach = { key: 'readme-example', label: 'README example', nestedStackPerSecret: false, build: buildReadmeExample };
  const { resources, bytes, lambdaFunctions } = synthesize(approach, 3);
  return { resources, bytes, lambdaFunctions };
}
