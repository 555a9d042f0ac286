import { DATABASE_STRATEGIES } from './database/strategies';
import { createRotationHandler } from './handler';

/** Entry point of the database rotation function (PostgreSQL, MySQL/MariaDB). */
export const handler = createRotationHandler(DATABASE_STRATEGIES);
