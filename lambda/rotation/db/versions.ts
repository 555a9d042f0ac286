import type { StepContext } from '../types';

/** The versions a database strategy reads, by staging label. */
export const CURRENT = 'AWSCURRENT';
export const PENDING = 'AWSPENDING';
export const PREVIOUS = 'AWSPREVIOUS';

/** The AWSCURRENT value. */
export async function readCurrentValue(context: StepContext): Promise<string> {
  const value = await context.store.getValue(context.secretArn, { stage: CURRENT });
  if (value === undefined) throw new Error('the secret has no AWSCURRENT value');
  return value;
}

/** The value createSecret stored under this rotation's token. */
export async function readPendingValue(context: StepContext): Promise<string> {
  const value = await context.store.getValue(context.secretArn, { versionId: context.token, stage: PENDING });
  if (value === undefined) throw new Error('the AWSPENDING version of this token has no value (createSecret has not stored one)');
  return value;
}

/** The AWSPREVIOUS value, or undefined when there is none (the first rotation). */
export async function readPreviousValue(context: StepContext): Promise<string | undefined> {
  return context.store.getValue(context.secretArn, { stage: PREVIOUS });
}
