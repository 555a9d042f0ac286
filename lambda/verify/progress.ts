/**
 * The check's progress, carried from one invocation to the next in the continuation's payload. It holds only what
 * cannot be read back from the secrets: when things started, and each finished secret's result. Everything else
 * (is our rotation under way? was the merge done?) is derived again from the secret's state and deterministic
 * tokens, so a retried invocation with older progress does the same thing.
 */

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
   * Set once the secret's tags are read: problems with the secret's state are reported, never failed, because its
   * fingerprint was verified before (a rollback's Update lands here) or the entry only merges.
   */
  readonly reportOnly?: boolean;
  /** What the check changed so far, for Data and the log: "merged dbname", "resumed rotation ...". */
  readonly actions?: readonly string[];
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
