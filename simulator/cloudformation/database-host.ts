/** The local database host (simulator/databases): it starts the servers that stand in for RDS instances and clusters. */
export type { DatabaseHost, LocalDatabase, LocalDatabaseOptions, LocalEngine } from '../databases';
