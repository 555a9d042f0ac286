import type { StrategyRegistry } from '.';
import { createGenericStrategy } from './generic';

/** The generic rotation function: no database driver, so it stays small and starts fast. */
export const GENERIC_STRATEGIES: StrategyRegistry = {
  generic: createGenericStrategy,
};
