/**
 * The rotation function's failure line (its record is in the contract: src/private/contract/failure-log.ts),
 * reduced to what a failure message shows.
 */
import { parseRotationFailureRecord } from '../../src/private/contract';

/** A failed step, as the rotation function logged it. */
export interface RotationFailureLine {
  readonly step: string;
  /** The safe error message the rotation function logged, trimmed for a CloudFormation event. */
  readonly error: string;
  /** Event time in the log group (epoch ms), when known. */
  readonly timestamp?: number;
}

/** Longest error text carried into a message; CloudFormation shows the whole reason in one stack event. */
const MAX_ERROR_LENGTH = 400;
const MAX_STEP_LENGTH = 40;

/** The failure line of `token` in a log event, bounded for a CloudFormation event; undefined for any other event. */
export function parseFailureLine(message: string, token: string, timestamp?: number): RotationFailureLine | undefined {
  const record = parseRotationFailureRecord(message, token);
  if (record === undefined) return undefined;
  const step = record.step ?? 'an unnamed step';
  const error = record.error ?? 'no error message was logged';
  return { step: bounded(step, MAX_STEP_LENGTH), error: bounded(error, MAX_ERROR_LENGTH), timestamp };
}

function bounded(text: string, maxLength: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > maxLength ? `${flat.slice(0, maxLength)}...` : flat;
}

/** What a search of the rotation function's log group found. */
export type LogLookup =
  | { readonly kind: 'found'; readonly failure: RotationFailureLine }
  | { readonly kind: 'none' }
  /** The log group does not exist: the rotation function has never written a line. */
  | { readonly kind: 'no-log-group' }
  /** The search itself failed (for example AccessDenied); `reason` is the SDK's error message. */
  | { readonly kind: 'unreadable'; readonly reason: string };

/** What a search of a foreign function's log group for error lines found. */
export type FunctionErrorsLookup =
  | { readonly kind: 'errors'; readonly summaries: readonly string[] }
  | { readonly kind: 'none' }
  | { readonly kind: 'no-log-group' }
  | { readonly kind: 'unreadable'; readonly reason: string };

/**
 * Lines the Lambda runtime writes when an invocation dies before the function can log its own failure:
 * a timeout, or a function that cannot load.
 */
export const RUNTIME_FAILURE_FILTER_PATTERN =
  '?"Task timed out" ?"Runtime.ImportModuleError" ?"Runtime.HandlerNotFound" ?"Runtime.ExitError"';

const MAX_RUNTIME_LINE_LENGTH = 160;

/** The readable part of a runtime failure line: Lambda's timestamp and request id prefix removed, bounded. */
export function runtimeFailureText(message: string): string {
  const withoutPrefix = message
    .replace(/^\s*\d{4}-\d{2}-\d{2}T[\d:.]+Z\s+/, '')
    .replace(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\s+/i, '');
  return bounded(withoutPrefix, MAX_RUNTIME_LINE_LENGTH);
}

/**
 * Lines where a function that is not this library's failed, whatever its language: the Node.js runtime's `Invoke
 * Error`, Python's `[ERROR]` (an unhandled exception or logger.error), and the runtime's own failure lines.
 */
export const FUNCTION_ERROR_FILTER_PATTERN = `?"Invoke Error" ?"[ERROR]" ${RUNTIME_FAILURE_FILTER_PATTERN}`;

/**
 * What an error line of a foreign function may show in a message: its error type, or the runtime's own words for a
 * timeout, never the function's error message (a function that is not ours may put a value in it).
 */
export function functionErrorSummary(message: string): string {
  const errorType = /"errorType"\s*:\s*"([A-Za-z0-9_.$:-]{1,100})"/.exec(message)?.[1]
    ?? /\[ERROR\] ([A-Za-z_][A-Za-z0-9_.]{0,99}):/.exec(message)?.[1];
  return errorType ?? /Task timed out after [\d.]+ seconds/.exec(message)?.[0] ?? 'an error line (its text is not shown)';
}
