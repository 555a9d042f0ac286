import {
  Duration,
  Lazy,
  Stack,
  aws_cloudwatch as cloudwatch,
  aws_cloudwatch_actions as cloudwatchActions,
  aws_events as events,
  aws_events_targets as targets,
  aws_iam as iam,
  aws_kms as kms,
  aws_sns as sns,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { PropError } from './errors';
import type { RotationTarget } from './rotation-target';

// EventBridge allows 4,096 characters per event pattern: 30 secret ARNs (about 100 each) stay well inside.
const SECRETS_PER_RULE = 30;

/**
 * The stack's rotation-failure alarms: an alarm on each rotation function's errors and EventBridge rules on
 * Secrets Manager's RotationFailed / RotationAbandoned events (delivered through CloudTrail) for the
 * stack's secrets, all notifying one SNS topic.
 */
export class FailureAlarms extends Construct {
  /** The stack's alarms, created on first use with `topic` (or a new, encrypted topic). */
  public static of(scope: Construct, topic?: sns.ITopic): FailureAlarms {
    const stack = Stack.of(scope);
    const id = 'RotatingSecretsFailureAlarms';
    const existing = stack.node.tryFindChild(id) as FailureAlarms | undefined;
    if (existing && topic && existing.topic !== topic) {
      throw new PropError('`alarmTopic` must be the same for every rotating secret of a stack: one topic receives the stack\'s rotation alarms');
    }
    return existing ?? new FailureAlarms(stack, id, topic);
  }

  public readonly topic: sns.ITopic;
  private readonly errorAlarms = new Map<RotationTarget, cloudwatch.IAlarm>();
  private rule?: { readonly secretArns: unknown[] };
  private ruleCount = 0;

  private constructor(scope: Construct, id: string, topic?: sns.ITopic) {
    super(scope, id);
    this.topic = topic ?? this.createTopic();
  }

  /** Alarms for one secret: its function's errors (once per function, returned) and its rotation events. */
  public watch(rotation: RotationTarget, secretArn: string, secretArnIsComplete: boolean): cloudwatch.IAlarm {
    const alarm = this.errorAlarms.get(rotation) ?? this.alarmOnErrors(rotation);
    this.currentRule().secretArns.push(secretArnMatcher(secretArn, secretArnIsComplete));
    return alarm;
  }

  private alarmOnErrors(rotation: RotationTarget): cloudwatch.IAlarm {
    const alarm = new cloudwatch.Alarm(rotation, 'ErrorsAlarm', {
      alarmDescription: 'A step of secret rotation failed: see the rotation function\'s log group for the step and the error.',
      metric: rotation.function.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new cloudwatchActions.SnsAction(this.topic));
    this.errorAlarms.set(rotation, alarm);
    return alarm;
  }

  private currentRule(): { readonly secretArns: unknown[] } {
    if (this.rule && this.rule.secretArns.length < SECRETS_PER_RULE) return this.rule;
    const secretArns: unknown[] = [];
    const rule = new events.Rule(this, `RotationEvents${this.ruleCount === 0 ? '' : this.ruleCount + 1}`, {
      description: 'Secrets Manager reported a failed or abandoned rotation of one of this stack\'s secrets',
      eventPattern: failureEventPattern(Lazy.any({ produce: () => secretArns })),
    });
    rule.addTarget(new targets.SnsTopic(this.topic));
    this.ruleCount++;
    this.rule = { secretArns };
    return this.rule;
  }

  /** An SNS topic encrypted with its own key, which CloudWatch and EventBridge may use to publish. */
  private createTopic(): sns.ITopic {
    const key = new kms.Key(this, 'TopicKey', {
      description: 'Encrypts the rotation-failure alarm topic',
      enableKeyRotation: true,
    });
    for (const service of ['cloudwatch.amazonaws.com', 'events.amazonaws.com']) {
      key.addToResourcePolicy(new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal(service)],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }));
    }
    return new sns.Topic(this, 'Topic', { displayName: 'Secret rotation failures', masterKey: key, enforceSSL: true });
  }
}

/** Secrets Manager's RotationFailed and RotationAbandoned events (delivered through CloudTrail) of `secretArns`. */
export function failureEventPattern(secretArns: unknown): events.EventPattern {
  return {
    source: ['aws.secretsmanager'],
    detailType: ['AWS Service Event via CloudTrail'],
    detail: {
      eventSource: ['secretsmanager.amazonaws.com'],
      eventName: ['RotationFailed', 'RotationAbandoned'],
      additionalEventData: { SecretId: secretArns },
    },
  };
}

/** How an event names the secret: a partial ARN (secret imported by name) matches the real one by prefix. */
export function secretArnMatcher(secretArn: string, secretArnIsComplete: boolean): unknown {
  return secretArnIsComplete ? secretArn : { prefix: `${secretArn}-` };
}
