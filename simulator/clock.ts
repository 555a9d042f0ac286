/** Options of the simulator's clock. */
export interface ClockOptions {
  /**
   * The simulated time at start, as epoch milliseconds or a Date.
   * @default - the real current time
   */
  readonly start?: number | Date;
  /**
   * Whether simulated time stands still between `advance` calls. A frozen clock makes dates and schedules
   * exactly reproducible; a running one follows real time, shifted by every `advance`.
   * @default false
   */
  readonly frozen?: boolean;
}

/**
 * The simulator's notion of time: every date it reports and every schedule it keeps reads this clock.
 * `advance` moves it forward and, through the scheduler, runs the rotations that fall due on the way.
 */
export class SimulatorClock {
  private readonly frozen: boolean;
  /** Frozen: the current time. Running: the offset from real time. */
  private value: number;
  private advancing: Promise<void> = Promise.resolve();
  private runUntil: (target: number) => Promise<void>;

  constructor(options: ClockOptions = {}) {
    this.frozen = options.frozen ?? false;
    this.runUntil = async (target) => this.moveTo(target);
    const start = options.start === undefined ? Date.now() : Number(options.start);
    if (!Number.isFinite(start)) throw new Error(`\`clock.start\` must be a valid date, got ${String(options.start)}`);
    this.value = this.frozen ? start : start - Date.now();
  }

  /** Simulated time, epoch milliseconds. */
  public now(): number {
    return this.frozen ? this.value : Date.now() + this.value;
  }

  /**
   * Moves simulated time forward by `ms`, running every scheduled rotation that falls due, in time order,
   * each awaited to its end. Calls are serialized: a second `advance` starts where the first one ended.
   */
  public advance(ms: number): Promise<void> {
    if (!Number.isFinite(ms) || ms < 0) throw new Error(`\`ms\` must be a non-negative number, got ${ms}`);
    const run = this.advancing.then(() => this.runUntil(this.now() + ms));
    this.advancing = run.catch(() => undefined);
    return run;
  }

  /** @internal The scheduler takes over `advance`, stepping the clock from one due rotation to the next. */
  public setAdvanceHandler(handler: (target: number) => Promise<void>): void {
    this.runUntil = handler;
  }

  /** @internal Sets simulated time; it never goes backwards. */
  public moveTo(time: number): void {
    const target = Math.max(time, this.now());
    this.value = this.frozen ? target : target - Date.now();
  }
}
