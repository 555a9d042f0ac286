import { createRotationHandler } from './rotation-handler';
import { DATABASE_STRATEGIES } from './strategies/database-registry';

/** Entry point of the database rotation function (PostgreSQL, MySQL/MariaDB). */
export const handler = createRotationHandler(DATABASE_STRATEGIES);
