import type { Environment } from '../config';
import type { ProtectedService } from '../types';
import { createGenericStrategy } from './generic';

/** Builds a strategy from the rotation function's environment. */
export type StrategyFactory = (env: Environment) => ProtectedService;

/**
 * Every strategy the rotation function knows, by its ROTATION_STRATEGY name.
 * Adding a strategy is one entry here.
 */
const STRATEGIES: Readonly<Record<string, StrategyFactory>> = {
  generic: createGenericStrategy,
};

/** The names ROTATION_STRATEGY accepts. */
export function strategyNames(): string[] {
  return Object.keys(STRATEGIES);
}

/** The strategy registered under `name`, configured from `env`. */
export function createStrategy(name: string, env: Environment): ProtectedService {
  if (!Object.hasOwn(STRATEGIES, name)) {
    throw new Error(`\`ROTATION_STRATEGY\` ${JSON.stringify(name)} is not a known strategy; expected one of ${strategyNames().join(', ')}`);
  }
  return STRATEGIES[name](env);
}
