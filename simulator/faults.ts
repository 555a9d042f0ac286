/** The error a failed call answers with. */
export interface FaultError {
  /** Sent as `__type`. */
  readonly code: string;
  readonly message: string;
  /** @default 400, or 500 for InternalServiceError */
  readonly status?: number;
}

export interface FailCallOptions {
  /** Which call of the operation fails, counting from 1 at the time the fault is added. @default 1 */
  readonly nth?: number;
  /** @default - InternalServiceError (500) "An error occurred on the server side." */
  readonly error?: FaultError;
}

export interface DelayCallOptions {
  /** @default 1 */
  readonly nth?: number;
  /** Real milliseconds to wait before the call is handled. */
  readonly ms: number;
}

export interface DropResponseOptions {
  /** @default 1 */
  readonly nth?: number;
}

/** What happens to one call. */
export interface CallFaults {
  readonly error?: FaultError;
  readonly delayMs?: number;
  readonly dropResponse?: boolean;
}

interface Fault {
  readonly operation: string;
  readonly nth: number;
  readonly effect: CallFaults;
  seen: number;
}

/**
 * Faults injected into API calls, for tests. Each fires once, on the `nth` call of its operation (by name,
 * e.g. `PutSecretValue` or `FilterLogEvents`) counted from when it was added, whoever makes the call: the
 * test, or a rotation function. The SDK retries 500s and network errors, so a single fault is usually invisible
 * to the caller; add several to outlast its retries.
 */
export class FaultHooks {
  private faults: Fault[] = [];

  /** The call fails with `error` without being applied. */
  public failCall(operation: string, options: FailCallOptions = {}): void {
    const error = options.error ?? { code: 'InternalServiceError', message: 'An error occurred on the server side.', status: 500 };
    this.add(operation, options.nth, { error });
  }

  /** The call waits `ms` (real time) before it is applied and answered. */
  public delayCall(operation: string, options: DelayCallOptions): void {
    if (!Number.isFinite(options.ms) || options.ms < 0) throw new Error(`\`ms\` must be a non-negative number, got ${options.ms}`);
    this.add(operation, options.nth, { delayMs: options.ms });
  }

  /** The call is applied, then the connection is destroyed: the client sees a network error, not the answer. */
  public dropResponse(operation: string, options: DropResponseOptions = {}): void {
    this.add(operation, options.nth, { dropResponse: true });
  }

  /** Removes every fault that has not fired yet. */
  public clear(): void {
    this.faults = [];
  }

  /** Faults not fired yet. */
  public get pending(): number {
    return this.faults.length;
  }

  /** @internal Counts one call of `operation` and returns what fires on it. */
  public take(operation: string): CallFaults {
    let effect: CallFaults = {};
    for (const fault of this.faults.filter((f) => f.operation === operation)) {
      fault.seen += 1;
      if (fault.seen === fault.nth) effect = { ...effect, ...fault.effect };
    }
    this.faults = this.faults.filter((fault) => fault.seen < fault.nth);
    return effect;
  }

  private add(operation: string, nth = 1, effect: CallFaults): void {
    if (!Number.isInteger(nth) || nth < 1) throw new Error(`\`nth\` must be a positive integer, got ${nth}`);
    this.faults.push({ operation, nth, effect, seen: 0 });
  }
}
