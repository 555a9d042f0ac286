export { createLocalDatabaseHost } from './host';
export type { DatabaseHost, LocalDatabase, LocalDatabaseHostOptions, LocalDatabaseOptions, LocalEngine } from './types';
export type { BinaryLocations } from './installation';
// The parts, for tests that need a server with their own certificate or no master user.
export { CertificateAuthority } from './certificate-authority';
export type { ServerCertificate } from './certificate-authority';
export { queryMariaDb, startMariaDbServer } from './mariadb-server';
export type { MariaDbServer } from './mariadb-server';
export { startPostgresServer } from './postgres-server';
export type { LocalServer, LocalServerOptions } from './local-server';
