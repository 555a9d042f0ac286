import { Duration, aws_lambda as lambda, aws_secretsmanager as secretsmanager, aws_sns as sns } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { configureRotation } from './private/configure-rotation';
import type { VerificationOptions } from './rotating-secret';
import { RotationStrategy } from './rotation-strategy';
import { Schedule } from './schedule';

/**
 * Properties of an `ExistingSecretRotation`.
 */
export interface ExistingSecretRotationProps {
  /**
   * The secret to rotate: created elsewhere in the app, or imported (`Secret.fromSecretNameV2`,
   * `Secret.fromSecretCompleteArn`, `Secret.fromSecretAttributes` with an `encryptionKey`).
   */
  readonly secret: secretsmanager.ISecret;

  /**
   * How the secret's value is generated and what it protects. Its current value must already have the
   * strategy's shape (a plain string for `randomPassword()`, JSON with the key for a template, the database
   * JSON for database strategies).
   * @default RotationStrategy.randomPassword()
   */
  readonly strategy?: RotationStrategy;

  /**
   * When the secret rotates. `Schedule.disabled()` is refused here: remove the construct to stop rotating.
   * @default Schedule.rate(Duration.days(30))
   */
  readonly schedule?: Schedule;

  /**
   * The rotation window in whole hours; it must fit the schedule.
   * @default - Secrets Manager's default
   */
  readonly window?: Duration;

  /**
   * Rotate once during `cdk deploy`, wait for it, and fail the deployment when rotation is broken.
   * @default true
   */
  readonly verifyOnDeploy?: boolean;

  /**
   * Options of the deploy-time check.
   * @default - see `VerificationOptions`
   */
  readonly verification?: VerificationOptions;

  /**
   * Notify when rotation fails: a CloudWatch alarm on the rotation function's errors and an EventBridge rule
   * on Secrets Manager's RotationFailed and RotationAbandoned events for this secret, both to `alarmTopic`.
   * @default false
   */
  readonly failureAlarms?: boolean;

  /**
   * Where failure alarms go (one topic per stack).
   * @default - a new SNS topic per stack, encrypted with its own KMS key
   */
  readonly alarmTopic?: sns.ITopic;
}

/**
 * Adds this library's rotation (bundled function, schedule and deploy-time check) to a secret that already
 * exists, including one imported by name or complete ARN and one encrypted with an imported KMS key.
 *
 * The rotation function's permissions are scoped by `secretsmanager:resource/AllowRotationLambdaArn`, not
 * by ARN, so a secret imported by name (whose ARN lacks Secrets Manager's random suffix) is covered exactly.
 */
export class ExistingSecretRotation extends Construct {
  /** The rotation function (shared with the stack's other secrets of the same strategy configuration). */
  public readonly rotationFunction: lambda.IFunction;

  constructor(scope: Construct, id: string, props: ExistingSecretRotationProps) {
    super(scope, id);
    const schedule = props.schedule ?? Schedule.rate(Duration.days(30));
    if (schedule._disabled) {
      throw new Error('`schedule` cannot be Schedule.disabled() on an ExistingSecretRotation: remove the construct to stop rotating the secret');
    }
    const rotation = configureRotation(this, {
      secretArn: props.secret.secretFullArn ?? props.secret.secretArn,
      secretArnIsComplete: props.secret.secretFullArn !== undefined,
      encryptionKey: props.secret.encryptionKey,
      strategy: (props.strategy ?? RotationStrategy.randomPassword())._bind(this),
      schedule,
      window: props.window,
      verifyOnDeploy: props.verifyOnDeploy,
      verification: props.verification,
      failureAlarms: props.failureAlarms,
      alarmTopic: props.alarmTopic,
    });
    this.rotationFunction = rotation.function;
  }
}
