import { createHash } from 'node:crypto';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { allValues } from './secrets';
import type { InvokeResult, SecretsManagerSimulator } from '../../../simulator';

/** A secret found where it must not be; the secret itself is named only by a hash. */
export interface LeakHit {
  readonly source: string;
  readonly secret: string;
}

/** The shortest value audited, and the shortest part of one that counts as a leak. */
const MIN_LENGTH = 8;

/** Keys of a JSON secret whose values are secrets. */
const SECRET_KEYS = new Set(['password']);

/**
 * Collects every secret value a suite generated or stored and every text its rotations produced (log lines,
 * error messages and stacks), and finds any part of a secret of MIN_LENGTH characters or more in any text, in the
 * forms a log line or an error would carry it: raw, JSON-escaped (once or twice, for a secret string inside a JSON
 * log field), SQL-escaped, URL-encoded, hex and base64.
 */
export class LeakAudit {
  private readonly secrets = new Set<string>();
  private readonly texts: Array<{ source: string; text: string }> = [];
  private readonly publicValues: string[] = [];

  public get secretCount(): number {
    return [...this.secrets].filter((secret) => !this.publicValues.some((value) => value.includes(secret))).length;
  }

  public get textCount(): number {
    return this.texts.length;
  }

  /**
   * A secret value. Values too short or too plain to be told apart from ordinary text (possible only for
   * fuzzed inputs; generated passwords have 32 characters) are left out: they would match by chance.
   */
  public addSecret(value: string): void {
    if (value.length >= MIN_LENGTH && new Set(value).size >= 5) this.secrets.add(value);
  }

  /**
   * A value that logs may show (a user name). A fuzzed secret that happens to be part of one is not audited:
   * finding it would say nothing.
   */
  public addPublic(value: string): void {
    this.publicValues.push(value);
  }

  /**
   * A stored SecretString: its secret fields when it is a JSON object (the other fields, user names, hosts and
   * database names, may be logged), the whole string otherwise.
   */
  public addSecretString(value: string, extraKeys: readonly string[] = []): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      parsed = undefined;
    }
    if (typeof parsed !== 'object' || parsed === null) {
      this.addSecret(value);
      return;
    }
    for (const [key, field] of Object.entries(parsed)) {
      if ((SECRET_KEYS.has(key) || extraKeys.includes(key)) && typeof field === 'string') this.addSecret(field);
    }
  }

  /** Every value every version of these secrets holds, read back from the simulator. */
  public async addStoredValues(client: SecretsManagerClient, secretArns: Iterable<string>, extraKeys: readonly string[] = []): Promise<void> {
    for (const arn of secretArns) {
      for (const value of await allValues(client, arn)) this.addSecretString(value, extraKeys);
    }
  }

  public addText(source: string, text: string): void {
    this.texts.push({ source, text });
  }

  /** An error's message, stack and cause chain. */
  public addError(source: string, error: unknown): void {
    if (error instanceof Error) {
      this.addText(source, `${error.name}: ${error.message}\n${error.stack ?? ''}`);
      if (error.cause !== undefined) this.addError(`${source} (cause)`, error.cause);
    } else {
      this.addText(source, String(error));
    }
  }

  /** A failed invocation's error type, message and trace. */
  public addInvokeResult(source: string, result: InvokeResult): void {
    if (!result.ok) this.addText(source, [result.errorType, result.errorMessage, ...result.trace ?? []].join('\n'));
  }

  /** Every line of these log groups, and every error message of the simulator's rotation events. */
  public addSimulatorOutput(sim: SecretsManagerSimulator, logGroups: Iterable<string>): void {
    for (const group of logGroups) {
      for (const event of sim.logs.events(group)) this.addText(group, event.message);
    }
    for (const event of sim.events) {
      if (event.error) this.addText(`rotation event ${event.type}`, `${event.error.type}: ${event.error.message}`);
    }
  }

  public hits(): LeakHit[] {
    // Every encoded part is at least MIN_LENGTH long: index them by their first MIN_LENGTH characters and look up
    // each window of each text once, so the cost grows with the texts' length, not with texts times secrets.
    const byPrefix = new Map<string, Array<{ form: string; secret: string }>>();
    for (const secret of this.secrets) {
      for (const part of partsOf(secret)) {
        if (this.publicValues.some((value) => value.includes(part))) continue;
        for (const form of formsOf(part)) {
          const prefix = form.slice(0, MIN_LENGTH);
          byPrefix.set(prefix, [...byPrefix.get(prefix) ?? [], { form, secret }]);
        }
      }
    }
    const hits = new Map<string, LeakHit>();
    for (const { source, text } of this.texts) {
      for (let index = 0; index + MIN_LENGTH <= text.length; index++) {
        for (const { form, secret } of byPrefix.get(text.slice(index, index + MIN_LENGTH)) ?? []) {
          const hit = { source, secret: fingerprint(secret) };
          if (text.startsWith(form, index)) hits.set(`${hit.source}\n${hit.secret}`, hit);
        }
      }
    }
    return [...hits.values()];
  }
}

/**
 * The parts of a secret whose presence is a leak: every run of MIN_LENGTH characters, but those too plain to tell
 * from ordinary text (`xxxxxxxx`). A longer leaked part contains one of them, in every form but base64.
 */
function partsOf(secret: string): string[] {
  // By code point: a fuzzed secret may hold characters outside the BMP, whose halves are not text.
  const characters = [...secret];
  const parts = new Set<string>();
  for (let at = 0; at + MIN_LENGTH <= characters.length; at++) {
    const part = characters.slice(at, at + MIN_LENGTH);
    if (new Set(part).size >= 4) parts.add(part.join(''));
  }
  return [...parts];
}

function formsOf(part: string): string[] {
  const json = JSON.stringify(part).slice(1, -1);
  // Base64 of a longer leaked part holds the base64 of one of its 6-character runs that starts on a 3-byte boundary.
  const characters = [...part];
  const base64 = [0, 1, 2].map((at) => Buffer.from(characters.slice(at, at + 6).join('')))
    .flatMap((bytes) => [bytes.toString('base64'), bytes.toString('base64url')])
    .filter((form) => form.length === MIN_LENGTH);
  return [...new Set([
    part,
    json,
    JSON.stringify(json).slice(1, -1),
    part.replace(/'/g, "''"),
    part.replace(/\\/g, '\\\\').replace(/'/g, "\\'"),
    encodeURIComponent(part),
    Buffer.from(part).toString('hex'),
    ...base64,
  ])];
}

function fingerprint(secret: string): string {
  return `sha256:${createHash('sha256').update(secret).digest('hex').slice(0, 12)} (${secret.length} characters)`;
}
