import { AWSCURRENT } from '../../src/private/contract';
import type { RotationStep } from '../rotation/types';

/**
 * What the secret's versions tell about the pending version's value, without reading it:
 * `stored` (createSecret put a value), `missing` (still RotateSecret's empty placeholder), or `unknown`.
 */
export type PendingValueEvidence = 'stored' | 'missing' | 'unknown';

/** Which steps may have stopped a rotation that logged no failure, and why. */
export interface StallDiagnosis {
  readonly possibleSteps: readonly RotationStep[];
  /** One or two sentences for the failure message. */
  readonly explanation: string;
}

/** Infers the stopped step from state, for a rotation whose token still holds AWSPENDING only. */
export function diagnoseStall(token: string, evidence: PendingValueEvidence): StallDiagnosis {
  switch (evidence) {
    case 'missing':
      return {
        possibleSteps: ['createSecret'],
        explanation: `The pending version ${token} has no value yet, so createSecret did not complete.`,
      };
    case 'stored':
      return {
        possibleSteps: ['setSecret', 'testSecret', 'finishSecret'],
        explanation:
          `The pending version ${token} has a value but is not ${AWSCURRENT}, ` +
          'so setSecret, testSecret or finishSecret did not complete.',
      };
    case 'unknown':
      return {
        possibleSteps: ['createSecret', 'setSecret', 'testSecret', 'finishSecret'],
        explanation:
          `The pending version ${token} is not ${AWSCURRENT}, ` +
          'so one of createSecret, setSecret, testSecret or finishSecret did not complete.',
      };
  }
}
