import { Duration, Stack, aws_cloudwatch as cloudwatch, aws_lambda as lambda, aws_secretsmanager as secretsmanager, aws_sns as sns } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ConfiguredRotation, configureRotation } from './private/configure-rotation';
import { atConstruct, invalidProp } from './private/errors';
import { tagForCheck } from './private/rotation-check';
import { RotationOptions } from './rotation-options';
import { RotationStrategy } from './rotation-strategy';
import { Schedule } from './schedule';

/**
 * Properties of an `ExistingSecretRotation`.
 */
export interface ExistingSecretRotationProps extends RotationOptions {
  /**
   * The secret to rotate: created elsewhere in the app, or imported (`Secret.fromSecretNameV2`,
   * `Secret.fromSecretCompleteArn`, `Secret.fromSecretAttributes` with an `encryptionKey`).
   */
  readonly secret: secretsmanager.ISecret;

  /**
   * The id you gave `addRotationSchedule` on this secret, when this construct takes over its rotation: the rotation
   * schedule keeps that schedule's logical id, so CloudFormation updates it in place. Without it, CloudFormation
   * creates the new schedule and then deletes the old one, and deleting a rotation schedule turns rotation off.
   * Only for a `Secret` of this stack.
   * @default - a new rotation schedule under this construct
   */
  readonly replacesScheduleId?: string;
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

  /**
   * The alarm on the rotation function's errors (a failed step of any secret the shared function rotates).
   * Undefined unless `failureAlarms` is true.
   */
  public readonly rotationErrorsAlarm?: cloudwatch.IAlarm;

  /** The SNS topic the failure alarms notify. Undefined unless `failureAlarms` is true. */
  public readonly alarmTopic?: sns.ITopic;

  private readonly rotation: ConfiguredRotation;

  constructor(scope: Construct, id: string, props: ExistingSecretRotationProps) {
    super(scope, id);
    const schedule = props.schedule ?? Schedule.rate(Duration.days(30));
    if (schedule._disabled) {
      throw invalidProp(this, '`schedule` cannot be Schedule.disabled() on an ExistingSecretRotation: remove the construct to stop rotating the secret');
    }
    this.rotation = atConstruct(this, this.node.path, () => configureRotation(this, {
      ...props,
      secretArn: props.secret.secretFullArn ?? props.secret.secretArn,
      secretArnIsComplete: props.secret.secretFullArn !== undefined,
      tagged: tagIfInStack(this, props.secret),
      secretResource: secretResourceOf(props.secret),
      encryptionKey: props.secret.encryptionKey,
      strategy: (props.strategy ?? RotationStrategy.randomPassword())._bind(this),
      schedule,
      replacesSchedule: props.replacesScheduleId === undefined
        ? undefined
        : { secret: secretConstruct(this, props.secret), id: props.replacesScheduleId },
    }));
    this.rotationFunction = this.rotation.rotationFunction.function;
    this.rotationErrorsAlarm = this.rotation.errorsAlarm;
    this.alarmTopic = this.rotation.alarmTopic;
  }

  /**
   * Failed and abandoned rotations of the secret: Secrets Manager's RotationFailed and RotationAbandoned events,
   * counted by an EventBridge rule made for this metric on first use (`AWS/Events` `MatchedEvents`), Sum over 5
   * minutes.
   */
  public metricRotationFailures(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.rotation.metrics.failures(props);
  }

  /** Errors of the rotation function (shared with the stack's other secrets of its strategy), Sum over 5 minutes. */
  public metricRotationErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.rotation.metrics.errors(props);
  }

  /** How long the rotation function's steps take, Average over 5 minutes. */
  public metricRotationDuration(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.rotation.metrics.duration(props);
  }
}

/** The secret's own construct, where `addRotationSchedule` put the schedule being replaced. */
function secretConstruct(scope: Construct, secret: secretsmanager.ISecret): Construct {
  const resource = secretResourceOf(secret);
  if (resource === undefined || Stack.of(resource) !== Stack.of(scope)) {
    throw invalidProp(scope, `\`replacesScheduleId\` needs a Secret of this stack (${Stack.of(scope).stackName}); ${secret.node.path} is imported or of another stack`);
  }
  return secret;
}

/**
 * Tags a secret of this stack for the deploy-time check, whose permissions name the stack's tagged secrets; a secret
 * imported, or of another stack, is named by its ARN instead.
 */
function tagIfInStack(scope: Construct, secret: secretsmanager.ISecret): boolean {
  const resource = secretResourceOf(secret);
  if (resource === undefined || Stack.of(resource) !== Stack.of(scope)) return false;
  tagForCheck(resource);
  return true;
}

/** The secret's resource, when the app defines it (an imported secret has none). */
function secretResourceOf(secret: secretsmanager.ISecret): secretsmanager.CfnSecret | undefined {
  const resource = secret.node.defaultChild;
  return resource instanceof secretsmanager.CfnSecret ? resource : undefined;
}
