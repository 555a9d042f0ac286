import type { Responder } from './response';
import type { RotationFunctions } from './rotation-functions';
import type { RotationLogs } from './rotation-logs';
import type { SecretOperations } from './secret-operations';
import type { Clock } from './time-budget';
import type { Logger } from '../rotation/types';

/** Everything the check reaches outside itself; the handler supplies the real ones, tests replace some. */
export interface CheckDependencies {
  readonly secrets: SecretOperations;
  readonly logs: RotationLogs;
  readonly functions: RotationFunctions;
  readonly respond: Responder;
  readonly log: Logger;
  readonly clock: Clock;
}
