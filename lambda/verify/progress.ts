/**
 * The check's progress, carried from one invocation to the next in the continuation's payload. It holds only what
 * cannot be read back from the secrets: when things started, and each finished secret's result. Everything else
 * (is our rotation under way? was the merge done?) is derived again from the secret's state and deterministic
 * tokens, so a retried invocation with older progress does the same thing.
 */

/**
 * Whether a problem with the secret reports rather than fails. A secret whose fingerprint was verified before is
 * never failed (a rollback must not end in UPDATE_ROLLBACK_FAILED); an entry that only merges is not failed by the
 * secret's state (its rotation schedule rotates, and says so if it cannot), but is by a call that fails.
 */
export function reportsOnly(progress: SecretProgress, verify: boolean, cause: 'state' | 'call'): boolean {
  return progress.verifiedBefore === true || (cause === 'state' && !verify);
}

/** How one secret ended. */
export type SecretOutcome =
  /** Rotated by this request and verified; the verified tag now holds the fingerprint. */
  | 'verified'
  /** Nothing to rotate: the fingerprint was verified before, or the entry only merges. */
  | 'unchanged'
  /** Left as it is, with the reason in `message`: never fails the request (rollback safety). */
  | 'reported'
  /** Fails the request; `message` says why and what to do. */
  | 'failed';

export interface SecretResult {
  readonly outcome: SecretOutcome;
  /** For `reported` and `failed`: one line, free of secret values. */
  readonly message?: string;
  /** The version that holds AWSCURRENT at the end, when known. */
  readonly currentVersionId?: string;
}

/** One entry's progress. */
export interface SecretProgress {
  /** When the check began this entry (epoch ms): its time limit counts from here. */
  readonly startedAt?: number;
  /** When this request's RotateSecret was called, and the version that was AWSCURRENT then. */
  readonly rotation?: { readonly startedAt: number; readonly previousVersionId?: string };
  /**
   * Set once the secret's tags are read: the entry's fingerprint is among those verified last (a rollback's Update
   * lands here). Nothing about such a secret fails the request; it is reported instead.
   */
  readonly verifiedBefore?: boolean;
  /** What the check changed so far, for Data and the log: "merged dbname", "resumed rotation ...". */
  readonly actions?: readonly string[];
  /** How many times the check has looked and waited so far: the first looks come sooner than the poll interval. */
  readonly looks?: number;
  /** Set when the entry is finished. */
  readonly result?: SecretResult;
}

/** The whole request's progress: one item per entry of the resource, in order. */
export interface CheckProgress {
  /** When the first invocation began (epoch ms): the answer deadline counts from here. */
  readonly startedAt: number;
  /** How many invocations came before this one. */
  readonly handOffs: number;
  readonly secrets: readonly SecretProgress[];
}
