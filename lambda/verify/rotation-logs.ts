import { CloudWatchLogsClient, FilterLogEventsCommand, FilterLogEventsCommandOutput } from '@aws-sdk/client-cloudwatch-logs';
import {
  FUNCTION_ERROR_FILTER_PATTERN,
  FunctionErrorsLookup,
  LogLookup,
  RUNTIME_FAILURE_FILTER_PATTERN,
  functionErrorSummary,
  RotationFailureLine,
  parseFailureLine,
  runtimeFailureText,
} from './failure-log';
import { RotationFunctionKind, RotationStepFields, rotationFailureFilterPattern } from '../../src/private/contract';
import { safeErrorMessage } from '../rotation/log';
import type { Logger } from '../rotation/types';

/** Searches of the rotation function's log group (logs:FilterLogEvents only). */
export interface RotationLogs {
  /** The earliest failure line logged for `token` since `sinceMs`. */
  findFailure(logGroupName: string, token: string, sinceMs: number): Promise<LogLookup>;
  /** Distinct runtime failure lines (timeouts, load errors) since `sinceMs`, at most a few. */
  findRuntimeFailures(logGroupName: string, sinceMs: number): Promise<readonly string[]>;
  /** A foreign function's error lines since `sinceMs`, as their error types (distinct, at most a few). */
  findFunctionErrors(logGroupName: string, sinceMs: number): Promise<FunctionErrorsLookup>;
  /**
   * Whether the rotation function logged any line for `token` since `sinceMs`: a rotation step ran lately.
   * This library's functions log the token in a JSON field; `foreign` ones are searched for the token anywhere.
   * `unknown` when the log group could not be searched.
   */
  activitySince(logGroupName: string, token: string, sinceMs: number, kind: RotationFunctionKind): Promise<'active' | 'quiet' | 'unknown'>;
}

/** The field of every rotation-step log line that holds the token. */
const TOKEN_FIELD: keyof RotationStepFields = 'token';

/** FilterLogEvents may answer empty pages with a next token; stop after this many. */
const MAX_PAGES = 10;
/** How many distinct lines a message quotes at most. */
const MAX_DISTINCT_LINES = 3;
/**
 * Failure lines are matched by token, so looking a little before the recorded start is safe. It covers a
 * retried invocation of the check, which records a later start than the rotation's first attempt, and clock differences.
 */
const FAILURE_LOOKBACK_MS = 15 * 60_000;

export function createRotationLogs(client: CloudWatchLogsClient, log: Logger): RotationLogs {
  return {
    async findFailure(logGroupName, token, sinceMs) {
      try {
        const failures: RotationFailureLine[] = [];
        await forEachPage(client, logGroupName, rotationFailureFilterPattern(token), sinceMs - FAILURE_LOOKBACK_MS, (events) => {
          for (const event of events) {
            const failure = parseFailureLine(event.message ?? '', token, event.timestamp);
            if (failure) failures.push(failure);
          }
          return failures.length > 0;
        });
        if (failures.length === 0) return { kind: 'none' };
        const earliest = failures.reduce((a, b) => ((b.timestamp ?? Infinity) < (a.timestamp ?? Infinity) ? b : a));
        return { kind: 'found', failure: earliest };
      } catch (error) {
        if (errorName(error) === 'ResourceNotFoundException') return { kind: 'no-log-group' };
        log.warn('could not search the rotation log group', { logGroupName, error: safeErrorMessage(error) });
        return { kind: 'unreadable', reason: safeErrorMessage(error) };
      }
    },

    async findRuntimeFailures(logGroupName, sinceMs) {
      try {
        return await distinctLines(client, logGroupName, RUNTIME_FAILURE_FILTER_PATTERN, sinceMs, runtimeFailureText);
      } catch (error) {
        // Only a hint for the message; the verification has already failed for another reason.
        log.warn('could not search the rotation log group for runtime failures', {
          logGroupName,
          error: safeErrorMessage(error),
        });
        return [];
      }
    },

    async findFunctionErrors(logGroupName, sinceMs) {
      try {
        const summaries = await distinctLines(client, logGroupName, FUNCTION_ERROR_FILTER_PATTERN, sinceMs, functionErrorSummary);
        return summaries.length === 0 ? { kind: 'none' } : { kind: 'errors', summaries };
      } catch (error) {
        if (errorName(error) === 'ResourceNotFoundException') return { kind: 'no-log-group' };
        log.warn('could not search the rotation function\'s log group for errors', { logGroupName, error: safeErrorMessage(error) });
        return { kind: 'unreadable', reason: safeErrorMessage(error) };
      }
    },

    async activitySince(logGroupName, token, sinceMs, kind) {
      const pattern = kind === 'library' ? `{ $.${TOKEN_FIELD} = "${token}" }` : JSON.stringify(token);
      try {
        let active = false;
        await forEachPage(client, logGroupName, pattern, sinceMs, (events) => (active = events.length > 0));
        return active ? 'active' : 'quiet';
      } catch (error) {
        // A log group that does not exist has no line: the function has not run.
        if (errorName(error) === 'ResourceNotFoundException') return 'quiet';
        log.warn('could not search the rotation log group for activity', { logGroupName, token, error: safeErrorMessage(error) });
        return 'unknown';
      }
    },
  };
}

type LogEvents = NonNullable<FilterLogEventsCommandOutput['events']>;

/** The distinct texts `describe` makes of the lines matching `filterPattern` since `sinceMs`, at most a few. */
async function distinctLines(
  client: CloudWatchLogsClient, logGroupName: string, filterPattern: string, sinceMs: number, describe: (message: string) => string,
): Promise<string[]> {
  const lines = new Set<string>();
  await forEachPage(client, logGroupName, filterPattern, sinceMs, (events) => {
    for (const event of events) {
      if (event.message && lines.size < MAX_DISTINCT_LINES) lines.add(describe(event.message));
    }
    return lines.size >= MAX_DISTINCT_LINES;
  });
  return [...lines];
}

/** Pages through FilterLogEvents until `onPage` returns true, the pages end, or MAX_PAGES is reached. */
async function forEachPage(
  client: CloudWatchLogsClient,
  logGroupName: string,
  filterPattern: string,
  startTime: number,
  onPage: (events: LogEvents) => boolean,
): Promise<void> {
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const output: FilterLogEventsCommandOutput = await client.send(
      new FilterLogEventsCommand({ logGroupName, filterPattern, startTime, nextToken }),
    );
    if (onPage(output.events ?? [])) return;
    nextToken = output.nextToken;
    if (!nextToken) return;
  }
}

function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}
