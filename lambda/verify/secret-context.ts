import type { CheckDependencies } from './dependencies';
import type { TimeBudget } from './time-budget';
import type { ResourceIdentity } from './token';
import type { CheckedFunction, CheckedSecret } from '../../src/private/contract';

/** What the check works with for one secret of one request. */
export interface SecretContext {
  readonly entry: CheckedSecret;
  /** The entry's rotation function. */
  readonly fn: CheckedFunction;
  /** The check resource, whose earlier rotations the check recognises by their tokens. */
  readonly resource: ResourceIdentity;
  /** This request's rotation token for the secret. */
  readonly token: string;
  readonly deps: CheckDependencies;
  readonly budget: TimeBudget;
}
