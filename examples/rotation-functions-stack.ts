import * as path from 'node:path';
import { Duration, Stack, StackProps, aws_lambda as lambda } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { RotatingSecret, RotationStrategy } from '../src';

export interface RotationFunctionsExampleProps extends StackProps {
  /** Where the receiver of our webhooks listens: it keeps the signing keys it accepts. */
  readonly webhookReceiverUrl: string;
}

/**
 * Rotations this library does not write, with everything else it does (schedule, permissions, the deploy-time check):
 * a custom rotation of a webhook signing key at its receiver, and a rotation function of your own.
 */
export class RotationFunctionsExampleStack extends Stack {
  constructor(scope: Construct, id: string, props: RotationFunctionsExampleProps) {
    super(scope, id, props);

    new RotatingSecret(this, 'WebhookSigningKey', {
      description: 'Signs the webhooks we send; rotated at their receiver',
      strategy: RotationStrategy.custom({
        entry: path.join(__dirname, 'webhook-rotation.ts'),
        environment: { WEBHOOK_RECEIVER_URL: props.webhookReceiverUrl },
      }),
    });

    const ownRotation = new lambda.Function(this, 'PartnerTokenRotation', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(path.join(__dirname, 'own-rotation-function')),
      timeout: Duration.seconds(30),
    });
    new RotatingSecret(this, 'PartnerToken', {
      description: 'A partner API token, rotated by a function of our own',
      strategy: RotationStrategy.fromFunction(ownRotation),
    });
  }
}
