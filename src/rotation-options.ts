import { Duration, aws_sns as sns } from 'aws-cdk-lib';
import { RotationStrategy } from './rotation-strategy';
import { Schedule } from './schedule';

/**
 * How the deploy-time rotation check behaves.
 */
export interface VerificationOptions {
  /**
   * How long the deployment waits for the first rotation before it fails: 1 minute to 55 minutes.
   * @default Duration.minutes(10) (enough for a database rotation in a VPC, including a cold network interface)
   */
  readonly timeout?: Duration;

  /**
   * How long the deployment waits at most between two looks at the rotation: 5 seconds to 5 minutes, whole seconds.
   * The first looks come sooner (after 1, 2, 4, ... seconds), so a rotation that ends in seconds is reported in seconds.
   * @default Duration.seconds(10)
   */
  readonly pollInterval?: Duration;

  /**
   * When a stale AWSPENDING label (from an earlier, failed rotation) blocks rotation, remove it before
   * rotating, and say so in the custom resource's output. Off by default: a stale label can be a sign
   * of a rotation that should be looked at first.
   * @default false
   */
  readonly repairStalePending?: boolean;
}

/**
 * How a secret rotates: shared by `RotatingSecret` (a new secret) and `ExistingSecretRotation` (any secret).
 */
export interface RotationOptions {
  /**
   * How the secret's value is generated and what it protects.
   * @default RotationStrategy.randomPassword()
   */
  readonly strategy?: RotationStrategy;

  /**
   * When the secret rotates.
   * @default Schedule.rate(Duration.days(30))
   */
  readonly schedule?: Schedule;

  /**
   * The rotation window: how long after the scheduled start a rotation may begin, in whole hours.
   * It must fit the schedule (not run into the next window or past the end of the UTC day).
   * @default - Secrets Manager's default: 1 hour for hourly schedules, the rest of the UTC day otherwise
   */
  readonly window?: Duration;

  /**
   * Rotate once during `cdk deploy`, wait for the rotation, and fail the deployment with a clear message
   * if it does not complete or leaves the staging labels inconsistent.
   * When false, CloudFormation's rotation schedule starts the first rotation and does not wait for it.
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
