import { Duration, Token } from 'aws-cdk-lib';
import { PropError } from './private/errors';
import { parseScheduleExpression, ScheduleTiming } from './private/schedule-expression';

/**
 * Fields of a Secrets Manager rotation cron expression, named as in aws-events' `CronOptions`.
 *
 * Secrets Manager's rules apply: minutes must be `0`, the year `*`, and exactly one of
 * `day` and `weekDay` must be `?`.
 */
export interface CronOptions {
  /**
   * Minute field. Secrets Manager only accepts `0`.
   * @default '0'
   */
  readonly minute?: string;

  /**
   * Hour field (UTC), e.g. `'3'`, `'0,12'`, `'*\/6'`.
   * @default '0'
   */
  readonly hour?: string;

  /**
   * Day-of-month field.
   * @default - '?' when `weekDay` is given, '*' otherwise
   */
  readonly day?: string;

  /**
   * Month field.
   * @default '*'
   */
  readonly month?: string;

  /**
   * Day-of-week field, e.g. `'MON'` or `'SUN#1'`.
   * @default '?'
   */
  readonly weekDay?: string;

  /**
   * Year field. Secrets Manager only accepts `*`.
   * @default '*'
   */
  readonly year?: string;
}

/**
 * When a secret rotates: a rate, a cron expression, or a validated expression string.
 *
 * Rendered as the rotation schedule's `RotationRules.ScheduleExpression`.
 */
export class Schedule {
  /**
   * Rotate every `interval`: between 4 hours and 1000 days, in whole hours.
   *
   * Rendered as `rate(N days)` when the interval is whole days, `rate(N hours)` otherwise.
   */
  public static rate(interval: Duration): Schedule {
    return Schedule.judged(() => {
      if (interval.isUnresolved()) return new Schedule(tokenRate(interval), undefined);
      const hours = interval.toHours({ integral: false });
      if (!Number.isInteger(hours)) {
        throw new PropError(`\`schedule\` must be a whole number of hours, got ${interval.toHumanString()}`);
      }
      if (hours < 4) {
        throw new PropError(`\`schedule\` must be at least 4 hours, got ${interval.toHumanString()}`);
      }
      if (hours > 1000 * 24) {
        throw new PropError(`\`schedule\` must be at most 1000 days, got ${interval.toHumanString()}`);
      }
      const expression = hours % 24 === 0 ? `rate(${hours / 24} ${hours === 24 ? 'day' : 'days'})` : `rate(${hours} hours)`;
      return Schedule.expression(expression);
    });
  }

  /**
   * Rotate on a cron schedule (UTC), with Secrets Manager's cron rules.
   */
  public static cron(options: CronOptions): Schedule {
    const day = options.day ?? (options.weekDay !== undefined ? '?' : '*');
    const fields = [
      options.minute ?? '0',
      options.hour ?? '0',
      day,
      options.month ?? '*',
      options.weekDay ?? '?',
      options.year ?? '*',
    ];
    return Schedule.expression(`cron(${fields.join(' ')})`);
  }

  /**
   * A schedule expression as Secrets Manager writes it: `rate(...)` or `cron(...)`.
   * Validated the same way as `Schedule.rate` and `Schedule.cron`; tokens are passed through unjudged.
   */
  public static expression(expression: string): Schedule {
    if (Token.isUnresolved(expression)) {
      return new Schedule(expression, undefined);
    }
    return Schedule.judged(() => new Schedule(expression, parseScheduleExpression(expression)));
  }

  /**
   * No rotation: the secret keeps its current value and no rotation schedule exists. Switching an existing
   * secret to this removes its rotation schedule, which makes CloudFormation cancel the rotation
   * (CancelRotateSecret); the secret and its current value stay as they are.
   *
   * Unlike aws-cdk-lib's `automaticallyAfter: Duration.days(0)`, which keeps the rotation function attached
   * (rotation stays enabled, only without automatic scheduling), this turns rotation off.
   */
  public static disabled(): Schedule {
    return new Schedule('disabled', undefined, true);
  }

  /**
   * A schedule, or what is wrong with it: reported by the construct that takes it, with the construct's path.
   */
  private static judged(make: () => Schedule): Schedule {
    try {
      return make();
    } catch (error) {
      if (!(error instanceof PropError)) throw error;
      return new Schedule('invalid', undefined, false, error.message);
    }
  }

  /**
   * @param expressionString the rendered `ScheduleExpression`
   * @param timing what validation learnt about the schedule, for the window check
   * @param problem why the schedule cannot be used
   */
  private constructor(
    /** The rendered `RotationRules.ScheduleExpression`. */
    public readonly expressionString: string,
    private readonly timing: ScheduleTiming | undefined,
    /** @internal */
    public readonly _disabled: boolean = false,
    private readonly problem?: string,
  ) {}

  /**
   * Throws what is wrong with the schedule, if anything.
   *
   * @internal
   */
  public _check(): void {
    if (this.problem !== undefined) throw new PropError(this.problem);
  }

  /**
   * Renders a rotation window as `RotationRules.Duration` (`Nh`), checking that it fits this schedule.
   *
   * @internal
   */
  public _renderWindow(window: Duration | undefined): string | undefined {
    if (window === undefined) return undefined;
    if (window.isUnresolved()) {
      throw new PropError('`window` must be a resolved duration, got a token');
    }
    const hours = window.toHours({ integral: false });
    if (!Number.isInteger(hours) || hours < 1) {
      throw new PropError(`\`window\` must be a whole number of hours (at least 1), got ${window.toHumanString()}`);
    }
    const maxHours = this.timing?.maxWindowHours;
    if (maxHours !== undefined && hours > maxHours) {
      throw new PropError(
        `\`window\` must fit the schedule ${this.expressionString}: at most ${maxHours} hours, got ${window.toHumanString()}`,
      );
    }
    return `${hours}h`;
  }
}

/**
 * The rate of a token duration (a CloudFormation parameter, say), which Secrets Manager judges at deploy: a token keeps
 * its unit, so it must be given in days or hours, the units a rate expression takes.
 */
function tokenRate(interval: Duration): string {
  try {
    return `rate(${interval.toDays()} days)`;
  } catch {
    // Not in days: in hours, or in a unit a rate cannot take.
  }
  try {
    return `rate(${interval.toHours()} hours)`;
  } catch {
    throw new PropError(`\`schedule\` from a token must be a duration in days or hours (Duration.days(param) or Duration.hours(param)), got a token in ${interval.unitLabel()}`);
  }
}
