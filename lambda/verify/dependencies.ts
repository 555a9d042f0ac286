import type { RotationLogs } from './rotation-logs';
import type { SecretOperations } from './secret-operations';
import type { Logger } from '../rotation/types';

/** Everything onEvent and isComplete reach outside themselves; tests and the handler supply it. */
export interface VerifyDependencies {
  readonly secrets: SecretOperations;
  readonly logs: RotationLogs;
  readonly log: Logger;
  /** Epoch milliseconds. */
  now(): number;
}
