import { createRotationHandler } from './rotation-handler';
import { GENERIC_STRATEGIES } from './strategies/generic-registry';

/** Entry point of the generic rotation function. */
export const handler = createRotationHandler(GENERIC_STRATEGIES);
