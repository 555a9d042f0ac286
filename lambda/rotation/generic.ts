import type { StrategyTable } from './handler';
import type { ProbeVerdict, ProtectedService, StepContext } from './types';
import { AWSPENDING } from '../../src/private/contract';

/**
 * The generic strategy: a new password and no external service. With the secret's `generateStringKey` (JSON mode)
 * that key's value is replaced by a new password, every other field kept; without it the whole secret string is the
 * password. setSecret has nothing to change and
 * testSecret checks that the pending value is well-formed. Its messages never quote a secret value.
 *
 * testSecret checks the shape, not the password policy: when a rotation schedule is configured without an
 * immediate rotation, Secrets Manager runs testSecret alone on a copy of the current value, which may have been
 * generated under an earlier policy (a changed `passwordLength` must not fail that deployment). The generator
 * is what guarantees the policy.
 */
export class GenericStrategy implements ProtectedService {
  public readonly name = 'generic';

  async createPendingValue(readCurrent: () => Promise<string>, context: StepContext): Promise<string> {
    const key = context.options.generateStringKey;
    // A plain password owes nothing to the current value: no need to read it.
    if (key === undefined) return context.generatePassword();
    const fields = parseJsonObject(await readCurrent());
    if (fields === undefined) {
      throw new Error(`the current value is not a JSON object, so its \`${key}\` field cannot be replaced`);
    }
    return JSON.stringify({ ...fields, [key]: context.generatePassword() });
  }

  async setSecret(context: StepContext): Promise<void> {
    context.log.info('generic strategy: no external service to update', {
      step: 'setSecret',
      secretArn: context.secretArn,
      token: context.token,
      strategy: this.name,
    });
  }

  /** The value was never given to any service, so removing a version never locks anyone out. */
  async probe(): Promise<ProbeVerdict> {
    return { outcome: 'no-service' };
  }

  async testSecret(context: StepContext): Promise<void> {
    const pending = await context.store.getValue(context.secretArn, { versionId: context.token, stage: AWSPENDING });
    if (pending === undefined) throw new Error('the pending version has no value (createSecret has not stored one)');
    if (pending === '') throw new Error('the pending value is empty');
    const key = context.options.generateStringKey;
    if (key === undefined) return;
    const fields = parseJsonObject(pending);
    if (fields === undefined) throw new Error('the pending value is not a JSON object');
    const password = Object.hasOwn(fields, key) ? fields[key] : undefined;
    if (typeof password !== 'string' || password === '') {
      throw new Error(`the pending value's \`${key}\` field is not a non-empty string`);
    }
  }
}

/**
 * The value parsed as a JSON object, or undefined if it is not one. JSON.parse's own error is dropped on
 * purpose: its message quotes the text it failed on, which is a secret.
 */
function parseJsonObject(value: string): Record<string, unknown> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return undefined;
  }
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? parsed as Record<string, unknown> : undefined;
}

/** The strategies of the generic rotation function. */
export const GENERIC_STRATEGIES: StrategyTable = {
  generic: () => new GenericStrategy(),
};
