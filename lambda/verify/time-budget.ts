/**
 * How long one invocation of the check may work. Lambda stops a function at its timeout (15 minutes at most), and
 * CloudFormation stops waiting at the resource's ServiceTimeout: the check hands its progress on to a fresh
 * invocation before the first, and answers before the second.
 */

/** Time as the check sees it; tests replace it. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** What the check reads from Lambda's context object. */
export interface InvocationContext {
  /** The check's own ARN, to invoke itself with its progress. */
  readonly invokedFunctionArn: string;
  /** The check's log group, named in answers that were cut. */
  readonly logGroupName: string;
  getRemainingTimeInMillis(): number;
}

/** Time kept back at the end of an invocation to invoke the next one (or answer) and return. */
export const HANDOFF_MARGIN_MS = 30_000;
/** Time kept back before CloudFormation's ServiceTimeout: its clock started before the check's first invocation. */
export const ANSWER_MARGIN_MS = 60_000;

/** Thrown at a checkpoint when this invocation's time is up; the entry keeps its progress for the next one. */
export class OutOfTime extends Error {
  constructor() {
    super('this invocation of the check is out of time');
    this.name = 'OutOfTime';
  }
}

/** The end of this invocation's work: whichever comes first of the hand-off point and the answer deadline. */
export class TimeBudget {
  private readonly handOffAt: number;

  constructor(
    private readonly clock: Clock,
    context: InvocationContext,
    /** When the check must answer CloudFormation, whatever is unfinished (epoch ms). */
    public readonly answerBy: number,
  ) {
    this.handOffAt = clock.now() + context.getRemainingTimeInMillis() - HANDOFF_MARGIN_MS;
  }

  /** Why the work stops: `answer` when the answer deadline comes first, `hand-off` when Lambda's timeout does. */
  public get ending(): 'answer' | 'hand-off' {
    return this.answerBy <= this.handOffAt ? 'answer' : 'hand-off';
  }

  public remainingMs(): number {
    return Math.min(this.handOffAt, this.answerBy) - this.clock.now();
  }

  /** A checkpoint: throws OutOfTime when the time is up. */
  public check(): void {
    if (this.remainingMs() <= 0) throw new OutOfTime();
  }

  /** Sleeps `ms`, or until the time is up, then checks. */
  public async sleep(ms: number): Promise<void> {
    await this.clock.sleep(Math.max(0, Math.min(ms, this.remainingMs())));
    this.check();
  }

  /** Aborts a long call (a rotation step run through Lambda) when the time is up. */
  public signal(): AbortSignal {
    return AbortSignal.timeout(Math.max(1, this.remainingMs()));
  }
}
