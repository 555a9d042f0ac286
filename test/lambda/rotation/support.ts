import type { Logger, PasswordPolicy } from '../../../lambda/rotation/types';
import { testOptionSet } from '../../support/strategies';

/** Identifiers shared by the rotation tests. */
export const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:app-credentials-AbCdEf';
export const TOKEN = '3f1c2a9e-6b0d-4c55-9a43-7c1e2d8f9b10';
export const CURRENT_VERSION = '0a7e1b44-2c3d-4e5f-8a9b-0c1d2e3f4a5b';

/** The policy the constructs set by default for the generic strategy. */
export const DEFAULT_POLICY: PasswordPolicy = testOptionSet('generic').passwordPolicy;

/** A Logger that keeps every call, with the JSON line it would have written. */
export interface RecordingLogger extends Logger {
  readonly entries: Array<{ level: string; message: string; fields: Record<string, unknown> }>;
  /** Every entry serialized as the JSON logger would, for leak checks. */
  text(): string;
}

export function recordingLogger(): RecordingLogger {
  const entries: RecordingLogger['entries'] = [];
  const record = (level: string) => (message: string, fields: Record<string, unknown> = {}) => {
    entries.push({ level, message, fields });
  };
  return {
    entries,
    info: record('info'),
    warn: record('warn'),
    error: record('error'),
    text: () => entries.map((entry) => JSON.stringify(entry)).join('\n'),
  };
}

/**
 * Sets (or, for undefined, deletes) environment variables and returns a function restoring the previous
 * values, so a test file leaves process.env as it found it.
 */
export function setEnv(vars: Record<string, string | undefined>): () => void {
  const saved = Object.fromEntries(Object.keys(vars).map((name) => [name, process.env[name]]));
  const apply = (values: Record<string, string | undefined>) => {
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  apply(vars);
  return () => apply(saved);
}

/** Captures what is written to stdout while `run` runs, as lines. */
export async function captureStdout<T>(run: () => Promise<T>): Promise<{ lines: string[]; result?: T; error?: unknown }> {
  let output = '';
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    output += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    return true;
  });
  try {
    const result = await run();
    return { lines: splitLines(output), result };
  } catch (error) {
    return { lines: splitLines(output), error };
  } finally {
    write.mockRestore();
  }
}

function splitLines(output: string): string[] {
  return output.split('\n').filter((line) => line.length > 0);
}
