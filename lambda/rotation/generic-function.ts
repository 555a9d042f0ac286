import { GENERIC_STRATEGIES } from './generic';
import { createRotationHandler } from './handler';

/** Entry point of the generic rotation function. */
export const handler = createRotationHandler(GENERIC_STRATEGIES);
