/**
 * The check's Lambda calls: a rotation step or a probe run directly on a rotation function (what Secrets Manager
 * would invoke, for a rotation it no longer drives), and the asynchronous invocation of the check itself.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { VerificationError } from './errors';
import { OutOfTime } from './time-budget';
import { ProbeOutcome, ProbeRequest, ProbeResult } from '../../src/private/contract';
import { safeErrorMessage } from '../rotation/log';
import type { RotationStep } from '../rotation/types';

/** What a step run through Lambda gave: done, or the function's error (its text is free of secret values). */
export type StepResult = { readonly ok: true } | { readonly ok: false; readonly error: string };

/** The rotation function's probe answer, or why there is none (an older function, a crash, a malformed answer). */
export type ProbeAnswer = { readonly answered: true; readonly result: ProbeResult } | { readonly answered: false; readonly reason: string };

export interface RotationFunctions {
  /** Runs one step for `token`, as Secrets Manager would (RequestResponse); `signal` stops waiting for it. */
  runStep(functionArn: string, step: RotationStep, secretArn: string, token: string, signal: AbortSignal): Promise<StepResult>;
  /** Asks which of the versions the protected service accepts now. */
  probe(functionArn: string, secretArn: string, versionIds: readonly string[], signal: AbortSignal): Promise<ProbeAnswer>;
  /** Invokes `functionArn` asynchronously (InvocationType Event) with `payload`. */
  invokeAsync(functionArn: string, payload: unknown): Promise<void>;
}

const PROBE_OUTCOMES: readonly ProbeOutcome[] = ['accepted', 'refused', 'unreachable', 'no-service'];
/** Longest function error text carried into a message. */
const MAX_FUNCTION_ERROR_LENGTH = 400;

export function createRotationFunctions(client: LambdaClient): RotationFunctions {
  type Invoked = { ok: true; result: unknown } | { ok: false; error: string };
  async function invoke(functionArn: string, payload: unknown, signal: AbortSignal): Promise<Invoked> {
    let output;
    try {
      output = await client.send(new InvokeCommand({ FunctionName: functionArn, Payload: encode(payload) }), { abortSignal: signal });
    } catch (error) {
      // The step or probe may still be running: the next invocation of the check runs it again (it is idempotent).
      if (signal.aborted) throw new OutOfTime();
      throw new VerificationError(`Lambda Invoke of ${functionArn} failed: ${safeErrorMessage(error)}`, { cause: error });
    }
    const text = output.Payload ? new TextDecoder().decode(output.Payload) : '';
    if (output.FunctionError) return { ok: false, error: functionErrorText(text, output.FunctionError) };
    try {
      return { ok: true, result: text === '' ? null : JSON.parse(text) };
    } catch {
      return { ok: false, error: 'the function\'s answer is not JSON' };
    }
  }

  return {
    async runStep(functionArn, step, secretArn, token, signal) {
      const outcome = await invoke(functionArn, { Step: step, SecretId: secretArn, ClientRequestToken: token }, signal);
      return outcome.ok ? { ok: true } : { ok: false, error: outcome.error };
    },

    async probe(functionArn, secretArn, versionIds, signal) {
      const request: ProbeRequest = { ProbeVersions: { SecretId: secretArn, VersionIds: versionIds } };
      const outcome = await invoke(functionArn, request, signal);
      if (!outcome.ok) return { answered: false, reason: outcome.error };
      const result = probeResult(outcome.result, versionIds);
      return result ? { answered: true, result } : { answered: false, reason: 'the function\'s answer is not a probe result (a rotation function from before probes?)' };
    },

    async invokeAsync(functionArn, payload) {
      try {
        await client.send(new InvokeCommand({ FunctionName: functionArn, InvocationType: 'Event', Payload: encode(payload) }));
      } catch (error) {
        throw new VerificationError(`Lambda Invoke (asynchronous) of ${functionArn} failed: ${safeErrorMessage(error)}`, { cause: error });
      }
    },
  };
}

function encode(payload: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(payload));
}

/** Lambda's error payload `{errorType, errorMessage}` as one bounded line. */
function functionErrorText(payload: string, functionError: string): string {
  let text = `${functionError} function error`;
  try {
    const parsed = JSON.parse(payload) as { errorType?: unknown; errorMessage?: unknown };
    const type = typeof parsed.errorType === 'string' ? parsed.errorType : undefined;
    const message = typeof parsed.errorMessage === 'string' ? parsed.errorMessage : undefined;
    if (message !== undefined) text = type && !message.startsWith(type) ? `${type}: ${message}` : message;
  } catch {
    // Not Lambda's error document: the generic text stands.
  }
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_FUNCTION_ERROR_LENGTH ? `${flat.slice(0, MAX_FUNCTION_ERROR_LENGTH)}...` : flat;
}

/** The answer as a ProbeResult covering every asked version, or undefined. */
function probeResult(value: unknown, versionIds: readonly string[]): ProbeResult | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { outcomes, reasons } = value as { outcomes?: unknown; reasons?: unknown };
  if (typeof outcomes !== 'object' || outcomes === null) return undefined;
  const read: Record<string, ProbeOutcome> = {};
  for (const versionId of versionIds) {
    const outcome = (outcomes as Record<string, unknown>)[versionId];
    if (!PROBE_OUTCOMES.includes(outcome as ProbeOutcome)) return undefined;
    read[versionId] = outcome as ProbeOutcome;
  }
  const readReasons: Record<string, string> = {};
  if (typeof reasons === 'object' && reasons !== null) {
    for (const [versionId, reason] of Object.entries(reasons)) {
      if (typeof reason === 'string') readReasons[versionId] = reason.slice(0, MAX_FUNCTION_ERROR_LENGTH);
    }
  }
  return { outcomes: read, ...(Object.keys(readReasons).length > 0 ? { reasons: readReasons } : {}) };
}
