import { Duration, aws_cloudwatch as cloudwatch, aws_events as events } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { failureEventPattern, secretArnMatcher } from './failure-alarms';
import type { RotationTarget } from './rotation-target';

/**
 * One secret's rotation metrics: its failure events, counted by an EventBridge rule of its own (made on first use,
 * without targets: it only counts), and its rotation function's errors and duration.
 */
export class RotationMetrics {
  private failureEvents?: events.Rule;

  constructor(
    private readonly scope: Construct,
    private readonly rotation: RotationTarget,
    private readonly secret: { readonly arn: string; readonly arnIsComplete: boolean },
  ) {}

  /** RotationFailed and RotationAbandoned events of the secret: the `MatchedEvents` of its rule, Sum over 5 minutes. */
  public failures(options: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    this.failureEvents ??= new events.Rule(this.scope, 'RotationFailureEvents', {
      description: 'Counts Secrets Manager\'s failed and abandoned rotations of this secret, for its metric',
      eventPattern: failureEventPattern([secretArnMatcher(this.secret.arn, this.secret.arnIsComplete)]),
    });
    return new cloudwatch.Metric({
      namespace: 'AWS/Events',
      metricName: 'MatchedEvents',
      dimensionsMap: { RuleName: this.failureEvents.ruleName },
      statistic: cloudwatch.Stats.SUM,
      period: Duration.minutes(5),
      ...options,
    });
  }

  /** The rotation function's errors (a failed step of any secret it rotates), Sum over 5 minutes. */
  public errors(options: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.rotation.function.metricErrors({ statistic: cloudwatch.Stats.SUM, period: Duration.minutes(5), ...options });
  }

  /** How long the rotation function's steps take, Average over 5 minutes. */
  public duration(options: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.rotation.function.metricDuration({ period: Duration.minutes(5), ...options });
  }
}
