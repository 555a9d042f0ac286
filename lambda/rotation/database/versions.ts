import { AWSCURRENT, AWSPENDING, AWSPREVIOUS } from '../../../src/private/contract';
import type { StepContext } from '../types';


/** The AWSCURRENT value. */
export async function readCurrentValue(context: StepContext): Promise<string> {
  const value = await context.store.getValue(context.secretArn, { stage: AWSCURRENT });
  if (value === undefined) throw new Error(`the secret has no ${AWSCURRENT} value`);
  return value;
}

/** The value createSecret stored under this rotation's token. */
export async function readPendingValue(context: StepContext): Promise<string> {
  const value = await context.store.getValue(context.secretArn, { versionId: context.token, stage: AWSPENDING });
  if (value === undefined) throw new Error(`the ${AWSPENDING} version of this token has no value (createSecret has not stored one)`);
  return value;
}

/** The AWSPREVIOUS value, or undefined when there is none (the first rotation). */
export async function readPreviousValue(context: StepContext): Promise<string | undefined> {
  return context.store.getValue(context.secretArn, { stage: AWSPREVIOUS });
}
