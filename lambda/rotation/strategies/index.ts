import type { Environment } from '../config';
import type { ProtectedService } from '../types';

/** Builds a strategy from the rotation function's environment. */
export type StrategyFactory = (env: Environment) => ProtectedService;

/** Strategies by their ROTATION_STRATEGY name. Each bundle of the rotation function carries its own. */
export type StrategyRegistry = Readonly<Record<string, StrategyFactory>>;

/** The strategy registered under `name`, configured from `env`. */
export function createStrategy(registry: StrategyRegistry, name: string, env: Environment): ProtectedService {
  if (!Object.hasOwn(registry, name)) {
    throw new Error(`\`ROTATION_STRATEGY\` ${JSON.stringify(name)} is not a strategy of this rotation function; expected one of ${Object.keys(registry).join(', ')}`);
  }
  return registry[name](env);
}
